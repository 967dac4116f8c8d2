"""Helpers for integration tests: start the tidemark binary and real peers on 127.0.0.1.

Every process is started on a free loopback port with a fresh temporary directory and is
killed when the test ends. Nothing here talks to any address outside 127.0.0.0/8.
"""
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

TIDEMARK_BIN = os.environ.get("TIDEMARK_BIN", "build/app/tidemark")
SOURCE_DIR = os.environ.get("TM_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))

_procs = []
_dirs = []


def _cleanup():
    for p in _procs:
        if p.poll() is None:
            p.kill()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
    for d in _dirs:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_cleanup)


def skip(reason):
    """Exit as a skipped test (ctest counts exit 0; we print why)."""
    print(f"SKIPPED: {reason}")
    sys.exit(0)


def exit_on_failures(failures, tm=None, summary=None, tag=None, sep="\n"):
    """The end of a test: prints `summary` and every failure (after `tag`, one per `sep`); if there is
    any, prints the server's log too (when `tm` is given) and exits 1. Returns when all passed.
    The failures come last, after the log, because CI reports only the tail of a test's output."""
    if summary:
        print(summary)
    if failures:
        if tm is not None:
            print("server log (tail):\n" + tm.log())
        print("FAILED:\n" + sep.join(f"{tag} {f}" if tag else f for f in failures))
        sys.exit(1)


def tempdir(prefix="tm-it-"):
    d = tempfile.mkdtemp(prefix=prefix)
    _dirs.append(d)
    return d


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd, log_name=None, env=None, cwd=None):
    log_dir = tempdir("tm-log-")
    log = open(os.path.join(log_dir, (log_name or os.path.basename(cmd[0])) + ".log"), "wb")
    p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    p.log_path = log.name
    _procs.append(p)
    return p


def log_of(p):
    try:
        with open(p.log_path, "rb") as f:
            return f.read().decode(errors="replace")[-4000:]
    except OSError:
        return ""


def wait_http(url, timeout=30, proc=None):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} while waiting for {url}:\n{log_of(proc)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except urllib.error.HTTPError as e:
            if e.code < 500:
                return
            last = e
        except Exception as e:  # connection refused while starting
            last = e
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {url}: {last}\n{log_of(proc) if proc else ''}")


def request(method, url, body=None, headers=None, timeout=30):
    """Returns (status, headers, body bytes); never raises on HTTP error codes."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def get_json(url, params=None, timeout=30):
    if params:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params, doseq=True)
    status, _, body = request("GET", url, timeout=timeout)
    return status, json.loads(body) if body else None


def post_form(url, params, timeout=30):
    body = urllib.parse.urlencode(params, doseq=True).encode()
    status, _, out = request("POST", url, body, {"Content-Type": "application/x-www-form-urlencoded"}, timeout)
    return status, json.loads(out) if out else None


class Tidemark:
    """A tidemark server on free loopback ports with a fresh data directory."""

    def __init__(self, *extra_args, data_dir=None, config=None, port=None):
        self.port = port or free_port()
        self.otlp_port = free_port()
        self.data_dir = data_dir or tempdir("tm-data-")
        self.url = f"http://127.0.0.1:{self.port}"
        self.otlp_url = f"http://127.0.0.1:{self.otlp_port}"
        cmd = [TIDEMARK_BIN, "serve", "--data-dir", self.data_dir,
               "--listen", f"127.0.0.1:{self.port}", "--otlp-listen", f"127.0.0.1:{self.otlp_port}"]
        if config:
            cmd += ["--config", config]
        cmd += list(extra_args)
        self.proc = start(cmd, "tidemark")
        wait_http(self.url + "/-/ready", proc=self.proc)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout)
        return self.proc.returncode

    def log(self):
        return log_of(self.proc)


def npm_install(directory, probe):
    """Installs the npm dependencies of `directory` (`npm ci` from its package-lock.json) unless
    `probe` (a path under its node_modules) exists. Skips the test only when the npm registry is
    unreachable; any other npm failure fails it."""
    if not which("node") or not which("npm"):
        skip("node/npm are not installed")
    if os.path.exists(os.path.join(directory, "node_modules", probe)):
        return
    p = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=directory,
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        out = p.stdout + p.stderr
        unreachable = any(s in out for s in ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ETIMEDOUT",
                                             "ENETUNREACH", "network", "getaddrinfo"))
        shutil.rmtree(os.path.join(directory, "node_modules"), ignore_errors=True)
        if unreachable:
            skip(f"npm cannot reach the registry to install {directory}'s dependencies:\n" + out[-800:])
        raise AssertionError("npm ci failed:\n" + out[-2000:])


def which(name, *alternatives):
    for n in (name,) + alternatives:
        p = shutil.which(n)
        if p:
            return p
    return None


class Prometheus:
    """A real Prometheus (Debian package) on a free loopback port."""

    def __init__(self, config_yaml, extra_args=()):
        binary = which("prometheus")
        if not binary:
            raise RuntimeError("prometheus is not installed (scripts/install-deps.sh installs it)")
        self.port = free_port()
        self.dir = tempdir("tm-prom-")
        self.url = f"http://127.0.0.1:{self.port}"
        cfg = os.path.join(self.dir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write(config_yaml.replace("$PORT", str(self.port)))
        cmd = [binary, f"--config.file={cfg}", f"--storage.tsdb.path={self.dir}/data",
               f"--web.listen-address=127.0.0.1:{self.port}", "--web.enable-remote-write-receiver",
               "--web.enable-lifecycle", *extra_args]
        self.proc = start(cmd, "prometheus")
        wait_http(self.url + "/-/ready", timeout=60, proc=self.proc)
