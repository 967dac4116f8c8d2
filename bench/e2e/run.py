#!/usr/bin/env python3
"""End-to-end benchmark: Tidemark vs Prometheus 2.42 vs VictoriaMetrics 1.79 on identical data.

Builds nothing: run `scripts/build.sh release` first (it builds build/app/tidemark and
build/bench/e2e/tm_e2e_load). Then, from the repository root:

    python3 bench/e2e/run.py                    # 10k series x 1 h, all targets found
    python3 bench/e2e/run.py --scale 100k       # 100k x 30 min; also 1m (1M x 10 min), long (1k x 7 d)

Each target is started on 127.0.0.1 with a fresh data directory, loaded with the same pre-encoded
remote-write batches (8 senders), then measured: ingest samples/s, server CPU seconds, peak RSS
(VmHWM), bytes on disk after a flush, and a fixed set of dashboard range queries (median/p99 over
repeats, over per-scale ranges: queries.query_ranges), whose results are checked against
Prometheus', and each target's own count of the samples it stores. Writes bench/RESULTS.md's
"## End-to-end vs peers" section (--no-write: only print). Loopback only; python3 stdlib only.
"""

import argparse
import http.client
import json
import math
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.dont_write_bytecode = True  # keep the source tree clean of __pycache__
import queries as query_set  # noqa: E402
import results_md  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchproc import cpu_seconds, free_port  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCALES = {  # name: (series, duration seconds)
    "10k": (10_000, 3600),
    "100k": (100_000, 1800),
    "1m": (1_000_000, 600),
    "long": (1_000, 7 * 86400),
}
# Per-scale defaults: timed repeats per query (queries over 1M series take seconds to minutes on
# Prometheus; the long scale runs 4 ranges) and the seconds one query request may take.
REPEATS = {"10k": 10, "100k": 10, "1m": 3, "long": 5}
QUERY_TIMEOUT = {"10k": 120, "100k": 300, "1m": 900, "long": 600}
# Query limits raised alike on every target, above what any benchmark query needs (1M series,
# 7 days of samples): the defaults would refuse some of them (VM: 300k unique series, 30 s;
# Prometheus and Tidemark: 2 min).
QUERY_LIMIT_S = 900
QUERY_MAX_SAMPLES = 500_000_000


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def proc_peak_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def dir_bytes(path, exclude=()):
    """Apparent size (sum of st_size) of every file below path, and a per-top-level breakdown."""
    total, parts = 0, {}
    for root, dirs, files in os.walk(path):
        rel = os.path.relpath(root, path)
        top = rel.split(os.sep)[0] if rel != "." else "."
        if top in exclude:
            dirs[:] = []
            continue
        for name in files:
            try:
                size = os.lstat(os.path.join(root, name)).st_size
            except FileNotFoundError:
                continue
            total += size
            key = top if top != "." else name
            parts[key] = parts.get(key, 0) + size
    return total, parts


def http_get(port, path, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def http_post(port, path, timeout=300):
    """POSTs an empty body; returns (status, body, seconds)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        t0 = time.time()
        conn.request("POST", path, body=b"", headers={"Content-Length": "0"})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, body, time.time() - t0
    finally:
        conn.close()


class Target:
    """A server under test: how to start it, when it is ready, how to flush it and measure disk."""

    name = "?"
    ready_path = "/-/ready"
    write_path = "/api/v1/write"
    query_params = {}

    def __init__(self, workdir, binary):
        self.dir = os.path.join(workdir, self.name)
        self.binary = binary
        self.port = free_port()
        self.proc = None
        self.log_path = os.path.join(workdir, f"{self.name}.log")

    def command(self):
        raise NotImplementedError

    def start(self, timeout=60):
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.prepare()
        logf = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.command(), stdout=logf, stderr=subprocess.STDOUT, cwd=self.dir)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                with open(self.log_path, errors="replace") as f:
                    first = f.readline().strip()[:200]
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} (\"{first}\")")
            try:
                status, _ = http_get(self.port, self.ready_path, timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout}s; see {self.log_path}")

    def prepare(self):
        pass

    def flush(self):
        """Makes everything ingested queryable."""

    def measure_disk(self):
        """Stops the server cleanly if that is what flushes it; returns (bytes, notes dict)."""
        self.stop()
        total, parts = dir_bytes(self.data_dir())
        return total, {"parts": parts}

    def data_dir(self):
        return self.dir

    def stop(self, sig=signal.SIGTERM, timeout=900):
        """Stops the server (flushing shutdowns of 1M series take a while); returns seconds taken."""
        if self.proc is None or self.proc.poll() is not None:
            return 0.0
        t0 = time.time()
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log(f"{self.name} did not stop after {timeout}s; killing it")
            self.proc.kill()
            self.proc.wait()
        return time.time() - t0


class Prometheus(Target):
    name = "prometheus"

    def prepare(self):
        with open(os.path.join(self.dir, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 15s\n")

    def data_dir(self):
        return os.path.join(self.dir, "data")

    def command(self):
        return [self.binary, "--config.file=prometheus.yml", f"--storage.tsdb.path={self.data_dir()}",
                f"--web.listen-address=127.0.0.1:{self.port}", "--web.enable-remote-write-receiver",
                "--web.enable-admin-api", "--storage.tsdb.retention.time=30d", "--log.level=warn",
                f"--query.timeout={QUERY_LIMIT_S}s", f"--query.max-samples={QUERY_MAX_SAMPLES}"]

    def measure_disk(self):
        # The head lives in memory + WAL + mmapped head chunks until it is 1.5x the block range
        # (3 h) old; a snapshot writes it out as a compacted block (index + chunks), which is what
        # Prometheus keeps long-term. Report the block(s) as the main number, the WAL dir as a note.
        status, body, flush_s = http_post(self.port, "/api/v1/admin/tsdb/snapshot", timeout=3600)
        snap_bytes, snap_parts = None, {}
        if status == 200:
            name = json.loads(body)["data"]["name"]
            snap_bytes, snap_parts = dir_bytes(os.path.join(self.data_dir(), "snapshots", name))
        stop_s = self.stop()
        live, parts = dir_bytes(self.data_dir(), exclude=("snapshots",))
        notes = {"data_dir_bytes_without_snapshot": live, "parts": parts, "snapshot_parts": snap_parts,
                 "flush_call": "snapshot", "flush_s": flush_s, "stop_s": stop_s,
                 "what": "TSDB snapshot: persisted blocks + the head written out as a block (index, chunks, meta)"}
        return (snap_bytes if snap_bytes is not None else live), notes


class VictoriaMetrics(Target):
    name = "victoriametrics"
    ready_path = "/health"
    query_params = {"nocache": "1"}

    def command(self):
        return [self.binary, f"-storageDataPath={self.dir}", f"-httpListenAddr=127.0.0.1:{self.port}",
                "-retentionPeriod=1y", "-search.disableCache", "-loggerLevel=WARN",
                "-search.maxUniqueTimeseries=10000000", f"-search.maxQueryDuration={QUERY_LIMIT_S}s",
                f"-search.maxSamplesPerQuery={QUERY_MAX_SAMPLES * 20}"]

    def flush(self):
        t0 = time.time()
        http_get(self.port, "/internal/force_flush", timeout=600)
        return time.time() - t0

    def measure_disk(self):
        # SIGINT: VM flushes in-memory parts and persists its caches, then exits.
        flush_s = self.flush()
        stop_s = self.stop(signal.SIGINT)
        total, parts = dir_bytes(self.dir, exclude=("cache",))
        with_cache, _ = dir_bytes(self.dir)
        return total, {"parts": parts, "with_cache_bytes": with_cache, "flush_call": "force_flush",
                       "flush_s": flush_s, "stop_s": stop_s,
                       "what": "data/ (small+big parts) + indexdb/ + metadata; cache/ (regenerable "
                               "caches persisted at shutdown) left out"}


class Tidemark(Target):
    name = "tidemark"

    def __init__(self, workdir, binary, extra_flags=()):
        super().__init__(workdir, binary)
        self.otlp_port = free_port()
        self.extra_flags = list(extra_flags)

    def data_dir(self):
        return os.path.join(self.dir, "data")

    def command(self):
        return [self.binary, "serve", "--data-dir", self.data_dir(), "--listen", f"127.0.0.1:{self.port}",
                "--otlp-listen", f"127.0.0.1:{self.otlp_port}", "--enable-admin-api",
                "--retention-time=30d", f"--query-timeout={QUERY_LIMIT_S}s",
                f"--query-max-samples={QUERY_MAX_SAMPLES}",
                # Off as VictoriaMetrics' rollup cache is (-search.disableCache): every timed
                # repeat evaluates the whole range. bench/e2e/refresh.py compares the caches.
                "--query.range-cache-size=0"] + self.extra_flags

    def measure_disk(self):
        # The compaction call seals the head, re-encodes sealed data into cold blocks and compacts
        # RocksDB (what the background compactor does over time), like Prometheus' snapshot and
        # VM's force_flush. A server without the endpoint answers 404: then only the clean shutdown.
        pid = self.proc.pid
        cpu0 = cpu_seconds(pid)
        try:
            status, body, flush_s = http_post(self.port, "/api/v1/admin/tsdb/compact", timeout=3600)
        except (OSError, http.client.HTTPException) as e:
            status, body, flush_s = None, f"{type(e).__name__}: {e}".encode(), None
        notes = {"flush_call": "admin/tsdb/compact", "compact_status": status, "flush_s": flush_s,
                 "compact_cpu_s": cpu_seconds(pid) - cpu0,
                 "peak_rss_after_compact_bytes": proc_peak_rss(pid)}
        if status not in (200, 204):
            notes["compact_error"] = body[:300].decode(errors="replace")
            log(f"tidemark: compaction call answered {status}: {notes['compact_error'][:200]}")
        notes["stop_s"] = self.stop(signal.SIGTERM)  # a clean shutdown flushes memtables and seals head chunks
        total, parts = dir_bytes(self.data_dir())
        what = "RocksDB dir after " + ("admin compaction + " if status in (200, 204) else "") + \
            "SIGTERM (WAL, SSTs, MANIFEST)"
        notes.update({"parts": parts, "what": what})
        return total, notes


class NullSink(Target):
    name = "null-sink"

    def command(self):
        return [self.binary, "sink", "--listen", f"127.0.0.1:{self.port}"]


def run_tool(cmd, timeout):
    """Runs one load-tool command; returns (stdout, stderr, its CPU seconds, its peak RSS bytes).

    Waits with wait4 so the child's own CPU time and peak RSS are known: they show whether the
    load generator could have been the bottleneck."""
    with open(os.devnull, "rb") as devnull:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            p = subprocess.Popen(cmd, stdin=devnull, stdout=out, stderr=err)
            deadline = time.time() + timeout
            while True:
                pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    p.returncode = os.waitstatus_to_exitcode(status)
                    break
                if time.time() > deadline:
                    p.kill()
                    p.wait()
                    raise subprocess.TimeoutExpired(cmd, timeout)
                time.sleep(0.1)
            out.seek(0)
            err.seek(0)
            return (out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                    ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024)


def run_send(load_bin, batch_file, port, path, timeout):
    stdout, stderr, cpu_s, rss = run_tool(
        [load_bin, "send", "--file", batch_file, "--url", f"http://127.0.0.1:{port}{path}"], timeout)
    if not stdout.strip():
        raise RuntimeError(f"send failed: {stderr}")
    res = json.loads(stdout)
    res["sender_cpu_s"], res["sender_peak_rss_bytes"] = cpu_s, rss
    return res


def query_range(conn, target, expr, start, end, step, timeout):
    params = {"query": expr, "start": str(start), "end": str(end), "step": str(step)}
    params.update(target.query_params)
    path = "/api/v1/query_range?" + urllib.parse.urlencode(params)
    t0 = time.perf_counter()
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    elapsed = time.perf_counter() - t0
    return resp.status, body, elapsed


def instant_count(target, expr, t, timeout=300):
    params = {"query": expr, "time": str(t)}
    params.update(target.query_params)
    status, body = http_get(target.port, "/api/v1/query?" + urllib.parse.urlencode(params), timeout=timeout)
    if status != 200:
        return None
    res = json.loads(body)["data"]["result"]
    return int(float(res[0]["value"][1])) if res else 0


def stored_samples(target, gen_info, timeout):
    """Samples the target holds, counted by the target: count_over_time over all data, per metric
    name (over all names at once PromQL fails: dropping __name__ leaves duplicate label sets).

    Run after peak RSS is read (it touches every sample). Returns (count or None, seconds)."""
    t = gen_info["max_ts"] // 1000 + 60
    window = (gen_info["max_ts"] - gen_info["min_ts"]) // 1000 + 120
    t0 = time.time()
    try:
        status, body = http_get(target.port, "/api/v1/label/__name__/values", timeout=timeout)
        names = json.loads(body)["data"] if status == 200 else []
        total = 0 if names else None
        for name in names:
            got = instant_count(target, f'sum(count_over_time({{__name__="{name}"}}[{window}s]))', t, timeout)
            if got is None:
                log(f"{target.name}: counting the samples of {name} failed")
                total = None
                break
            total += got
    except (OSError, http.client.HTTPException, ValueError, KeyError) as e:
        log(f"{target.name}: counting stored samples failed: {e}")
        total = None
    return total, time.time() - t0


def percentile(values, p):
    """Nearest-rank percentile (p99 of 10 repeats is their maximum)."""
    v = sorted(values)
    return v[max(0, math.ceil(p / 100 * len(v)) - 1)]


def wait_settled(pid, timeout, window_s=20.0, idle_cpu_share=0.05):
    """Waits until process `pid` has used under `idle_cpu_share` of a CPU over `window_s` (longer
    than the periodic background passes: Tidemark's every 15 s), or for `timeout` s. Returns
    (seconds waited, CPU seconds the process used meanwhile)."""
    t0, c0 = time.time(), cpu_seconds(pid)
    last = c0
    while time.time() - t0 < timeout:
        time.sleep(window_s)
        now = cpu_seconds(pid)
        if now - last < idle_cpu_share * window_s:
            break
        last = now
    return time.time() - t0, cpu_seconds(pid) - c0


def run_queries(target, ranges, repeats, timeout):
    out = {}
    conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=timeout)
    for q, rg in ((q, rg) for rg in ranges for q in query_set.QUERIES):
        name, expr = query_set.key(q["name"], rg["name"]), q["expr"]
        start, end, step = rg["start"], rg["end"], rg["step"]
        try:
            status, body, first = query_range(conn, target, expr, start, end, step, timeout)
            parsed = json.loads(body) if body else {}
            if status != 200 or parsed.get("status") != "success":
                out[name] = {"error": f"HTTP {status}: {body[:300].decode(errors='replace')}"}
                continue
            times = []
            for _ in range(repeats):
                _, _, t = query_range(conn, target, expr, start, end, step, timeout)
                times.append(t)
            out[name] = {"median_s": statistics.median(times), "p99_s": percentile(times, 99),
                         "first_s": first, "result": parsed["data"]["result"],
                         "series": len(parsed["data"]["result"])}
        except (OSError, http.client.HTTPException, ValueError) as e:
            out[name] = {"error": f"{type(e).__name__}: {e}"}
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=timeout)
    conn.close()
    return out


def bench_target(target, args, batch_file, gen_info, ranges):
    res = {"target": target.name, "loadavg_at_start": os.getloadavg()[0]}
    t0 = time.time()
    target.start()
    pid = target.proc.pid
    try:
        cpu0 = cpu_seconds(pid)
        send = run_send(args.load_bin, batch_file, target.port, target.write_path, args.send_timeout)
        res["send"] = send
        res["ingest_samples_per_s"] = send["samples_per_s"]
        res["ingest_cpu_s"] = cpu_seconds(pid) - cpu0
        # Samples per server CPU second: steadier than samples/s on a machine shared with other jobs.
        res["ingest_samples_per_cpu_s"] = send["samples_ok"] / max(res["ingest_cpu_s"], 1e-9)
        res["peak_rss_ingest_bytes"] = proc_peak_rss(pid)
        log(f"{target.name}: ingest {send['samples_per_s']:.0f} samples/s, {send['samples_ok']} ok, "
            f"{send['samples_rejected']} rejected, {send['retries']} retries, {send['seconds']:.0f} s; "
            f"sender {send['sender_cpu_s']:.0f} CPU s, {send['sender_peak_rss_bytes'] / 2**20:.0f} MiB "
            f"{send['first_error'][:200]}")
        if isinstance(target, NullSink):
            return res
        t_flush = time.time()
        target.flush()
        expected = gen_info["series"]
        count_expr = 'count({__name__=~".+"})'
        # One count over 1M series alone takes 35-55 s on a loaded machine (all three targets).
        deadline = time.time() + 60 + expected / 4000
        polls = []  # (seconds since the flush, series counted): shows a peer's indexing delay
        while True:
            got = instant_count(target, count_expr, ranges[-1]["end"], timeout=args.query_timeout)
            polls.append((round(time.time() - t_flush, 1), got))
            if got == expected or time.time() > deadline:
                break
            time.sleep(1)
        res["series_visible"] = got
        res["visible_polls"] = polls[:5] + polls[-5:] if len(polls) > 10 else polls
        res["visible_after_s"] = time.time() - t_flush
        # Queries measure the settled store, as a dashboard sees it most of the time: each target
        # first finishes the background work the load started (head compaction, part merges,
        # cold re-encoding), timed and reported, instead of competing with the queries for CPU.
        res["settle_s"], res["settle_cpu_s"] = wait_settled(pid, args.settle_timeout)
        log(f"{target.name}: {got} series visible after {res['visible_after_s']:.0f} s; background "
            f"work settled after {res['settle_s']:.0f} s ({res['settle_cpu_s']:.1f} CPU s); running queries")
        cpu1 = cpu_seconds(pid)
        t_q = time.time()
        res["queries"] = run_queries(target, ranges, args.repeats, args.query_timeout)
        res["query_cpu_s"] = cpu_seconds(pid) - cpu1
        res["query_wall_s"] = time.time() - t_q
        res["peak_rss_bytes"] = proc_peak_rss(pid)
        errors = sum("error" in q for q in res["queries"].values())
        log(f"{target.name}: queries took {res['query_wall_s']:.0f} s, {res['query_cpu_s']:.0f} server CPU s, "
            f"{errors} errors; peak RSS {res['peak_rss_bytes'] / 2**20:.0f} MiB")
        res["samples_stored"], res["samples_count_s"] = stored_samples(target, gen_info, args.query_timeout)
        log(f"{target.name}: stores {res['samples_stored']} samples of {gen_info['samples']} generated "
            f"({res['samples_count_s']:.1f} s to count)")
        disk, notes = target.measure_disk()
        res["disk_bytes"] = disk
        res["disk_notes"] = notes
        res["bytes_per_sample"] = disk / max(1, send["samples_ok"])
    finally:
        target.stop()
    res["wall_s"] = time.time() - t0
    log(f"{target.name}: done in {res['wall_s']:.0f} s")
    return res


def machine_note():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return {"nproc": os.cpu_count(), "ram_gib": round(mem_kib / 1024 / 1024, 1), "cpu": cpu,
            "kernel": platform.release(), "loadavg_at_start": os.getloadavg()}


def version_of(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", choices=sorted(SCALES), default="10k")
    ap.add_argument("--series", type=int, help="override the scale's series count")
    ap.add_argument("--duration-s", type=int, help="override the scale's duration")
    ap.add_argument("--targets", default="null-sink,prometheus,victoriametrics,tidemark",
                    help="comma list; tidemark is skipped if its binary is missing")
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    ap.add_argument("--load-bin", help="default: BUILD_DIR/bench/e2e/tm_e2e_load")
    ap.add_argument("--tidemark-bin", help="default: BUILD_DIR/app/tidemark")
    ap.add_argument("--tidemark-flag", action="append", default=[],
                    help="extra flag for Tidemark's serve (repeatable, after the defaults), e.g. "
                         "--tidemark-flag=--query.range-cache-size=128MB to time cached refreshes")
    ap.add_argument("--prometheus-bin", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    ap.add_argument("--vm-bin", default=shutil.which("victoria-metrics") or "/usr/bin/victoria-metrics")
    ap.add_argument("--repeats", type=int, help="timed repeats per query after one untimed run "
                    f"(default per scale: {REPEATS})")
    ap.add_argument("--query-timeout", type=float, help="seconds per query request "
                    f"(default per scale: {QUERY_TIMEOUT})")
    ap.add_argument("--send-timeout", type=float, default=3600, help="seconds for a target's whole load")
    ap.add_argument("--settle-timeout", type=float, default=600,
                    help="seconds to wait after the load for a target's background work to finish")
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--work-dir", help="default: /tmp/tm-e2e-<scale>")
    ap.add_argument("--results-md", default=os.path.join(REPO, "bench", "RESULTS.md"))
    ap.add_argument("--no-results-md", "--no-write", action="store_true",
                    help="only print the results (and write the raw JSON), leave RESULTS.md alone")
    ap.add_argument("--note", default="", help="free text added to the results (e.g. machine load)")
    args = ap.parse_args()

    series, duration = SCALES[args.scale]
    series = args.series or series
    duration = args.duration_s or duration
    args.repeats = REPEATS[args.scale] if args.repeats is None else args.repeats
    args.query_timeout = args.query_timeout or QUERY_TIMEOUT[args.scale]
    args.load_bin = args.load_bin or os.path.join(args.build_dir, "bench", "e2e", "tm_e2e_load")
    args.tidemark_bin = args.tidemark_bin or os.path.join(args.build_dir, "app", "tidemark")
    args.load_bin, args.tidemark_bin = os.path.abspath(args.load_bin), os.path.abspath(args.tidemark_bin)
    workdir = os.path.abspath(args.work_dir or f"/tmp/tm-e2e-{args.scale}")
    os.makedirs(workdir, exist_ok=True)
    if not os.access(args.load_bin, os.X_OK):
        sys.exit(f"{args.load_bin} not found: run scripts/build.sh release first")

    # Data ends 10 minutes before now (inside every target's retention and VM's search window),
    # aligned to the minute; the generator's values do not depend on the start time.
    end_ms = (int(time.time() * 1000) // 60_000) * 60_000 - 600_000
    start_ms = end_ms - duration * 1000
    batch_file = os.path.join(workdir, "data.batches")
    log(f"generating {series} series x {duration}s into {batch_file}")
    stdout, stderr, gen_cpu_s, gen_rss = run_tool(
        [args.load_bin, "gen", "--series", str(series), "--duration-s", str(duration), "--start-ms", str(start_ms),
         "--seed", str(args.seed), "--out", batch_file], timeout=7200)
    if not stdout.strip():
        sys.exit(f"generating the data failed: {stderr}")
    gen_info = json.loads(stdout)
    gen_info["cpu_s"], gen_info["peak_rss_bytes"] = gen_cpu_s, gen_rss
    log(f"generated {gen_info}")
    ranges = query_set.query_ranges(args.scale, start_ms, end_ms)
    log("query ranges: " + "; ".join(f"{r['name']} {r['end'] - r['start']} s step {r['step']} s" for r in ranges))

    makers = {
        "null-sink": lambda: NullSink(workdir, args.load_bin),
        "prometheus": lambda: Prometheus(workdir, args.prometheus_bin),
        "victoriametrics": lambda: VictoriaMetrics(workdir, args.vm_bin),
        "tidemark": lambda: Tidemark(workdir, args.tidemark_bin, args.tidemark_flag),
    }
    results = {}
    for name in args.targets.split(","):
        name = name.strip()
        target = makers[name]()
        if not os.access(target.binary, os.X_OK):
            log(f"skipping {name}: {target.binary} not found")
            results[name] = {"target": name, "skipped": f"{target.binary} not found"}
            continue
        log(f"benchmarking {name}")
        try:
            results[name] = bench_target(target, args, batch_file, gen_info, ranges)
        except (RuntimeError, OSError, ValueError, KeyError, subprocess.TimeoutExpired) as e:
            log(f"{name} failed: {e}")
            results[name] = {"target": name, "skipped": str(e)}
            target.stop(signal.SIGKILL)

    ref = results.get("prometheus", {}).get("queries")
    for name, r in results.items():
        if ref and name != "prometheus" and "queries" in r:
            for qname, q in r["queries"].items():
                if "result" in q and "result" in ref.get(qname, {}):
                    q["check"] = query_set.compare(ref[qname]["result"], q["result"])
    run = {
        "scale": args.scale, "series": series, "duration_s": duration, "samples": gen_info["samples"],
        "gen": gen_info, "query_ranges": ranges,
        "repeats": args.repeats, "machine": machine_note(), "note": args.note,
        "versions": {"prometheus": version_of(["dpkg-query", "-Wf", "${Package} ${Version}", "prometheus"]),
                     "victoriametrics": version_of(["dpkg-query", "-Wf", "${Package} ${Version}",
                                                    "victoria-metrics"])},
        "command": "python3 bench/e2e/run.py " + shlex.join(sys.argv[1:]),
        "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "results": results,
    }
    for r in results.values():  # results are large; keep them only in the raw JSON
        for q in r.get("queries", {}).values():
            q.pop("result", None)
    raw = os.path.join(workdir, f"results-{args.scale}.json")
    with open(raw, "w") as f:
        json.dump(run, f, indent=1)
    text = results_md.render(run)
    print(text)
    log(f"raw results: {raw}")
    if not args.no_results_md:
        results_md.update_file(args.results_md, run, text)
        log(f"updated {args.results_md}")


if __name__ == "__main__":
    main()
