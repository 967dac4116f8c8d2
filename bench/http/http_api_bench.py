#!/usr/bin/env python3
"""HTTP API benchmark: Tidemark vs a real Prometheus 2.42 holding the same data.

Measures (1) requests/s of a cheap instant query over keep-alive connections from N client threads,
with the server CPU each request cost (from /proc, so the client's share of the cores does not
count), and (2) p50/p99 latency of the queries of a 10-panel dashboard (range queries over 1 h, step 15 s,
issued concurrently like Grafana does). Both servers get identical data via remote-write and the
same client, so the ratio is meaningful even though the Python client is the bottleneck at high
request rates.

Usage: TIDEMARK_BIN=build/app/tidemark python3 bench/http/http_api_bench.py [--seconds 5]
Prints a Markdown table (paste into bench/RESULTS.md under "## HTTP API").
"""
import argparse
import http.client
import os
import statistics
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../tests/integration/lib"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import tmtest  # noqa: E402
from benchproc import cpu_seconds  # noqa: E402
from promwrite import remote_write  # noqa: E402

DASHBOARD = [
    "sum by (job) (rate(http_requests_total[5m]))",
    "sum by (code) (rate(http_requests_total[5m]))",
    "histogram_quantile(0.99, sum by (le) (rate(req_duration_seconds_bucket[5m])))",
    "histogram_quantile(0.5, sum by (le, job) (rate(req_duration_seconds_bucket[5m])))",
    "avg by (job) (memory_bytes)",
    "max_over_time(memory_bytes[5m])",
    "count by (job) (up)",
    "topk(5, rate(http_requests_total[5m]))",
    "sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))",
    "rate(req_duration_seconds_sum[5m]) / rate(req_duration_seconds_count[5m])",
]


def dataset(now_ms, instances=50, hours=2, step_ms=15000):
    start = (now_ms - hours * 3600000) // step_ms * step_ms
    times = list(range(start, now_ms - step_ms, step_ms))
    series = []
    for n in range(instances):
        base = {"job": f"svc{n % 5}", "instance": f"10.0.{n // 250}.{n % 250}:8080"}
        series.append(({"__name__": "up", **base}, [(t, 1.0) for t in times]))
        series.append(({"__name__": "memory_bytes", **base}, [(t, 1e8 + (i * 7919 % 1000) * 1e3) for i, t in enumerate(times)]))
        for code, r in (("200", 20.0), ("500", 0.3)):
            series.append(({"__name__": "http_requests_total", "code": code, **base},
                           [(t, r * i * 15 + n) for i, t in enumerate(times)]))
        for le, share in (("0.05", 0.3), ("0.1", 0.6), ("0.5", 0.9), ("1", 0.97), ("+Inf", 1.0)):
            series.append(({"__name__": "req_duration_seconds_bucket", "le": le, **base},
                           [(t, share * 20 * i) for i, t in enumerate(times)]))
        series.append(({"__name__": "req_duration_seconds_count", **base}, [(t, 20.0 * i) for i, t in enumerate(times)]))
        series.append(({"__name__": "req_duration_seconds_sum", **base}, [(t, 2.1 * i) for i, t in enumerate(times)]))
    return series, times


def load(url, series):
    # Time-major batches (all series, 10 minutes at a time): Prometheus' head only accepts samples
    # within an hour of its newest one, so a series-major load of 2 h would be rejected.
    window = 10 * 60000
    t_min = min(s[1][0][0] for s in series)
    t_max = max(s[1][-1][0] for s in series)
    t = t_min
    while t <= t_max:
        part = [(labels, [p for p in pts if t <= p[0] < t + window]) for labels, pts in series]
        for i in range(0, len(part), 200):
            st = remote_write(url + "/api/v1/write", part[i:i + 200], timeout=120)
            assert st in (200, 204), f"remote write to {url}: {st}"
        t += window


def rps(port, seconds, threads, query, t, pid):
    """Requests/s and server CPU microseconds per request."""
    count = [0] * threads
    stop = time.time() + seconds
    path = "/api/v1/query?" + urllib.parse.urlencode({"query": query, "time": t})

    def worker(i):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.time() < stop:
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            assert r.status == 200
            count[i] += 1
        c.close()

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    cpu0 = cpu_seconds(pid)
    for x in ts:
        x.start()
    for x in ts:
        x.join()
    n = sum(count)
    return n / seconds, (cpu_seconds(pid) - cpu0) * 1e6 / max(n, 1)


def dashboard_latencies(port, start, end, rounds):
    lat = []

    def one(q):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        body = urllib.parse.urlencode({"query": q, "start": start, "end": end, "step": 15})
        t0 = time.perf_counter()
        c.request("POST", "/api/v1/query_range", body, {"Content-Type": "application/x-www-form-urlencoded"})
        r = c.getresponse()
        r.read()
        dt = time.perf_counter() - t0
        assert r.status == 200, r.status
        c.close()
        return dt

    with ThreadPoolExecutor(max_workers=len(DASHBOARD)) as ex:
        for _ in range(rounds):
            lat += list(ex.map(one, DASHBOARD))
    lat.sort()
    return lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--instances", type=int, default=50)
    args = ap.parse_args()
    prom = tmtest.Prometheus("global:\n  evaluation_interval: 1m\n")
    tm = tmtest.Tidemark()
    now = int(time.time() * 1000)
    series, times = dataset(now, args.instances)
    for u in (prom.url, tm.url):
        load(u, series)
    end = times[-1] / 1000
    start = end - 3600
    results = {}
    for name, srv in (("prometheus 2.42", prom), ("tidemark", tm)):
        port = int(srv.url.rsplit(":", 1)[1])
        rps(port, 1, args.threads, "count(up)", end, srv.proc.pid)  # warm-up
        r, cpu = rps(port, args.seconds, args.threads, "count(up)", end, srv.proc.pid)
        dashboard_latencies(port, start, end, 2)  # warm-up
        p50, p99 = dashboard_latencies(port, start, end, args.rounds)
        results[name] = (r, cpu, p50, p99)
    print(f"Data: {len(series)} series x {len(times)} samples (15 s), {args.instances} instances; "
          f"{args.threads} keep-alive client threads; dashboard = 10 range queries over 1 h, step 15 s, "
          f"{args.rounds} rounds; {os.cpu_count()} cores shared with the client.\n")
    print("| server | `count(up)` instant queries/s | server CPU per `count(up)` | "
          "dashboard query p50 | dashboard query p99 |")
    print("|---|---|---|---|---|")
    for name, (r, cpu, p50, p99) in results.items():
        print(f"| {name} | {r:.0f} | {cpu:.0f} µs | {p50 * 1000:.1f} ms | {p99 * 1000:.1f} ms |")
    (pr, pc, pp50, pp99), (tr, tc, tp50, tp99) = results["prometheus 2.42"], results["tidemark"]
    print(f"| ratio tidemark/prometheus | {tr / pr:.2f}x | {tc / pc:.2f}x | {tp50 / pp50:.2f}x | "
          f"{tp99 / pp99:.2f}x |")
    tm.stop()


if __name__ == "__main__":
    main()
