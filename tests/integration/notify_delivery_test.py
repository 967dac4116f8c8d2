"""Delivery that is never lost, end to end: a webhook receiver started here refuses (503) or is
down while an alert fires, Tidemark is restarted during the outage (SIGTERM, then kill -9), and
exactly one notification arrives once the receiver is back. Also `tidemark notify test`,
POST /api/v1/notifications/test, and a misspelt `notifications:` field (exit 2, line, closest
field).
"""
import json
import os
import signal
import subprocess
import time

from receiver import Capture
from tmtest import TIDEMARK_BIN, Tidemark, free_port, request, tempdir, post_form


def write_config(d, hook_url, slack_url=None):
    rules = os.path.join(d, "rules.yml")
    with open(rules, "w") as f:
        f.write("""groups:
- name: it
  rules:
  - alert: Outage
    expr: vector(1) > 0
    labels: {severity: page}
    annotations: {summary: "it is down"}
""")
    slack = f"""
    slack_configs:
    - api_url: "{slack_url}"
      channel: "#ops"
""" if slack_url else ""
    cfg = os.path.join(d, "tidemark.yml")
    with open(cfg, "w") as f:
        f.write(f"""global:
  evaluation_interval: 1s
rule_files: ["{rules}"]
notifications:
  route:
    receiver: team
    group_by: [alertname]
    group_wait: 1s
    group_interval: 20s
    repeat_interval: 1h
  receivers:
  - name: team
    webhook_configs:
    - url: "{hook_url}"{slack}
""")
    return cfg


def pending_in(data_dir):
    try:
        with open(os.path.join(data_dir, "notification_log.json")) as f:
            return json.load(f).get("pending", {})
    except (OSError, ValueError):
        return {}


def wait_for(pred, timeout, what, tm=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}" + ("\n" + tm.log() if tm else ""))


def outage_then_restart(sig, down):
    """The receiver answers 503 (down=False) or does not listen (down=True) until after the restart."""
    d = tempdir()
    port = free_port()
    cap = None if down else Capture(port=port)
    if cap:
        cap.status = 503
    cfg = write_config(d, f"http://127.0.0.1:{port}/hook")
    data = tempdir("tm-data-")
    tm = Tidemark(config=cfg, data_dir=data)
    wait_for(lambda: pending_in(data), 20, "a pending notification in the state file", tm)
    if cap:
        wait_for(lambda: cap.attempts >= 2, 20, "refused attempts", tm)
    tm.stop(sig)
    assert pending_in(data), "the pending notification did not survive the stop"
    tm = Tidemark(config=cfg, data_dir=data)
    time.sleep(2)  # still failing after the restart: retried, not delivered
    if cap:
        cap.status = 200
    else:
        cap = Capture(port=port)
    wait_for(lambda: cap.snapshot(), 40, "the notification after the outage", tm)
    time.sleep(4)  # long enough for a duplicate to show (retries are 0.5-8 s apart here)
    hooks = [i for i in cap.snapshot() if i[1] == "/hook"]
    assert len(hooks) == 1, f"{len(hooks)} notifications delivered, want exactly 1:\n{tm.log()}"
    body = hooks[0][2]
    assert body["status"] == "firing" and body["alerts"][0]["labels"]["alertname"] == "Outage", body
    wait_for(lambda: not pending_in(data), 10, "pending cleared after delivery", tm)
    tm.stop()
    cap.close()
    print(f"outage ({'down' if down else '503'}, {signal.Signals(sig).name}): exactly one notification")


def notify_test():
    ok, broken = Capture(), Capture()
    broken.status = 503
    d = tempdir()
    cfg = write_config(d, ok.url + "/hook", ok.url + "/slack")
    # The CLI: one test notification per integration, answers printed, exit 0.
    r = subprocess.run([TIDEMARK_BIN, "notify", "test", "--config", cfg, "--receiver", "team",
                        "--label", "severity=page", "--annotation", "summary=wiring check"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    assert "team webhook[0]: delivered (status 200" in r.stdout, r.stdout
    assert "team slack[0]: delivered" in r.stdout, r.stdout
    paths = {i[1]: i[2] for i in ok.snapshot()}
    alert = paths["/hook"]["alerts"][0]
    assert alert["labels"]["alertname"] == "TestAlert" and alert["labels"]["severity"] == "page", alert
    assert alert["annotations"]["summary"] == "wiring check", alert
    att = paths["/slack"]["attachments"][0]
    assert att["title"].startswith("[TEST] [FIRING:1] TestAlert"), att
    # A failing receiver: reported with its answer, exit 1.
    cfg_bad = write_config(tempdir(), broken.url + "/hook")
    r = subprocess.run([TIDEMARK_BIN, "notify", "test", "--config", cfg_bad, "--receiver", "team"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "FAILED (status 503, body \"receiver unavailable\")" in r.stdout, r.stdout
    r = subprocess.run([TIDEMARK_BIN, "notify", "test", "--config", cfg, "--receiver", "nobody"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "no receiver named \"nobody\"" in r.stderr, (r.returncode, r.stderr)

    # The HTTP API, JSON and form bodies, against the running server's config.
    tm = Tidemark(config=cfg)
    before = len(ok.snapshot())
    status, _, out = request("POST", tm.url + "/api/v1/notifications/test",
                             json.dumps({"receiver": "team", "labels": {"env": "prod"}}).encode(),
                             {"Content-Type": "application/json"})
    assert status == 200, (status, out)
    data = json.loads(out)["data"]
    assert data["delivered"] is True, data
    assert [i["integration"] for i in data["integrations"]] == ["webhook[0]", "slack[0]"], data
    assert data["integrations"][0]["statusCode"] == 200 and data["integrations"][0]["body"] == "ok", data
    new = [i for i in ok.snapshot()[before:] if i[1] == "/hook"]
    assert new and new[0][2]["alerts"][0]["labels"]["env"] == "prod", new
    status, body = post_form(tm.url + "/api/v1/notifications/test", {"receiver": "team", "label": ["env=form"]})
    assert status == 200 and body["data"]["delivered"], (status, body)
    status, body = post_form(tm.url + "/api/v1/notifications/test", {"receiver": "nobody"})
    assert status == 404, (status, body)
    status, body = post_form(tm.url + "/api/v1/notifications/test", {})
    assert status == 400, (status, body)
    tm.stop()
    ok.close()
    broken.close()
    print("notify test: CLI and HTTP report each integration's answer")


def config_error():
    d = tempdir()
    cfg = write_config(d, "http://127.0.0.1:1/hook")
    with open(cfg) as f:
        lines = f.read().splitlines()
    at = next(i for i, line in enumerate(lines) if "group_wait" in line)
    lines[at] = lines[at].replace("group_wait", "group_wiat")
    with open(cfg, "w") as f:
        f.write("\n".join(lines) + "\n")
    r = subprocess.run([TIDEMARK_BIN, "serve", "--config", cfg, "--data-dir", tempdir("tm-data-")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, (r.returncode, r.stderr)
    want = f'notifications: line {at + 1}: unknown field "group_wiat" in route; did you mean "group_wait"?'
    assert want in r.stderr, r.stderr
    print("config error:", r.stderr.strip())


def main():
    config_error()
    notify_test()
    outage_then_restart(signal.SIGTERM, down=False)
    outage_then_restart(signal.SIGKILL, down=True)


if __name__ == "__main__":
    main()
