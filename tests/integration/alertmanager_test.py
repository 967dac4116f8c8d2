"""Tidemark pushes alerts to a real Alertmanager (Debian prometheus-alertmanager) over API v2;
the alert is checked through Alertmanager's own GET /api/v2/alerts. The Alertmanager is reached
only through relabel_configs (the static target is a placeholder), and alert_relabel_configs
(global and per Alertmanager set) add labels and drop an alert."""
import json
import os
import time

from alertmanager import start_alertmanager
from tmtest import Tidemark, get_json, tempdir


def main():
    d = tempdir()
    _, am_url = start_alertmanager(
        d, "route:\n  receiver: 'null'\n  group_wait: 1s\nreceivers:\n- name: 'null'\n")
    am_port = am_url.rsplit(":", 1)[1]

    rules = os.path.join(d, "rules.yml")
    with open(rules, "w") as f:
        f.write("""groups:
- name: am
  rules:
  - alert: TidemarkTest
    expr: vector(42) > 0
    labels: {severity: warning}
    annotations: {summary: "value {{ $value }}"}
  - alert: TidemarkNoise
    expr: vector(1) > 0
    labels: {severity: debug}
""")
    cfg = os.path.join(d, "tidemark.yml")
    with open(cfg, "w") as f:
        f.write(f"""global:
  evaluation_interval: 1s
  external_labels: {{replica: a}}
rule_files: ["{rules}"]
alerting:
  alert_relabel_configs:
  - {{source_labels: [severity], regex: debug, action: drop}}
  - {{target_label: relabelled, replacement: "yes"}}
  alertmanagers:
  - static_configs:
    - targets: ["placeholder.invalid:1"]
      labels: {{real: "127.0.0.1:{am_port}"}}
    relabel_configs:
    - {{source_labels: [real], target_label: __address__}}
    alert_relabel_configs:
    - {{target_label: am_set, replacement: "0"}}
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
    assert a["labels"] == {"alertname": "TidemarkTest", "severity": "warning", "replica": "a",
                           "relabelled": "yes", "am_set": "0"}, a
    assert a["annotations"] == {"summary": "value 42"}, a
    assert a["status"]["state"] == "active", a
    assert "/graph?g0.expr=" in a["generatorURL"], a
    assert a["startsAt"] < a["endsAt"], a
    # Both alerts fire at the same evaluation and go out in one push: the dropped one is absent.
    status, alerts = get_json(am_url + "/api/v2/alerts")
    names = sorted(x["labels"]["alertname"] for x in alerts)
    assert names == ["TidemarkTest"], names
    tm.stop()
    print("OK:", json.dumps(a["labels"]))


if __name__ == "__main__":
    main()
