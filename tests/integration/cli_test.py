"""The binary driven like Prometheus: `--version`/`version` in `prometheus --version`'s layout with
the revision of the source tree, `serve` started with Prometheus' flag names only (both
`--flag=value` and `--flag value`), the earlier names still accepted, kingpin's `--no-<bool>`,
and an unknown flag or command refused with exit 2 and the closest name suggested."""
import os
import re
import signal
import subprocess

import tmtest

VERSION_LINE = re.compile(r"^(\w+), version (\S+) \(branch: (.*), revision: (.+)\)$")


def run_cli(*args):
    p = subprocess.run([tmtest.TIDEMARK_BIN, *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def field_names(text):
    return [l.split(":")[0].strip() for l in text.splitlines()[1:]]


def check_version(failures):
    rc, out, err = run_cli("--version")
    rc2, out2, _ = run_cli("version")
    if rc != 0 or rc2 != 0 or out != out2:
        failures.append(f"--version/version: rc {rc}/{rc2}\n{out}{err}\n{out2}")
        return
    m = VERSION_LINE.match(out.splitlines()[0])
    if not m or m.group(1) != "tidemark":
        failures.append(f"first line not in prometheus' layout: {out}")
        return
    want_fields = ["build user", "build date", "compiler", "platform"]
    if field_names(out) != want_fields:
        failures.append(f"fields {field_names(out)} != {want_fields}")
    prometheus = tmtest.which("prometheus")
    if prometheus:
        pout = subprocess.run([prometheus, "--version"], capture_output=True, text=True).stdout
        pfields = [("compiler" if f == "go version" else f) for f in field_names(pout)]
        if not VERSION_LINE.match(pout.splitlines()[0]) or pfields[:4] != want_fields:
            failures.append(f"layout differs from prometheus --version:\n{pout}\n{out}")
    # The revision is the source tree's, when the tree is a git checkout.
    git = tmtest.which("git")
    if git and os.path.exists(os.path.join(tmtest.SOURCE_DIR, ".git")):
        head = subprocess.run([git, "rev-parse", "HEAD"], capture_output=True, text=True,
                              cwd=tmtest.SOURCE_DIR).stdout.strip()
        if not m.group(4).removesuffix("-dirty").endswith(head):
            failures.append(f"revision {m.group(4)} is not HEAD {head}")


def check_flag_errors(failures):
    rc, out, _ = run_cli("serve", "--help")
    for want in ["--storage.tsdb.path DIR", "--web.listen-address HOST:PORT", "(alias: --data-dir)",
                 "--query.lookback-delta", "--rules.alert.for-grace-period"]:
        if rc != 0 or want not in out:
            failures.append(f"serve --help lacks {want!r}:\n{out}")
    for typed, suggestion in [("--web.listen-adress=127.0.0.1:1", "--web.listen-address"),
                              ("--storage.tsdb.retention=1d", "--storage.tsdb.retention.time"),
                              ("--querytimeout", "--query.timeout"),
                              ("--data-dri", "--storage.tsdb.path")]:
        rc, _, err = run_cli("serve", typed)
        if rc != 2 or err.count("\n") != 1 or f"did you mean {suggestion}?" not in err:
            failures.append(f"serve {typed}: rc {rc}, want 2 and a suggestion of {suggestion}: {err}")
    rc, _, err = run_cli("serve", "--zzzzzzzzzzzz")
    if rc != 2 or "did you mean" in err:
        failures.append(f"far-off flag: rc {rc}, no suggestion expected: {err}")
    rc, _, err = run_cli("serve", "--query.timeout", "soon")
    if rc != 2 or "--query.timeout" not in err:
        failures.append(f"bad value: rc {rc}: {err}")
    for args in [("check", "config", "--syntax-only", "x.yml"), ("test", "rules", "--run", "x.yml")]:
        rc, _, err = run_cli(*args)
        if rc != 2 or "unknown flag" not in err:
            failures.append(f"{args}: promtool option not refused: rc {rc}: {err}")
    rc, _, err = run_cli("verison")
    if rc != 2 or "did you mean version?" not in err:
        failures.append(f"mistyped command: rc {rc}: {err}")


def check_prometheus_names(failures):
    port, otlp = tmtest.free_port(), tmtest.free_port()
    data = tmtest.tempdir("tm-data-")
    cfg = os.path.join(tmtest.tempdir(), "tidemark.yml")
    with open(cfg, "w") as f:
        f.write("global:\n  evaluation_interval: 15s\n")
    proc = tmtest.start([tmtest.TIDEMARK_BIN, "serve",
                         f"--config.file={cfg}",
                         "--storage.tsdb.path", data,
                         f"--web.listen-address=127.0.0.1:{port}",
                         "--otlp-listen", f"127.0.0.1:{otlp}",
                         "--storage.tsdb.retention.time", "7d",
                         "--storage.tsdb.retention.size=1GB",
                         "--query.timeout=30s", "--query.max-concurrency", "7",
                         "--query.max-samples=1000", "--query.lookback-delta=2m",
                         "--log.level=debug", "--web.external-url=http://tidemark.example:9090/",
                         "--rules.alert.for-outage-tolerance=2h", "--rules.alert.for-grace-period", "5m",
                         "--rules.alert.resend-delay=30s",
                         "--query.max-queue-length=3", "--query.max-bytes=1GB",
                         "--query.range-cache-size=64MB", "--query.range-cache-recent-window", "2m",
                         "--web.read-timeout=1m", "--web.max-connections", "100",
                         "--ingest.label-limit=0", "--ingest.series-limit-per-metric=9",
                         "--lookback-delta=3m",  # the earlier name still works; the last one wins
                         "--enable-admin-api", "--no-enable-admin-api"], "tidemark")
    url = f"http://127.0.0.1:{port}"
    try:
        tmtest.wait_http(url + "/-/ready", proc=proc)
        st, j = tmtest.get_json(url + "/api/v1/status/flags")
        want = {"config.file": cfg, "storage.tsdb.path": data, "web.listen-address": f"127.0.0.1:{port}",
                "storage.tsdb.retention.time": "1w", "storage.tsdb.retention.size": str(1 << 30),
                "query.timeout": "30s", "query.max-concurrency": "7", "query.max-samples": "1000",
                "query.lookback-delta": "3m", "log.level": "debug",
                "web.external-url": "http://tidemark.example:9090/",
                "rules.alert.for-outage-tolerance": "2h", "rules.alert.for-grace-period": "5m",
                "rules.alert.resend-delay": "30s", "enable-admin-api": "false",
                "query.max-queue-length": "3", "query.max-bytes": str(1 << 30),
                "query.range-cache-size": str(64 << 20), "query.range-cache-recent-window": "2m",
                "web.read-timeout": "1m", "web.max-connections": "100",
                "ingest.label-limit": "0", "ingest.series-limit-per-metric": "9",
                "ingest.series-limit": "0"}
        got = {k: j["data"].get(k) for k in want} if st == 200 else st
        if got != want:
            failures.append(f"/api/v1/status/flags: {got} != {want}")
        st, _, _ = tmtest.request("POST", url + "/api/v1/admin/tsdb/clean_tombstones")
        if st == 204:
            failures.append("--no-enable-admin-api did not disable the admin API")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def main():
    failures = []
    check_version(failures)
    check_flag_errors(failures)
    check_prometheus_names(failures)
    tmtest.exit_on_failures(failures, sep="\n\n")
    print("ok")


if __name__ == "__main__":
    main()
