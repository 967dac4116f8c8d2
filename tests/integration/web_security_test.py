"""--web.config.file against real clients: a real Prometheus remote-writes over mutual TLS with
basic auth (samples checked by query); `tidemark check web-config`; the lifecycle switch
(/-/reload and /-/quit answer 403 without --web.enable-lifecycle, /-/quit shuts down with it);
and no secret in the log or in /api/v1/status/config."""
import base64
import json
import os
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings

import tlsca
import tmtest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # libcrypt, the same library the server verifies with

PASSWORD = "pr0m-wr1te-s3cret"
AM_PASSWORD = "am-b4sic-s3cret"
URL_PASSWORD = "url-us3r-s3cret"


def bcrypt(password):
    return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 5))


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


class Client:
    """HTTPS with the test CA, a client certificate and basic auth."""

    def __init__(self, base, ca, cert=None, key=None, user=None, password=None):
        self.base = base
        self.ctx = ssl.create_default_context(cafile=ca)
        if cert:
            self.ctx.load_cert_chain(cert, key)
        self.auth = None
        if user is not None:
            self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def request(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if self.auth:
            h["Authorization"] = self.auth
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=30, context=self.ctx) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def query(self, expr):
        st, _, body = self.request("GET", "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
        assert st == 200, (st, body)
        return json.loads(body)["data"]["result"]


def start_tidemark(web_config, *extra, config=None):
    port, otlp_port = tmtest.free_port(), tmtest.free_port()
    cmd = [tmtest.TIDEMARK_BIN, "serve", "--storage", "memory", "--listen", f"127.0.0.1:{port}",
           "--otlp-listen", f"127.0.0.1:{otlp_port}", "--web.config.file", web_config, *extra]
    if config:
        cmd += ["--config", config]
    proc = tmtest.start(cmd, "tidemark")
    return proc, port, otlp_port


def wait_ready(client, proc):
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError("tidemark exited:\n" + tmtest.log_of(proc))
        try:
            if client.request("GET", "/-/ready")[0] == 200:
                return
        except (OSError, ssl.SSLError):
            pass
        time.sleep(0.2)
    raise AssertionError("tidemark not ready:\n" + tmtest.log_of(proc))


def main():
    failures = []
    d = tmtest.tempdir("tm-websec-")
    ca, cert, key = tlsca.make_ca_and_server_cert(d)
    client_cert, client_key = tlsca.make_client_cert(d)
    web = write(os.path.join(d, "web.yml"), f"""
tls_server_config:
  cert_file: {os.path.basename(cert)}
  key_file: {os.path.basename(key)}
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: {os.path.basename(ca)}
http_server_config:
  headers:
    X-Content-Type-Options: nosniff
basic_auth_users:
  prometheus: {bcrypt(PASSWORD)}
""")

    # promtool's check: the good file passes, a bad one names its fault, exit codes as promtool.
    p = subprocess.run([tmtest.TIDEMARK_BIN, "check", "web-config", web], capture_output=True, text=True)
    if p.returncode != 0 or f"{web} SUCCESS" not in p.stderr:
        failures.append(f"check web-config on a good file: {p.returncode} {p.stderr}")
    bad = write(os.path.join(d, "bad.yml"), "basic_auth_users:\n  someone: plain-text-password\n")
    p = subprocess.run([tmtest.TIDEMARK_BIN, "check", "web-config", bad], capture_output=True, text=True)
    if (p.returncode != 1 or "FAILED" not in p.stderr or "basic_auth_users.someone" not in p.stderr
            or "plain-text-password" in p.stderr):
        failures.append(f"check web-config on a bad file: {p.returncode} {p.stderr}")

    # A notifier config with secrets, to look for them in the status page and the log later.
    cfg = write(os.path.join(d, "tidemark.yml"), f"""
alerting:
  alertmanagers:
  - static_configs: [{{targets: ["am:{URL_PASSWORD}@127.0.0.1:1"]}}]
    basic_auth: {{username: am, password: {AM_PASSWORD}}}
""")
    proc, port, otlp_port = start_tidemark(web, config=cfg)
    base = f"https://127.0.0.1:{port}"
    tm = Client(base, ca, client_cert, client_key, "prometheus", PASSWORD)
    wait_ready(tm, proc)

    # Without a client certificate the handshake is refused; without credentials 401.
    try:
        Client(base, ca, user="prometheus", password=PASSWORD).request("GET", "/-/ready")
        failures.append("a client without a certificate was served")
    except (OSError, ssl.SSLError):
        pass
    st, hdrs, _ = Client(base, ca, client_cert, client_key).request("GET", "/api/v1/status/buildinfo")
    if st != 401 or hdrs.get("WWW-Authenticate") != "Basic":
        failures.append(f"no credentials: {st} {hdrs}")
    st, _, _ = Client(base, ca, client_cert, client_key, "prometheus", "wrong").request("GET", "/-/ready")
    if st != 401:
        failures.append(f"wrong password: {st}")
    # The OTLP listener is under the same web config.
    otlp = Client(f"https://127.0.0.1:{otlp_port}", ca, client_cert, client_key)
    st, _, _ = otlp.request("POST", "/v1/metrics", b"", {"Content-Type": "application/x-protobuf"})
    if st != 401:
        failures.append(f"OTLP without credentials: {st}")

    # Lifecycle off by default: Prometheus' 403 and text.
    for path in ("/-/reload", "/-/quit"):
        st, _, body = tm.request("POST", path)
        if st != 403 or body != b"Lifecycle API is not enabled.":
            failures.append(f"{path} without --web.enable-lifecycle: {st} {body!r}")

    # A real Prometheus remote-writes its own metrics to us over mTLS with basic auth.
    pw_file = write(os.path.join(d, "password"), PASSWORD + "\n")
    prom = tmtest.Prometheus(f"""
global:
  scrape_interval: 1s
scrape_configs:
- job_name: self
  static_configs: [{{targets: ["127.0.0.1:$PORT"]}}]
remote_write:
- url: {base}/api/v1/write
  basic_auth: {{username: prometheus, password_file: {pw_file}}}
  tls_config: {{ca_file: {ca}, cert_file: {client_cert}, key_file: {client_key}}}
  queue_config: {{batch_send_deadline: 1s}}
""")
    got = []
    deadline = time.time() + 90
    while time.time() < deadline and not got:
        got = tm.query('up{job="self"}')
        if not got:
            time.sleep(1)
    if not got or got[0]["value"][1] != "1":
        failures.append(f"no samples from Prometheus' remote_write: {got}\n{tmtest.log_of(prom.proc)}")

    # Secrets: not in /api/v1/status/config, not in the log.
    st, _, body = tm.request("GET", "/api/v1/status/config")
    yaml_text = json.loads(body)["data"]["yaml"] if st == 200 else ""
    if st != 200 or "127.0.0.1:1" not in yaml_text:
        failures.append(f"status/config: {st} {body[:300]!r}")
    log = tmtest.log_of(proc)
    for secret in (PASSWORD, AM_PASSWORD, URL_PASSWORD):
        if secret in yaml_text:
            failures.append(f"a secret is shown in /api/v1/status/config:\n{yaml_text}")
        if secret in log:
            failures.append("a secret is in the log")
    proc.terminate()
    proc.wait(timeout=30)

    # With --web.enable-lifecycle, /-/quit shuts the server down gracefully.
    proc, port, _ = start_tidemark(web, "--web.enable-lifecycle")
    tm = Client(f"https://127.0.0.1:{port}", ca, client_cert, client_key, "prometheus", PASSWORD)
    wait_ready(tm, proc)
    st, _, body = tm.request("POST", "/-/reload")
    if st != 200:
        failures.append(f"/-/reload with --web.enable-lifecycle: {st} {body!r}")
    st, _, body = tm.request("POST", "/-/quit")
    if st != 200 or body != b"Requesting termination... Goodbye!":
        failures.append(f"/-/quit: {st} {body!r}")
    try:
        rc = proc.wait(timeout=30)
        if rc != 0:
            failures.append(f"exit code after /-/quit: {rc}")
    except subprocess.TimeoutExpired:
        failures.append("still running 30 s after /-/quit")
    if "shutdown complete" not in tmtest.log_of(proc):
        failures.append("no graceful shutdown after /-/quit:\n" + tmtest.log_of(proc))

    tmtest.exit_on_failures(failures, summary="web security: " + ("FAILED" if failures else "ok"))


if __name__ == "__main__":
    main()
