#!/usr/bin/env python3
"""Bytes on disk while ingesting: Tidemark vs Prometheus, sampled during the e2e benchmark's load.

Loads the e2e data (tm_e2e_load gen/send, as run.py) into each target in turn and samples its
data directory every --every seconds while the load runs, split by file kind: for Tidemark the
RocksDB WAL (*.log), table files per column family (read from each file's properties block) and
the rest; for Prometheus wal/, chunks_head/, blocks and the rest. Reports the peak during the
load and the size right after the last batch was acknowledged (the same moment for every target:
each then holds every sample), apparent bytes (st_size) and allocated bytes (du). Builds nothing.

    python3 bench/e2e/ingest_disk.py --scale 100k        # 100k series x 30 min (12 M samples)
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import run as e2e  # noqa: E402  (bench/e2e/run.py: targets, data generation, load tool)
from benchproc import cpu_seconds  # noqa: E402


def sst_column_family(path, cache):
    """The column family a RocksDB table file belongs to, from its properties block (stored
    uncompressed at the end of the file; keys sorted, each entry varint shared-prefix length,
    varint suffix length, varint value length, suffix, value). "rocksdb.column.family.name"
    follows "rocksdb.column.family.id" and shares 22 bytes with it."""
    if path in cache:
        return cache[path]
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - (256 << 10)))
            tail = f.read()
    except FileNotFoundError:
        return None
    m = re.search(rb"column\.family\.id.{1,10}?\x16\x04([\x00-\x7f])name", tail, re.S)
    if not m:
        return "(being written)"  # no properties block yet: a flush or compaction output
    start = m.end()
    cache[path] = tail[start:start + m.group(1)[0]].decode(errors="replace")
    return cache[path]


def kind_of(target, rel, cache, full):
    if target == "tidemark":
        if rel.endswith(".log") and os.sep not in rel and rel[:-4].isdigit():
            return "wal"
        if rel.endswith(".sst"):
            cf = sst_column_family(full, cache)
            return None if cf is None else f"sst:{cf}"
        return "other"
    top = rel.split(os.sep)[0]
    if top in ("wal", "chunks_head"):
        return top
    if len(top) == 26 and os.sep in rel:  # a block: a ULID-named directory
        return "blocks"
    return "other"


def sample_dir(target, path, cache):
    """{kind: [apparent bytes, allocated bytes]} and totals, for every file below path."""
    kinds = {}
    for root, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            try:
                st = os.lstat(full)
            except FileNotFoundError:
                continue
            kind = kind_of(target, os.path.relpath(full, path), cache, full)
            if kind is None:
                continue
            k = kinds.setdefault(kind, [0, 0])
            k[0] += st.st_size
            k[1] += st.st_blocks * 512
    total = [sum(v[0] for v in kinds.values()), sum(v[1] for v in kinds.values())]
    return total, kinds


def measure(target, args, batch_file):
    target.start()
    cache = {}
    samples = []
    try:  # the server is stopped whatever fails below
        cpu0 = cpu_seconds(target.proc.pid)
        t0 = time.time()
        send = subprocess.Popen([args.load_bin, "send", "--file", batch_file, "--url",
                                 f"http://127.0.0.1:{target.port}{target.write_path}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        while send.poll() is None:
            total, kinds = sample_dir(target.name, target.data_dir(), cache)
            samples.append({"t": round(time.time() - t0, 2), "total": total, "kinds": kinds})
            time.sleep(args.every)
        out, err = send.communicate()
        # Right after the last acknowledged batch: every target holds every sample now.
        total, kinds = sample_dir(target.name, target.data_dir(), cache)
        end = {"t": round(time.time() - t0, 2), "total": total, "kinds": kinds}
        cpu = cpu_seconds(target.proc.pid) - cpu0
    finally:
        target.stop(signal.SIGTERM)
    if not out.strip():
        raise RuntimeError(f"send failed: {err.decode(errors='replace')[:300]}")
    res = json.loads(out)
    peak = max(samples + [end], key=lambda s: s["total"][0])
    return {"target": target.name, "send": res, "server_cpu_s": cpu, "end": end, "peak": peak,
            "samples": samples}


def mib(b):
    return f"{b / 2**20:.1f}"


def report(results, n_samples):
    lines = ["| target | at end of ingest: apparent MiB (B/sample) | allocated MiB | peak during "
             "ingest: apparent MiB (at s) | ingest s | server CPU s |", "|---|---|---|---|---|---|"]
    for r in results:
        e, p = r["end"], r["peak"]
        lines.append(f"| {r['target']} | {mib(e['total'][0])} ({e['total'][0] / n_samples:.2f}) | "
                     f"{mib(e['total'][1])} | {mib(p['total'][0])} (at {p['t']:.0f}) | "
                     f"{r['send']['seconds']:.0f} | {r['server_cpu_s']:.0f} |")
    lines.append("")
    for r in results:
        for label, s in (("end of ingest", r["end"]), ("peak", r["peak"])):
            parts = ", ".join(f"{k} {mib(v[0])}" for k, v in sorted(s["kinds"].items(), key=lambda kv: -kv[1][0]))
            lines.append(f"- {r['target']}, {label} (apparent MiB): {parts}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", choices=sorted(e2e.SCALES), default="100k")
    ap.add_argument("--series", type=int)
    ap.add_argument("--duration-s", type=int)
    ap.add_argument("--targets", default="prometheus,tidemark")
    ap.add_argument("--build-dir", default=os.path.join(e2e.REPO, "build"))
    ap.add_argument("--prometheus-bin", default="/usr/bin/prometheus")
    ap.add_argument("--tidemark-bin")
    ap.add_argument("--every", type=float, default=0.5, help="seconds between samples")
    ap.add_argument("--work-dir")
    ap.add_argument("--json", help="write the raw results here")
    args = ap.parse_args()
    series, duration = e2e.SCALES[args.scale]
    series, duration = args.series or series, args.duration_s or duration
    args.load_bin = os.path.join(args.build_dir, "bench", "e2e", "tm_e2e_load")
    tidemark_bin = args.tidemark_bin or os.path.join(args.build_dir, "app", "tidemark")
    workdir = os.path.abspath(args.work_dir or f"/tmp/tm-ingest-disk-{args.scale}")
    os.makedirs(workdir, exist_ok=True)
    end_ms = (int(time.time() * 1000) // 60_000) * 60_000 - 600_000
    batch_file = os.path.join(workdir, "data.batches")
    stdout, stderr, _, _ = e2e.run_tool(
        [args.load_bin, "gen", "--series", str(series), "--duration-s", str(duration),
         "--start-ms", str(end_ms - duration * 1000), "--out", batch_file], timeout=3600)
    if not stdout.strip():
        sys.exit(f"generating the data failed: {stderr}")
    gen = json.loads(stdout)
    e2e.log(f"generated {gen['samples']} samples of {gen['series']} series")
    makers = {"prometheus": lambda: e2e.Prometheus(workdir, args.prometheus_bin),
              "tidemark": lambda: e2e.Tidemark(workdir, os.path.abspath(tidemark_bin))}
    results = []
    for name in args.targets.split(","):
        r = measure(makers[name.strip()](), args, batch_file)
        e2e.log(f"{name}: end of ingest {mib(r['end']['total'][0])} MiB, peak {mib(r['peak']['total'][0])} MiB")
        results.append(r)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"gen": gen, "results": results}, f)
    print(report(results, gen["samples"]))


if __name__ == "__main__":
    main()
