"""`tidemark serve` lifecycle: flags and config errors, SIGTERM durability, reload with a broken
config (old one keeps running), SIGHUP, request limits (413) and gzip in both directions."""
import gzip
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse

import tmtest
from promwrite import demo_dataset, remote_write


def run_cli(*args):
    p = subprocess.run([tmtest.TIDEMARK_BIN, *args], capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def write_file(path, text):
    with open(path, "w") as f:
        f.write(text)


def count_series(url):
    st, j = tmtest.get_json(url + "/api/v1/series", {"match[]": "up"})
    assert st == 200, j
    return len(j["data"])


def main():
    # Flags: help lists every flag with its default; bad input is one line and exit 2.
    rc, out, _ = run_cli("serve", "--help")
    assert rc == 0 and "--retention-time" in out and "(default: 15d)" in out and "--listen" in out, out
    rc, _, err = run_cli("serve", "--no-such-flag")
    assert rc == 2 and err.count("\n") == 1 and "--no-such-flag" in err, err
    rc, _, err = run_cli("serve", "--lookback-delta", "abc")
    assert rc == 2 and "lookback-delta" in err, err
    cfg_dir = tmtest.tempdir()
    bad_cfg = os.path.join(cfg_dir, "bad.yml")
    write_file(bad_cfg, "global:\n  evaluation_interval: 30s\n  bogus_key: 1\n")
    rc, _, err = run_cli("serve", "--config", bad_cfg, "--data-dir", tmtest.tempdir())
    assert rc == 2 and "global.bogus_key" in err, err

    # A config file with Prometheus-shaped sections.
    cfg = os.path.join(cfg_dir, "tidemark.yml")
    write_file(cfg, "global:\n  evaluation_interval: 30s\n  external_labels:\n    cluster: c1\n"
                    "storage:\n  retention_time: 7d\nquery:\n  workers: 3\n")
    data = tmtest.tempdir("tm-data-")
    tm = tmtest.Tidemark("--max-body-size", "64KB", "--web.enable-lifecycle", data_dir=data, config=cfg)
    st, j = tmtest.get_json(tm.url + "/api/v1/status/config")
    assert st == 200 and "cluster: c1" in j["data"]["yaml"] and "evaluation_interval: 30s" in j["data"]["yaml"], j
    st, j = tmtest.get_json(tm.url + "/api/v1/status/flags")
    assert j["data"]["max-body-size"] == str(64 * 1024), j
    assert j["data"]["query-workers"] == "3", j
    st, j = tmtest.get_json(tm.url + "/api/v1/status/runtimeinfo")
    assert j["data"]["storageRetention"] == "1w", j

    now_ms = int(time.time() * 1000)
    series, _ = demo_dataset(now_ms, minutes=5)
    assert remote_write(tm.url + "/api/v1/write", series) == 204
    assert count_series(tm.url) == 3

    # Limits: a body above --max-body-size is refused with 413, the server stays up.
    big = urllib.parse.urlencode({"query": "up", "pad": "x" * 100000}).encode()
    st, _, _ = tmtest.request("POST", tm.url + "/api/v1/query", big,
                              {"Content-Type": "application/x-www-form-urlencoded"})
    assert st == 413, st
    # gzip request body and gzip response.
    body = gzip.compress(urllib.parse.urlencode({"match[]": "up"}).encode())
    st, hdrs, raw = tmtest.request("POST", tm.url + "/api/v1/series", body,
                                   {"Content-Type": "application/x-www-form-urlencoded",
                                    "Content-Encoding": "gzip", "Accept-Encoding": "gzip"})
    assert st == 200, (st, raw)
    hdrs = {k.lower(): v for k, v in hdrs.items()}
    if hdrs.get("content-encoding") == "gzip":
        raw = gzip.decompress(raw)
    assert len(json.loads(raw)["data"]) == 3

    # Reload with a broken config: 500, old config stays, server keeps answering.
    write_file(cfg, "global:\n  evaluation_interval: [not a duration\n")
    st, _, out = tmtest.request("POST", tm.url + "/-/reload")
    assert st == 500 and b"failed to reload config" in out, (st, out)
    st, j = tmtest.get_json(tm.url + "/api/v1/status/runtimeinfo")
    assert j["data"]["reloadConfigSuccess"] is False, j
    st, j = tmtest.get_json(tm.url + "/api/v1/status/config")
    assert "cluster: c1" in j["data"]["yaml"], j
    assert count_series(tm.url) == 3
    # A fixed config is picked up by SIGHUP.
    write_file(cfg, "global:\n  evaluation_interval: 30s\n  external_labels:\n    cluster: c2\n")
    tm.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 10
    while time.time() < deadline:
        st, j = tmtest.get_json(tm.url + "/api/v1/status/config")
        if "cluster: c2" in j["data"]["yaml"]:
            break
        time.sleep(0.1)
    assert "cluster: c2" in j["data"]["yaml"], j
    st, j = tmtest.get_json(tm.url + "/api/v1/status/runtimeinfo")
    assert j["data"]["reloadConfigSuccess"] is True, j

    # SIGTERM: exit 0, and the data is there after a restart on the same directory.
    assert tm.stop(signal.SIGTERM) == 0, tm.log()
    assert "shutdown complete" in tm.log()
    tm2 = tmtest.Tidemark(data_dir=data)
    assert count_series(tm2.url) == 3, tm2.log()
    st, j = tmtest.get_json(tm2.url + "/api/v1/query", {"query": "count(up)", "time": now_ms / 1000 - 60})
    assert j["data"]["result"][0]["value"][1] == "3", j
    assert tm2.stop(signal.SIGINT) == 0
    print("server lifecycle: ok")


if __name__ == "__main__":
    main()
