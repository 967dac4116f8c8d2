#!/usr/bin/env python3
"""Dashboard refresh benchmark (issue 19): the e2e query set (queries.py) over the last hour at a
15 s step, refreshed every --interval seconds for --minutes, against Tidemark with its range
results cache, Tidemark without it (--query.range-cache-size=0) and VictoriaMetrics with its
rollup result cache on (its default), all three ingesting the same live node-exporter-shaped data.

Builds nothing: run `scripts/build.sh release` first (build/app/tidemark, build/bench/e2e/tm_e2e_load).

    python3 bench/e2e/refresh.py --minutes 10          # 10k series, 70 min of history, then live

Data: one `tm_e2e_load gen` file of 15 s windows from an hour and ten minutes ago to the end of the
run; the windows already in the past are loaded first, then a feeder thread sends each window once
its 15 s have passed (to every target, same bytes), as a scraper would. Grafana aligns start and
end to the step, and so does this script. Per round and target it records each query's latency
and the target's CPU seconds during the round's queries and over the whole round (ingest
included). Writes the "## Issue 19: dashboard refresh" section of bench/RESULTS.md (--no-write:
only print). Loopback only; python3 stdlib only.
"""

import argparse
import http.client
import json
import os
import re
import shlex
import shutil
import statistics
import struct
import sys
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean of __pycache__
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchproc  # noqa: E402
import queries as query_set  # noqa: E402
import run as e2e  # noqa: E402

INTERVAL_MS = 15_000
RANGE_S = 3600
STEP_S = 15
SECTION = "## Issue 19: dashboard refresh"


class CachedVictoriaMetrics(e2e.VictoriaMetrics):
    """VictoriaMetrics as a dashboard sees it: rollup result cache on, no nocache parameter."""
    name = "victoriametrics"
    query_params = {}

    def command(self):
        return [a for a in super().command() if a != "-search.disableCache"]


class CachedTidemark(e2e.Tidemark):
    """Tidemark as a dashboard sees it: the range query cache at its default size (run.py turns it
    off for its timed repeats)."""

    def command(self):
        return [a for a in super().command() if a != "--query.range-cache-size=0"]


class UncachedTidemark(e2e.Tidemark):
    name = "tidemark-nocache"

    def command(self):
        return super().command() + ["--query.range-cache-size=0"]


def read_batches(path):
    """The batch file's records in file order: [(window, body)] (layout: bench/e2e/batch_file.cc)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"TME2EBF1":
        raise RuntimeError(f"{path}: not a batch file")
    pos, out = 8 + 4 + 4 + 8 * 4, []
    while pos < len(data):
        _shard, window, _n, size = struct.unpack_from("<IIII", data, pos)
        pos += 16
        out.append((window, data[pos:pos + size]))
        pos += size
    return out


class Feeder:
    """Sends the batches of each finished 15 s window to every target, in file order."""

    def __init__(self, batches, targets, start_ms):
        self.batches, self.targets, self.start_ms = batches, targets, start_ms
        self.next = 0  # index of the first batch not sent
        self.conns = {t.name: http.client.HTTPConnection("127.0.0.1", t.port, timeout=120) for t in targets}
        self.stop = threading.Event()
        self.errors = 0

    def send_until(self, now_ms):
        done_window = (now_ms - self.start_ms) // INTERVAL_MS  # windows before this one are complete
        while self.next < len(self.batches) and self.batches[self.next][0] < done_window:
            body = self.batches[self.next][1]
            for t in self.targets:
                try:
                    c = self.conns[t.name]
                    c.request("POST", t.write_path, body=body, headers={
                        "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
                        "X-Prometheus-Remote-Write-Version": "0.1.0"})
                    r = c.getresponse()
                    r.read()
                    if r.status >= 300:
                        self.errors += 1
                except (OSError, http.client.HTTPException):
                    self.errors += 1
                    self.conns[t.name] = http.client.HTTPConnection("127.0.0.1", t.port, timeout=120)
            self.next += 1

    def run(self):
        while not self.stop.wait(1.0):
            self.send_until(int(time.time() * 1000))


def round_queries(target, conn, end_s, timeout):
    """One refresh: every query once. Returns ({query: seconds}, errors, new conn)."""
    times, errors = {}, 0
    for q in query_set.QUERIES:
        try:
            status, body, secs = e2e.query_range(conn, target, q["expr"], end_s - RANGE_S, end_s, STEP_S, timeout)
            if status != 200 or json.loads(body).get("status") != "success":
                errors += 1
                continue
            times[q["name"]] = secs
        except (OSError, http.client.HTTPException, ValueError):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=timeout)
    return times, errors, conn


def render(run):
    names = [t["name"] for t in run["targets"]]
    lines = [SECTION, "",
             f"{run['date_utc']}, `{run['command']}`: {run['series']} series (node-exporter-shaped, "
             f"15 s interval), {run['history_min']} min loaded first, then live ingest of every 15 s "
             f"window as it completes; {len(query_set.QUERIES)} queries (bench/e2e/queries.py) over "
             f"the last {RANGE_S // 60} min at a {STEP_S} s step, start and end aligned to the step, "
             f"refreshed every {run['interval_s']} s for {run['minutes']} min "
             f"({run['rounds']} rounds). VictoriaMetrics {run['vm_version']} with its rollup result "
             "cache on (its default; `-search.cacheTimestampOffset` 5m); Tidemark with "
             "`--query.range-cache-size` 128MB (default; recent window 5m) and with 0. The first "
             "round (cold) is left out of the medians. " + run["note"], "",
             "| per refresh round | " + " | ".join(names) + " |",
             "|---|" + "---|" * len(names)]
    def row(label, key, fmt):
        lines.append(f"| {label} | " + " | ".join(fmt(t[key]) for t in run["targets"]) + " |")
    row("CPU s during the round's queries (median)", "query_cpu_s_median", lambda v: f"{v:.3f}")
    row("CPU s per whole round incl. ingest (median)", "round_cpu_s_median", lambda v: f"{v:.3f}")
    row("wall s of the round's queries (median)", "round_wall_s_median", lambda v: f"{v:.3f}")
    row("failed queries", "errors", str)
    lines += ["", "Median latency per query (ms), rounds 2 on:", "",
              "| query | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for q in query_set.QUERIES:
        cells = []
        for t in run["targets"]:
            v = t["median_ms"].get(q["name"])
            cells.append("-" if v is None else f"{v:.1f}")
        lines.append(f"| {q['name']} | " + " | ".join(cells) + " |")
    cache = run.get("tidemark_cache_metrics")
    if cache:
        lines += ["", "Tidemark's cache at the end: " + ", ".join(f"`{k}` {v:g}" for k, v in cache.items()) + "."]
    return "\n".join(lines) + "\n"


def update_results(path, text):
    with open(path) as f:
        md = f.read()
    start = md.find(SECTION + "\n")
    if start < 0:
        md = md.rstrip("\n") + "\n\n" + text
    else:
        nxt = md.find("\n## ", start + len(SECTION))
        rest = md[nxt + 1:] if nxt >= 0 else ""
        md = md[:start] + text + ("\n" + rest if rest else "")
    with open(path, "w") as f:
        f.write(md)


def cache_metrics(port):
    status, body = e2e.http_get(port, "/metrics")
    out = {}
    for line in body.decode(errors="replace").splitlines():
        m = re.match(r"^(tidemark_query_range_cache_\w+) (\S+)$", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10, help="how long to refresh (default 10)")
    ap.add_argument("--interval", type=float, default=10, help="seconds between refreshes (default 10)")
    ap.add_argument("--series", type=int, default=10_000)
    ap.add_argument("--history-min", type=int, default=70, help="minutes of data loaded before the run")
    ap.add_argument("--build-dir", default=os.path.join(e2e.REPO, "build"))
    ap.add_argument("--vm-bin", default=shutil.which("victoria-metrics") or "/usr/bin/victoria-metrics")
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--query-timeout", type=float, default=120)
    ap.add_argument("--work-dir", default="/tmp/tm-refresh")
    ap.add_argument("--results-md", default=os.path.join(e2e.REPO, "bench", "RESULTS.md"))
    ap.add_argument("--no-write", action="store_true", help="only print; leave RESULTS.md alone")
    ap.add_argument("--note", default="")
    args = ap.parse_args()
    load_bin = os.path.join(args.build_dir, "bench", "e2e", "tm_e2e_load")
    tidemark_bin = os.path.join(args.build_dir, "app", "tidemark")
    os.makedirs(args.work_dir, exist_ok=True)

    now_ms = int(time.time() * 1000)
    start_ms = now_ms // INTERVAL_MS * INTERVAL_MS - args.history_min * 60_000
    total_s = args.history_min * 60 + int(args.minutes * 60) + 300  # room for setup
    batch_file = os.path.join(args.work_dir, "live.batches")
    e2e.log(f"generating {args.series} series x {total_s} s from {start_ms}")
    out, err, _, _ = e2e.run_tool([load_bin, "gen", "--series", str(args.series), "--duration-s", str(total_s),
                                   "--start-ms", str(start_ms), "--seed", str(args.seed), "--window-s", "15",
                                   "--out", batch_file], timeout=3600)
    if not out.strip():
        sys.exit(f"generating failed: {err}")
    batches = read_batches(batch_file)

    targets = [CachedTidemark(args.work_dir, tidemark_bin), UncachedTidemark(args.work_dir, tidemark_bin),
               CachedVictoriaMetrics(args.work_dir, args.vm_bin)]
    feeder = None
    try:
        for t in targets:
            t.start()
        feeder = Feeder(batches, targets, start_ms)
        e2e.log("loading the history")
        feeder.send_until(int(time.time() * 1000))
        for t in targets:
            t.flush()
        thread = threading.Thread(target=feeder.run, daemon=True)
        thread.start()
        conns = {t.name: http.client.HTTPConnection("127.0.0.1", t.port, timeout=args.query_timeout)
                 for t in targets}
        stats = {t.name: {"times": {q["name"]: [] for q in query_set.QUERIES}, "query_cpu": [],
                          "round_cpu": [], "wall": [], "errors": 0} for t in targets}
        rounds = max(1, int(args.minutes * 60 / args.interval))
        e2e.log(f"refreshing {rounds} times every {args.interval} s")
        with benchproc.measuring():
            t_next = time.time()
            for r in range(rounds):
                cpu0 = {t.name: benchproc.cpu_seconds(t.proc.pid) for t in targets}
                end_s = int(time.time()) // STEP_S * STEP_S
                order = targets[r % len(targets):] + targets[:r % len(targets)]  # no fixed first
                for t in order:
                    c0, w0 = benchproc.cpu_seconds(t.proc.pid), time.perf_counter()
                    times, errors, conns[t.name] = round_queries(t, conns[t.name], end_s, args.query_timeout)
                    s = stats[t.name]
                    if r > 0:
                        s["query_cpu"].append(benchproc.cpu_seconds(t.proc.pid) - c0)
                        s["wall"].append(time.perf_counter() - w0)
                        for k, v in times.items():
                            s["times"][k].append(v)
                    s["errors"] += errors
                t_next += args.interval
                time.sleep(max(0.0, t_next - time.time()))
                if r > 0:
                    for t in targets:
                        stats[t.name]["round_cpu"].append(benchproc.cpu_seconds(t.proc.pid) - cpu0[t.name])
        cache = cache_metrics(targets[0].port)
    finally:
        if feeder:
            feeder.stop.set()
        for t in targets:
            t.stop()

    med = lambda xs: statistics.median(xs) if xs else float("nan")  # noqa: E731
    run = {
        "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": "python3 bench/e2e/refresh.py " + shlex.join(sys.argv[1:]),
        "series": args.series, "history_min": args.history_min, "minutes": args.minutes,
        "interval_s": args.interval, "rounds": rounds, "note": args.note,
        "vm_version": e2e.version_of(["dpkg-query", "-Wf", "${Version}", "victoria-metrics"]),
        "feeder_errors": feeder.errors if feeder else None, "tidemark_cache_metrics": cache,
        "targets": [{"name": t.name, "query_cpu_s_median": med(stats[t.name]["query_cpu"]),
                     "round_cpu_s_median": med(stats[t.name]["round_cpu"]),
                     "round_wall_s_median": med(stats[t.name]["wall"]), "errors": stats[t.name]["errors"],
                     "median_ms": {k: med(v) * 1000 for k, v in stats[t.name]["times"].items() if v}}
                    for t in targets],
    }
    with open(os.path.join(args.work_dir, "results.json"), "w") as f:
        json.dump(run, f, indent=1)
    text = render(run)
    print(text)
    if not args.no_write:
        update_results(args.results_md, text)
        e2e.log(f"updated {args.results_md}")


if __name__ == "__main__":
    main()
