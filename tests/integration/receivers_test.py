"""End to end with the binary: one always-firing alert routed to PagerDuty, Microsoft Teams and
Opsgenie (HTTP capture servers on 127.0.0.1) and e-mail (a small SMTP sink started here), plus a
route muted by a time interval that must stay silent. Checks each payload's documented shape, and
that the receivers' secrets (routing key, API key, SMTP password, Teams webhook URL from a file)
appear neither in Tidemark's log nor in /api/v1/status/config.
"""
import json
import os
import socketserver
import threading
import time

from receiver import Capture
from tmtest import Tidemark, exit_on_failures, request, tempdir

ROUTING_KEY, API_KEY, SMTP_PASSWORD = "pd-R0UT1NG-9f3", "og-K3Y-77ab", "smtp-pa55-w0rd"


class SmtpSink:
    """Accepts mail without TLS: EHLO (offering AUTH PLAIN), AUTH, MAIL, RCPT, DATA, QUIT."""

    def __init__(self):
        self.messages, self.lock = [], threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                msg = {"rcpt": [], "data": "", "auth": ""}
                self.wfile.write(b"220 sink ESMTP\r\n")
                while True:
                    line = self.rfile.readline().decode(errors="replace").rstrip("\r\n")
                    if not line:
                        return
                    verb = line.split(" ")[0].upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-sink\r\n250 AUTH PLAIN\r\n")
                    elif verb == "AUTH":
                        msg["auth"] = line
                        self.wfile.write(b"235 ok\r\n")
                    elif verb == "MAIL":
                        msg["from"] = line[line.index("<") + 1:line.index(">")]
                        self.wfile.write(b"250 ok\r\n")
                    elif verb == "RCPT":
                        msg["rcpt"].append(line[line.index("<") + 1:line.index(">")])
                        self.wfile.write(b"250 ok\r\n")
                    elif verb == "DATA":
                        self.wfile.write(b"354 go\r\n")
                        lines = []
                        while True:
                            d = self.rfile.readline().decode(errors="replace")
                            if d in (".\r\n", ""):
                                break
                            lines.append(d[1:] if d.startswith("..") else d)
                        msg["data"] = "".join(lines)
                        with sink.lock:
                            sink.messages.append(dict(msg))
                        self.wfile.write(b"250 queued\r\n")
                    elif verb == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"502 unknown\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def snapshot(self):
        with self.lock:
            return list(self.messages)


def main():
    cap, smtp, d = Capture(), SmtpSink(), tempdir()
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)
        return ok

    teams_url = f"{cap.url}/webhookb2/t3ams-s3cret"
    with open(os.path.join(d, "teams_url"), "w") as f:
        f.write(teams_url + "\n")
    with open(os.path.join(d, "rules.yml"), "w") as f:
        f.write("""groups:
- name: e2e
  rules:
  - alert: AlwaysOn
    expr: vector(1) > 0
    labels: {severity: critical}
    annotations: {summary: "it is on"}
  - alert: Quiet
    expr: vector(1) > 0
    labels: {team: quiet}
""")
    cfg = os.path.join(d, "tidemark.yml")
    with open(cfg, "w") as f:
        f.write(f"""global:
  evaluation_interval: 1s
rule_files: [rules.yml]
notifications:
  global:
    smtp_smarthost: "127.0.0.1:{smtp.port}"
    smtp_from: "Tidemark <tm@example.org>"
    smtp_require_tls: false
    smtp_auth_username: tm
    smtp_auth_password: "{SMTP_PASSWORD}"
    opsgenie_api_url: "{cap.url}/og/"
  time_intervals:
    - name: always
      time_intervals: [{{weekdays: ["sunday:saturday"]}}]
  route:
    receiver: all
    group_by: [alertname]
    group_wait: 1s
    group_interval: 1s
    repeat_interval: 1h
    routes:
      - matchers: ['team="quiet"']
        receiver: muted
        mute_time_intervals: [always]
  receivers:
  - name: all
    pagerduty_configs:
    - routing_key: "{ROUTING_KEY}"
      url: "{cap.url}/pd"
      severity: "{{{{ .CommonLabels.severity }}}}"
    msteams_configs:
    - webhook_url_file: teams_url
    opsgenie_configs:
    - api_key: "{API_KEY}"
      priority: P2
    email_configs:
    - to: "oncall@example.org"
  - name: muted
    webhook_configs: [{{url: "{cap.url}/muted"}}]
""")
    tm = Tidemark(config=cfg)
    try:
        got = {}
        deadline = time.time() + 30
        while time.time() < deadline and (len(got) < 3 or not smtp.snapshot()):
            for _, path, body in cap.snapshot():
                got.setdefault(path, body)
            time.sleep(0.1)
        pd, teams, og = got.get("/pd"), got.get("/webhookb2/t3ams-s3cret"), got.get("/og/v2/alerts")
        if check(pd is not None, f"no PagerDuty event; got {sorted(got)}"):
            check(pd["routing_key"] == ROUTING_KEY and pd["event_action"] == "trigger", f"pagerduty: {pd}")
            check(len(pd["dedup_key"]) == 64, f"pagerduty dedup_key: {pd['dedup_key']}")
            p = pd["payload"]
            check(p["summary"].startswith("[FIRING:1] AlwaysOn") and p["severity"] == "critical" and
                  p["source"] == "Alertmanager", f"pagerduty payload: {p}")
            check(p["custom_details"]["num_firing"] == "1", f"pagerduty details: {p['custom_details']}")
        if check(teams is not None, "no Teams card"):
            check(teams["type"] == "MessageCard" and teams["themeColor"] == "8C1A1A" and
                  teams["title"].startswith("[FIRING:1] AlwaysOn"), f"teams: {teams}")
        if check(og is not None, "no Opsgenie alert"):
            check(og["priority"] == "P2" and og["message"].startswith("[FIRING:1] AlwaysOn") and
                  og["details"].get("severity") == "critical", f"opsgenie: {og}")
        mails = smtp.snapshot()
        if check(mails, "no e-mail"):
            m = mails[0]
            check(m["from"] == "tm@example.org" and m["rcpt"] == ["oncall@example.org"], f"envelope: {m}")
            check("Subject: [FIRING:1] AlwaysOn" in m["data"] and "multipart/alternative" in m["data"],
                  f"message: {m['data'][:400]}")
            check(m["auth"].startswith("AUTH PLAIN "), f"auth: {m['auth']}")
        time.sleep(2)
        check(not [i for i in cap.snapshot() if i[1] == "/muted"], "the muted route notified")
        _, _, config = request("GET", tm.url + "/api/v1/status/config")
        config = config.decode(errors="replace")
        with open(tm.proc.log_path, errors="replace") as f:
            log = f.read()
        for secret in (ROUTING_KEY, API_KEY, SMTP_PASSWORD, teams_url):
            check(secret not in config, f"{secret!r} appears in /api/v1/status/config")
            check(secret not in log, f"{secret!r} appears in Tidemark's log")
        check(json.loads(config)["data"]["yaml"].count("<secret>") >= 3, "secrets are not shown as <secret>")
    finally:
        tm.stop()
    exit_on_failures(failures, tm)
    print("ok: PagerDuty, Teams, Opsgenie and e-mail notified; muted route silent; secrets hidden")


if __name__ == "__main__":
    main()
