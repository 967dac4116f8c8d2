#!/usr/bin/env python3
"""The range results cache over HTTP: a server with the cache answers every refresh of a set of
dashboard queries with exactly the bytes a server without it answers, on the same data, while
samples keep arriving, some of them late or out of order into cached steps, with deletes and a
config reload in between; and its /metrics show it served cached steps."""
import random
import urllib.parse
import re
import sys
import time

import tmtest
from promwrite import remote_write

STEP_MS = 15_000
QUERIES = [
    'sum by (job) (rate(req_total[2m]))',
    'max_over_time(temp[3m])',
    'histogram_quantile(0.9, sum by (le) (rate(lat_bucket[5m])))',
    'temp offset 1m',
    'temp offset -30s',  # not cacheable: must still be equal
    'count(req_total > 50)',
]


def series_at(t, rng):
    out = []
    for job in ("api", "db"):
        for inst in ("a", "b", "c"):
            base = {"job": job, "instance": inst}
            out.append(({"__name__": "req_total", **base}, [(t, float(t // 1000 % 100000))]))
            out.append(({"__name__": "temp", **base}, [(t, round(rng.uniform(20, 80), 1))]))
        for le in ("0.1", "1", "+Inf"):
            out.append(({"__name__": "lat_bucket", "job": job, "le": le},
                        [(t, float(t // 1000 * (1 + ("0.1", "1", "+Inf").index(le))))]))
    return out


def main():
    failures = []
    cached = tmtest.Tidemark("--query.range-cache-size=16MB", "--query.range-cache-recent-window=1m",
                             "--enable-admin-api", "--web.enable-lifecycle")
    plain = tmtest.Tidemark("--query.range-cache-size=0", "--enable-admin-api", "--web.enable-lifecycle")
    servers = (cached, plain)
    rng = random.Random(7)
    now = int(time.time() * 1000)
    start = now - 40 * 60_000
    last = start
    for t in range(start, now - STEP_MS, STEP_MS):
        rows = series_at(t, rng)
        for s in servers:
            if remote_write(s.url + "/api/v1/write", rows) != 204:
                failures.append(f"history write at {t} refused by {s.url}")
        last = t
    for rnd in range(14):
        now = int(time.time() * 1000)
        while last + STEP_MS <= now:
            last += STEP_MS
            rows = series_at(last, rng)
            for s in servers:
                remote_write(s.url + "/api/v1/write", rows)
        action = rnd % 5
        if action == 1:  # out of order, into steps the cache holds (older than its 1m window)
            rows = series_at(now - 3 * 60_000 + 7, rng)
            for s in servers:
                remote_write(s.url + "/api/v1/write", rows)
        elif action == 2:
            for s in servers:
                status, _, body = tmtest.request(
                    "POST", s.url + "/api/v1/admin/tsdb/delete_series?match[]=temp{instance=%22b%22}"
                    f"&start={(now - 20 * 60_000) / 1000}&end={(now - 15 * 60_000) / 1000}")
                if status != 204:
                    failures.append(f"delete_series: {status} {body[:200]}")
        elif action == 3 and rnd == 3:
            for s in servers:
                tmtest.request("POST", s.url + "/-/reload")
        end = now // STEP_MS * STEP_MS
        for q in QUERIES:
            params = {"query": q, "start": str((end - 30 * 60_000) / 1000), "end": str(end / 1000),
                      "step": "15s"}
            answers = []
            for s in servers:
                status, _, body = tmtest.request("GET", s.url + "/api/v1/query_range?" +
                                                 urllib.parse.urlencode(params))
                answers.append((status, body))
            if answers[0] != answers[1]:
                failures.append(f"round {rnd} {q}: cached {answers[0][0]} {answers[0][1][:300]!r} != "
                                f"uncached {answers[1][0]} {answers[1][1][:300]!r}")
        time.sleep(1)
    _, _, metrics = tmtest.request("GET", cached.url + "/metrics")
    values = dict(re.findall(r"^(tidemark_query_range_cache_\w+) (\S+)$", metrics.decode(), re.M))
    if float(values.get("tidemark_query_range_cache_hits_total", 0)) < 20:
        failures.append(f"expected cached steps to be used: {values}")
    if float(values.get("tidemark_query_range_cache_bytes", 0)) <= 0:
        failures.append(f"expected cached bytes: {values}")
    _, _, metrics = tmtest.request("GET", plain.url + "/metrics")
    if b"tidemark_query_range_cache_hits_total" in metrics:
        failures.append("a server without the cache exposes its metrics")
    tmtest.exit_on_failures(failures, summary=f"range cache: {len(QUERIES)} queries x 14 refreshes equal")


if __name__ == "__main__":
    sys.exit(main())
