"""End to end with real time: a 1 s evaluation interval, `for: 2s`, and the built-in router's
webhook and Slack receivers captured by a local HTTP server. Checks the timing guarantee
(firing notification by t + interval + for + group_wait + slack), the payloads field by field,
and the resolved notification after a reload removes the condition.
"""
import os
import time

from receiver import Capture
from tmtest import Tidemark, request, tempdir

INTERVAL, FOR, GROUP_WAIT, SLACK = 1.0, 2.0, 1.0, 1.5


def main():
    cap = Capture()
    d = tempdir()
    rules = os.path.join(d, "rules.yml")
    rule_text = """groups:
- name: e2e
  rules:
  - alert: AlwaysOn
    expr: vector(1) > 0
    for: 2s
    labels: {severity: page, team: web}
    annotations:
      summary: "value is {{ $value }}"
      runbook_url: "http://runbooks.local/always-on"
"""
    with open(rules, "w") as f:
        f.write(rule_text)
    cfg = os.path.join(d, "tidemark.yml")
    with open(cfg, "w") as f:
        f.write(f"""global:
  evaluation_interval: 1s
  external_labels: {{cluster: it}}
rule_files: ["{rules}"]
notifications:
  route:
    receiver: team
    group_by: [alertname]
    group_wait: 1s
    group_interval: 1s
    repeat_interval: 1h
  receivers:
  - name: team
    webhook_configs: [{{url: "http://127.0.0.1:{cap.port}/hook"}}]
    slack_configs:
    - api_url: "http://127.0.0.1:{cap.port}/slack"
      channel: "#ops"
      send_resolved: true
      text: "{{{{ range .Alerts }}}}{{{{ .Annotations.summary }}}}{{{{ end }}}}"
""")
    t0 = time.time()
    tm = Tidemark("--web.enable-lifecycle", config=cfg)
    budget = INTERVAL + FOR + GROUP_WAIT + SLACK
    hooks = cap.wait(lambda i: i[1] == "/hook", timeout=budget + 20)
    assert hooks, "no webhook notification at all:\n" + tm.log()
    t_hook, _, body = hooks[0]
    latency = t_hook - t0
    print(f"first webhook {latency:.2f}s after start (budget {budget:.1f}s incl. startup)")
    assert latency <= budget + 1.0, f"late notification: {latency:.2f}s > {budget + 1.0:.2f}s"
    assert body["version"] == "4" and body["status"] == "firing", body
    assert body["receiver"] == "team", body
    assert body["groupLabels"] == {"alertname": "AlwaysOn"}, body
    assert body["commonLabels"]["severity"] == "page", body
    assert body["commonLabels"]["cluster"] == "it", body
    a = body["alerts"][0]
    assert a["status"] == "firing" and a["labels"]["alertname"] == "AlwaysOn", a
    assert a["annotations"]["summary"] == "value is 1", a
    assert a["startsAt"].endswith("Z") and len(a["fingerprint"]) == 16, a
    assert "/graph?g0.expr=" in a["generatorURL"], a
    slack = cap.wait(lambda i: i[1] == "/slack", timeout=5)
    assert slack, "no slack notification"
    att = slack[0][2]["attachments"][0]
    assert slack[0][2]["channel"] == "#ops", slack[0][2]
    assert att["color"] == "danger", att
    assert att["title"].startswith("[FIRING:1] AlwaysOn"), att
    assert att["text"] == "value is 1", att
    assert att["actions"][0]["url"] == "http://runbooks.local/always-on", att

    # No repeat within repeat_interval even though the rule keeps firing.
    time.sleep(3)
    with cap.lock:
        n_hooks = len([i for i in cap.items if i[1] == "/hook"])
    assert n_hooks == 1, f"expected one webhook, got {n_hooks}"

    # Remove the condition and reload: a resolved notification follows.
    with open(rules, "w") as f:
        f.write(rule_text.replace("vector(1) > 0", "vector(1) < 0"))
    status, _, out = request("POST", tm.url + "/-/reload")
    assert status == 200, (status, out)
    resolved = cap.wait(lambda i: i[1] == "/hook" and i[2]["status"] == "resolved", timeout=15)
    assert resolved, "no resolved webhook:\n" + tm.log()
    r = resolved[0][2]["alerts"][0]
    assert r["status"] == "resolved" and r["endsAt"] != "0001-01-01T00:00:00Z", r
    slack_res = cap.wait(lambda i: i[1] == "/slack" and i[2]["attachments"][0]["color"] == "good", timeout=5)
    assert slack_res, "no resolved slack message"
    tm.stop()
    print("OK")


if __name__ == "__main__":
    main()
