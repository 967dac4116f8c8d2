#!/usr/bin/env python3
"""Server CPU per dashboard query: the end-to-end benchmark's query set against one Tidemark server.

bench/e2e/run.py times queries by wall clock, which on a shared machine mostly measures the load
average. This measures the server process' CPU seconds (utime + stime from /proc) per query, so
before/after comparisons of the query path hold under contention. Python 3 stdlib only.

    # 1. data (same generator and seed as run.py; --start-ms: a minute-aligned time in the last day)
    build/bench/e2e/tm_e2e_load gen --series 10000 --duration-s 3600 --start-ms START \\
        --seed 20261129 --out /tmp/q.batches
    # 2. a server loaded with it, then the timings (optionally --out result.json for comparisons)
    python3 bench/query/query_cpu.py --bin build/app/tidemark --load-bin build/bench/e2e/tm_e2e_load \\
        --data /tmp/q.batches --start-ms START --duration-s 3600 --repeats 20

Background RocksDB work right after the load is counted too: the script waits --settle-s first.
"""
import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import queries as query_set  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchproc import cpu_seconds  # noqa: E402


def get(port, path, timeout=300):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="tidemark binary")
    ap.add_argument("--load-bin", required=True, help="tm_e2e_load binary")
    ap.add_argument("--data", required=True, help="batch file from `tm_e2e_load gen`")
    ap.add_argument("--start-ms", type=int, required=True, help="the --start-ms given to gen")
    ap.add_argument("--duration-s", type=int, default=3600)
    ap.add_argument("--step-s", type=int, default=15)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--settle-s", type=float, default=30, help="wait after loading (flushes)")
    ap.add_argument("--queries", default="", help="comma list of query names (default: all)")
    ap.add_argument("--port", type=int, default=19990)
    ap.add_argument("--out", help="write the results (matrices) as JSON here")
    a = ap.parse_args()

    workdir = tempfile.mkdtemp(prefix="tm-query-cpu-")
    cmd = [os.path.abspath(a.bin), "serve", "--data-dir", os.path.join(workdir, "data"), "--listen",
           f"127.0.0.1:{a.port}", "--otlp-listen", f"127.0.0.1:{a.port + 1}"]
    log = open(os.path.join(workdir, "server.log"), "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    try:
        for _ in range(300):
            try:
                if get(a.port, "/-/ready", 2)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        send = subprocess.run([a.load_bin, "send", "--file", a.data, "--url",
                               f"http://127.0.0.1:{a.port}/api/v1/write"], capture_output=True, text=True)
        print("load:", send.stdout.strip()[:200], file=sys.stderr)
        time.sleep(a.settle_s)
        step = a.step_s
        q_start = -(-a.start_ms // (step * 1000)) * step
        q_end = ((a.start_ms + a.duration_s * 1000) // (step * 1000)) * step
        names = [n for n in a.queries.split(",") if n]
        print(f"load average at start: {os.getloadavg()}")
        print(f"{'query':30s} {'series':>6s} {'CPU ms/query (mean)':>20s} {'wall ms (median)':>17s}")
        results = {}
        for q in query_set.QUERIES:
            if names and q["name"] not in names:
                continue
            params = {"query": q["expr"], "start": q_start, "end": q_end, "step": step}
            path = "/api/v1/query_range?" + urllib.parse.urlencode(params)
            status, body = get(a.port, path)  # untimed first run
            if status != 200:
                print(f"{q['name']}: HTTP {status} {body[:200]!r}")
                continue
            results[q["name"]] = json.loads(body)["data"]["result"]
            walls = []
            c0 = cpu_seconds(proc.pid)
            for _ in range(a.repeats):
                w0 = time.perf_counter()
                get(a.port, path)
                walls.append(time.perf_counter() - w0)
            cpu_ms = (cpu_seconds(proc.pid) - c0) * 1000 / a.repeats
            print(f"{q['name']:30s} {len(results[q['name']]):6d} {cpu_ms:20.1f} "
                  f"{statistics.median(walls) * 1000:17.1f}")
        print(f"load average at end: {os.getloadavg()}")
        if a.out:
            with open(a.out, "w") as f:
                json.dump(results, f)
    finally:
        proc.terminate()
        proc.wait(120)
        shutil.rmtree(workdir, ignore_errors=True)


main()
