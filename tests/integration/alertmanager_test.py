"""Tidemark pushes alerts to a real Alertmanager (Debian prometheus-alertmanager) over API v2;
the alert is checked through Alertmanager's own GET /api/v2/alerts."""
import json
import os
import time

from tmtest import Tidemark, free_port, get_json, skip, start, tempdir, wait_http, which


def main():
    am_bin = which("prometheus-alertmanager", "alertmanager")
    if not am_bin:
        skip("prometheus-alertmanager is not installed")
    d = tempdir()
    am_port = free_port()
    am_cfg = os.path.join(d, "am.yml")
    with open(am_cfg, "w") as f:
        f.write("route:\n  receiver: 'null'\n  group_wait: 1s\nreceivers:\n- name: 'null'\n")
    am = start([am_bin, f"--config.file={am_cfg}", f"--storage.path={d}/am-data",
                f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address="],
               "alertmanager")
    am_url = f"http://127.0.0.1:{am_port}"
    wait_http(am_url + "/-/ready", timeout=60, proc=am)

    rules = os.path.join(d, "rules.yml")
    with open(rules, "w") as f:
        f.write("""groups:
- name: am
  rules:
  - alert: TidemarkTest
    expr: vector(42) > 0
    labels: {severity: warning}
    annotations: {summary: "value {{ $value }}"}
""")
    cfg = os.path.join(d, "tidemark.yml")
    with open(cfg, "w") as f:
        f.write(f"""global:
  evaluation_interval: 1s
  external_labels: {{replica: a}}
rule_files: ["{rules}"]
alerting:
  alertmanagers:
  - static_configs:
    - targets: ["127.0.0.1:{am_port}"]
""")
    tm = Tidemark(config=cfg)
    deadline = time.time() + 30
    found = None
    while time.time() < deadline and not found:
        status, alerts = get_json(am_url + "/api/v2/alerts")
        assert status == 200, status
        found = [a for a in alerts if a["labels"].get("alertname") == "TidemarkTest"]
        if not found:
            time.sleep(0.3)
    assert found, "alert never reached Alertmanager:\n" + tm.log()
    a = found[0]
    assert a["labels"] == {"alertname": "TidemarkTest", "severity": "warning", "replica": "a"}, a
    assert a["annotations"] == {"summary": "value 42"}, a
    assert a["status"]["state"] == "active", a
    assert "/graph?g0.expr=" in a["generatorURL"], a
    assert a["startsAt"] < a["endsAt"], a
    tm.stop()
    print("OK:", json.dumps(a["labels"]))


if __name__ == "__main__":
    main()
