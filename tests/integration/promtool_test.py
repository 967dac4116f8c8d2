"""promtool (Debian's prometheus package) against Tidemark: `query instant`, `query range`,
`query series` and `query labels` must print what they print for a real Prometheus 2.42 holding
the same data (loaded into both through remote-write)."""
import json
import subprocess
import time

import tmtest
from apicompare import compare_query_data
from promwrite import demo_dataset, remote_write


def promtool(*args):
    p = subprocess.run([tmtest.which("promtool"), *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def normalized_lines(out):
    return sorted(l.strip() for l in out.splitlines() if l.strip())


def main():
    if not tmtest.which("promtool") or not tmtest.which("prometheus"):
        tmtest.skip("promtool/prometheus not installed")
    prom = tmtest.Prometheus("global:\n  evaluation_interval: 1m\n")
    tm = tmtest.Tidemark()
    now_ms = int(time.time() * 1000)
    series, times = demo_dataset(now_ms)
    for url in (prom.url, tm.url):
        assert remote_write(url + "/api/v1/write", series) in (200, 204)
    t_end = str(times[-1] // 1000 + 7)  # off the sample grid (see api_diff_test.py)
    t_start = str(times[0] // 1000 + 307)
    checks = []
    for expr in ["up", "sum by (job) (rate(http_requests_total[5m]))", "count(memory_bytes) * 2",
                 "scalar(count(up))", "memory_bytes{job=\"db\"}"]:
        checks.append(("instant-json", ["query", "instant", "-o", "json", "--time", t_end, "SERVER", expr]))
        checks.append(("text", ["query", "instant", "--time", t_end, "SERVER", expr]))
        checks.append(("range-json", ["query", "range", "-o", "json", "--start", t_start, "--end", t_end,
                                      "--step", "1m", "SERVER", expr]))
    checks += [
        ("text", ["query", "series", "--match", "up", "SERVER"]),
        ("text", ["query", "series", "--match", "{job=\"db\"}", "--match", "up", "--start", t_start,
                  "--end", t_end, "SERVER"]),
        ("text", ["query", "labels", "SERVER", "__name__"]),
        ("text", ["query", "labels", "SERVER", "job"]),
        ("text", ["query", "labels", "--match", "http_requests_total", "SERVER", "code"]),
        ("rc", ["query", "instant", "SERVER", "sum("]),
    ]
    failures = []
    for kind, args in checks:
        rp, op, ep = promtool(*[prom.url if a == "SERVER" else a for a in args])
        rt, ot, et = promtool(*[tm.url if a == "SERVER" else a for a in args])
        label = " ".join(a for a in args)
        if rp != rt:
            failures.append(f"{label}: exit codes prometheus={rp} tidemark={rt} ({et.strip()})")
            continue
        if kind == "rc":
            continue
        if kind == "text":
            if normalized_lines(op) != normalized_lines(ot):
                failures.append(f"{label}:\n  prometheus: {op.strip()[:400]}\n  tidemark:   {ot.strip()[:400]}")
        else:
            jp, jt = json.loads(op), json.loads(ot)
            # promtool's JSON is the bare result: a list of series, or [t, "v"] for a scalar.
            if jp and not isinstance(jp[0], dict):
                rtype = "scalar"
            else:
                rtype = "matrix" if kind == "range-json" else "vector"
            da = {"resultType": rtype, "result": jp}
            db = {"resultType": rtype, "result": jt}
            failures += [f"{label}: {d}" for d in compare_query_data(da, db)]
    tmtest.exit_on_failures(failures, tm, f"{len(checks)} promtool invocations compared, {len(failures)} differences",
                            "DIFF")
    assert tm.stop() == 0


if __name__ == "__main__":
    main()
