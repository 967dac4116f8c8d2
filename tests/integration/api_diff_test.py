"""Differential API test: the same data in Prometheus 2.42 and Tidemark, the same API calls to
both, answers compared structurally (order-insensitive where Prometheus defines no order)."""
import json
import time
import urllib.parse

import tmtest
from apicompare import compare_query_data, same_shape
from promwrite import demo_dataset, remote_write

PROM_CONFIG = """
global:
  evaluation_interval: 1m
"""


def call(base, method, path, params):
    if method == "GET":
        url = base + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
        status, _, body = tmtest.request("GET", url)
    else:
        body = urllib.parse.urlencode(params, doseq=True).encode()
        status, _, body = tmtest.request("POST", base + path, body,
                                         {"Content-Type": "application/x-www-form-urlencoded"})
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode(errors="replace")


def main():
    if not tmtest.which("prometheus"):
        tmtest.skip("prometheus binary not installed")
    prom = tmtest.Prometheus(PROM_CONFIG)
    tm = tmtest.Tidemark()
    now_ms = int(time.time() * 1000)
    series, times = demo_dataset(now_ms)
    for url in (prom.url, tm.url):
        st = remote_write(url + "/api/v1/write", series)
        assert st in (200, 204), f"remote write to {url} answered {st}"
    # Evaluation times deliberately fall between samples (+7 s): Prometheus 2.x range selectors
    # are closed on the left, 3.x (and Tidemark) left-open; off-grid times avoid that boundary.
    t_end = times[-1] / 1000 + 7
    t_start = times[0] / 1000 + 7
    rng = {"start": t_start + 300, "end": t_end, "step": "60"}
    queries = [
        "up", "1+1", "\"hello\"", "time() > 0", "count(up)", "up == 0", "topk(2, memory_bytes)",
        "sum by (job) (rate(http_requests_total[5m]))", "absent(nope)",
        "histogram_quantile(0.9, sum by (le) (rate(req_duration_seconds_bucket[5m])))",
        "memory_bytes / 1e6", "http_requests_total{code=~\"5..\"}",
        "avg_over_time(memory_bytes[10m])", "increase(http_requests_total[10m])",
    ]
    calls = []
    for q in queries:
        calls.append(("query", "GET", "/api/v1/query", {"query": q, "time": t_end}))
        calls.append(("query", "POST", "/api/v1/query", {"query": q, "time": t_end}))
        if not q.startswith("\""):
            calls.append(("query", "POST", "/api/v1/query_range", dict(rng, query=q)))
    calls += [
        ("query", "GET", "/api/v1/query_range", {"query": "up", "start": t_start, "end": t_end, "step": "30s"}),
        ("error", "GET", "/api/v1/query", {"query": "sum("}),
        ("error", "GET", "/api/v1/query", {"query": "up", "time": "garbage"}),
        ("error", "GET", "/api/v1/query_range", {"query": "up", "start": 10, "end": 5, "step": 1}),
        ("error", "GET", "/api/v1/query_range", {"query": "up", "start": 0, "end": 100000, "step": 1}),
        ("error", "GET", "/api/v1/query_range", {"query": "up", "start": 0, "end": 10, "step": 0}),
        ("error", "GET", "/api/v1/series", {}),
        ("error", "GET", "/api/v1/label/0bad/values", {}),
        ("set", "GET", "/api/v1/labels", {}),
        ("set", "POST", "/api/v1/labels", {"match[]": "up", "start": t_start, "end": t_end}),
        ("set", "GET", "/api/v1/label/__name__/values", {"start": t_start, "end": t_end}),
        ("set", "GET", "/api/v1/label/job/values", {"match[]": "http_requests_total"}),
        ("set", "GET", "/api/v1/label/nope/values", {}),
        ("series", "GET", "/api/v1/series", {"match[]": "up"}),
        ("series", "POST", "/api/v1/series", {"match[]": ["{job=\"db\"}", "up"], "start": t_start, "end": t_end}),
        ("series", "GET", "/api/v1/series", {"match[]": "nope"}),
        ("exact", "GET", "/api/v1/query_exemplars", {"query": "up", "start": t_start, "end": t_end}),
        ("exact", "GET", "/api/v1/rules", {}),
        ("exact", "GET", "/api/v1/alerts", {}),
        ("shape", "GET", "/api/v1/status/buildinfo", {}),
        ("shape", "GET", "/api/v1/status/config", {}),
        ("keys", "GET", "/api/v1/status/runtimeinfo", {}),
        ("keys", "GET", "/api/v1/status/tsdb", {}),
    ]
    failures = []
    for kind, method, path, params in calls:
        sp, jp = call(prom.url, method, path, params)
        st, jt = call(tm.url, method, path, params)
        label = f"{method} {path} {params}"
        if sp != st:
            failures.append(f"{label}: status prometheus={sp} tidemark={st} ({jt})")
            continue
        if not isinstance(jp, dict) or not isinstance(jt, dict):
            failures.append(f"{label}: non-JSON answer")
            continue
        if jp.get("status") != jt.get("status"):
            failures.append(f"{label}: status field {jp.get('status')} != {jt.get('status')}")
            continue
        if kind == "error" or jp.get("status") == "error":
            if jp.get("errorType") != jt.get("errorType"):
                failures.append(f"{label}: errorType {jp.get('errorType')} != {jt.get('errorType')}")
        elif kind == "query":
            failures += [f"{label}: {d}" for d in compare_query_data(jp["data"], jt["data"])]
        elif kind == "set":
            if sorted(jp["data"]) != sorted(jt["data"]):
                failures.append(f"{label}: {jp['data']} != {jt['data']}")
        elif kind == "series":
            key = lambda l: sorted(l.items())
            if sorted(map(key, jp["data"])) != sorted(map(key, jt["data"])):
                failures.append(f"{label}: {jp['data']} != {jt['data']}")
        elif kind == "exact":
            if jp["data"] != jt["data"]:
                failures.append(f"{label}: {jp['data']} != {jt['data']}")
        elif kind == "shape":
            failures += [f"{label}: {d}" for d in same_shape(jp["data"], jt["data"])]
        elif kind == "keys":
            missing = set(jp["data"]) - set(jt["data"])
            if missing:
                failures.append(f"{label}: tidemark lacks keys {sorted(missing)}")
    tmtest.exit_on_failures(failures, tm, f"{len(calls)} API calls compared, {len(failures)} differences", "DIFF")
    assert tm.stop() == 0


if __name__ == "__main__":
    main()
