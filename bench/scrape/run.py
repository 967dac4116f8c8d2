#!/usr/bin/env python3
"""Scrape benchmark: Tidemark vs Prometheus 2.42 scraping the same targets (bench, not a test).

N targets (distinct `shard` labels on one fake exporter, bench/scrape/fake_exporter.js) of S series
each, scraped every --interval. Each server runs alone, in turn: after a warm-up, its CPU time
(utime+stime from /proc) is measured over --measure seconds, and the samples it scraped in that
window are counted with its own PromQL (sum of sum_over_time(scrape_samples_scraped)). Results go
to bench/RESULTS.md ("Scrape" section). Creates $TM_BENCH_FLAG (if set) while measuring.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchproc import cpu_seconds, free_port  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))






def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0


def wait_ready(url, proc, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/-/ready", timeout=2):
                return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} not ready")


def query(url, expr, t):
    q = urllib.parse.urlencode({"query": expr, "time": f"{t:.3f}"})
    with urllib.request.urlopen(f"{url}/api/v1/query?{q}", timeout=120) as r:
        res = json.load(r)["data"]["result"]
    return float(res[0]["value"][1]) if res else 0.0


def config(targets, exporter, interval):
    groups = "".join(f"      - targets: ['{exporter}']\n        labels: {{shard: '{i}'}}\n" for i in range(targets))
    return (f"global:\n  scrape_interval: {interval}s\n  scrape_timeout: {min(interval, 10)}s\n"
            f"scrape_configs:\n  - job_name: bench\n    static_configs:\n{groups}")


def start_exporter(workdir, targets, series, interval):
    """Starts the fake exporter and writes the scrape config for it; returns (process, config path)."""
    port = free_port()
    exporter = subprocess.Popen(["node", os.path.join(ROOT, "bench", "scrape", "fake_exporter.js"),
                                 str(port), str(series)], stdout=subprocess.DEVNULL)
    cfg = os.path.join(workdir, "scrape.yml")
    with open(cfg, "w") as f:
        f.write(config(targets, f"127.0.0.1:{port}", interval))
    return exporter, cfg


def run_server(name, cmd, url, warmup, measure, workdir):
    log = open(os.path.join(workdir, name + ".log"), "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(url, proc)
        time.sleep(warmup)
        up = query(url, "count(up == 1)", time.time())
        c0, t0 = cpu_seconds(proc.pid), time.time()
        time.sleep(measure)
        c1, t1 = cpu_seconds(proc.pid), time.time()
        time.sleep(1)
        samples = query(url, f"sum(sum_over_time(scrape_samples_scraped[{int(t1 - t0)}s]))", t1)
        scrapes = query(url, f"sum(count_over_time(up[{int(t1 - t0)}s]))", t1)
        return {"cpu_s": c1 - c0, "wall_s": t1 - t0, "samples": samples, "scrapes": scrapes,
                "healthy_targets": up, "rss_mib": rss_mib(proc.pid), "load": os.getloadavg()[0]}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--targets", type=int, default=1000)
    ap.add_argument("--series", type=int, default=1000)
    ap.add_argument("--interval", type=int, default=10, help="seconds")
    ap.add_argument("--warmup", type=int, default=25)
    ap.add_argument("--measure", type=int, default=60)
    ap.add_argument("--no-results", action="store_true", help="print only, do not edit RESULTS.md")
    args = ap.parse_args()
    tidemark = os.path.join(args.build_dir, "app", "tidemark")
    workdir = tempfile.mkdtemp(prefix="tm-scrape-bench-")
    exporter, cfg = start_exporter(workdir, args.targets, args.series, args.interval)
    results = {}
    try:
        time.sleep(1)
        p = free_port()
        results["Tidemark"] = run_server(
            "tidemark", [tidemark, "serve", "--config.file", cfg, "--storage.tsdb.path", os.path.join(workdir, "tm"),
                         "--web.listen-address", f"127.0.0.1:{p}", "--otlp-listen", "none"],
            f"http://127.0.0.1:{p}", args.warmup, args.measure, workdir)
        p = free_port()
        results["Prometheus"] = run_server(
            "prometheus", ["prometheus", f"--config.file={cfg}", f"--storage.tsdb.path={workdir}/prom",
                           f"--web.listen-address=127.0.0.1:{p}"],
            f"http://127.0.0.1:{p}", args.warmup, args.measure, workdir)
    finally:
        exporter.send_signal(signal.SIGTERM)
        exporter.wait(timeout=10)
    shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(results, indent=2))
    if not args.no_results:
        write_results(args, results)


def write_results(args, r):
    tm, pr = r["Tidemark"], r["Prometheus"]

    def per_s(x):
        return x["samples"] / x["wall_s"]

    def us_per_sample(x):
        return x["cpu_s"] / x["samples"] * 1e6 if x["samples"] else float("nan")

    rows = [
        ("healthy targets", f"{pr['healthy_targets']:,.0f}", f"{tm['healthy_targets']:,.0f}", ""),
        ("scrapes in the window", f"{pr['scrapes']:,.0f}", f"{tm['scrapes']:,.0f}", f"{tm['scrapes'] / pr['scrapes']:.2f}×"),
        ("samples scraped, per second", f"{per_s(pr):,.0f}", f"{per_s(tm):,.0f}", f"{per_s(tm) / per_s(pr):.2f}×"),
        ("server CPU s in the window", f"{pr['cpu_s']:.1f}", f"{tm['cpu_s']:.1f}", f"{tm['cpu_s'] / pr['cpu_s']:.2f}×"),
        ("server CPU µs per sample", f"{us_per_sample(pr):.2f}", f"{us_per_sample(tm):.2f}",
         f"{us_per_sample(tm) / us_per_sample(pr):.2f}×"),
        ("peak RSS (VmHWM), MiB", f"{pr['rss_mib']:.0f}", f"{tm['rss_mib']:.0f}", f"{tm['rss_mib'] / pr['rss_mib']:.2f}×"),
        ("load average at the end", f"{pr['load']:.1f}", f"{tm['load']:.1f}", ""),
    ]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    body = (f"### {args.targets:,} targets × {args.series:,} series, every {args.interval} s, {now}\n"
            f"<!-- scrape-bench -->\n\n"
            f"Command: `python3 bench/scrape/run.py --targets {args.targets} --series {args.series} "
            f"--interval {args.interval} --warmup {args.warmup} --measure {args.measure}` (after "
            f"`scripts/build.sh release tidemark`). Each server ran alone against the same fake exporter "
            f"(one Node.js process, gzip), {args.warmup} s warm-up, then {args.measure} s measured. "
            f"Ratios are Tidemark/Prometheus 2.42 (for CPU and RSS lower is better). The 2-core machine "
            f"is shared with other jobs, so CPU seconds are the figure to trust.\n\n"
            "| | Prometheus 2.42 | Tidemark | ratio |\n|---|---|---|---|\n" +
            "".join(f"| {a} | {b} | {c} | {d} |\n" for a, b, c, d in rows))
    path = os.path.join(ROOT, "bench", "RESULTS.md")
    text = open(path).read()
    section = "## Scrape (issue 15)\n\n"
    if section not in text:
        text += "\n" + section + body
    else:
        # Newest run first; earlier runs stay below it as the record of what changed.
        head, rest = text.split(section, 1)
        nxt = re.search(r"^### ", rest, re.M)
        at = nxt.start() if nxt else 0
        text = head + section + rest[:at] + body + "\n" + rest[at:]
    open(path, "w").write(text)


if __name__ == "__main__":
    main()
