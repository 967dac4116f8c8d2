"""Renders an end-to-end run as Markdown and keeps bench/RESULTS.md's section up to date."""

import os
import re

import queries as query_set

SECTION = "## End-to-end vs peers"
INTRO = """\
Produced by `bench/e2e/run.py` (see bench/README.md, "End-to-end benchmark"). Each subsection is
one run at one scale, replaced when that scale is run again. Ratios are Tidemark/peer: for
ingest higher is better, for everything else lower is better.

Reading these numbers: the machine is a 2-core VM that other jobs (compilers, tests) may share;
each subsection gives the load average when every target started. Under load, every server gets
a small, varying share of the CPU, so compare targets within one run, and prefer the CPU-second
figures (samples per server CPU second, CPU seconds for all queries), peak RSS and bytes/sample,
which contention affects much less than wall-clock rates and latencies.
"""
NAMES = [("prometheus", "Prometheus"), ("victoriametrics", "VictoriaMetrics"), ("tidemark", "Tidemark")]


def _fmt(x, kind):
    if x is None:
        return "n/a"
    if kind == "rate":
        return f"{x / 1e6:.2f} M"
    if kind == "mib":
        return f"{x / 2**20:.0f}"
    if kind == "bps":
        return f"{x:.2f}"
    if kind == "s":
        return f"{x:.1f}"
    if kind == "int":
        return f"{x:,}"
    return str(x)


def _ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}×"


def _human_duration(s):
    if s % 86400 == 0:
        return f"{s // 86400} d"
    if s % 3600 == 0:
        return f"{s // 3600} h"
    return f"{s // 60} min"


def render(run):
    res = run["results"]
    m = run["machine"]
    ranges = run["query_ranges"]
    out = []
    out.append(f"### {run['series']:,} series × {_human_duration(run['duration_s'])} "
               f"({run['samples']:,} samples), {run['date_utc']}")
    out.append(f"<!-- e2e:{run['scale']} -->")
    out.append("")
    out.append(f"Command: `{run['command']}` (after `scripts/build.sh release`).")
    out.append(f"Machine: {m['nproc']} × {m['cpu']}, {m['ram_gib']} GiB RAM, Linux {m['kernel']}; "
               f"load average at start {m['loadavg_at_start'][0]:.2f}. The machine was shared with other "
               f"busy jobs (builds, tests), so absolute numbers are noisy; every target ran alone, in turn, "
               f"on the same data." + (f" {run['note']}" if run["note"] else ""))
    out.append(f"Peers: {run['versions']['prometheus']}; {run['versions']['victoriametrics']}.")
    g = run["gen"]
    sink = res.get("null-sink", {})
    sink_rate = sink.get("ingest_samples_per_s")
    out.append(f"Data: {g['batches']:,} remote-write batches of ≤2,000 samples "
               f"({g['file_bytes'] / 2**20:.0f} MiB snappy, {g['raw_bytes'] / 2**20:.0f} MiB protobuf), "
               f"8 concurrent senders. Load generator against the null sink: "
               f"{_fmt(sink_rate, 'rate')} samples/s" +
               (f" ({sink['send']['sender_cpu_s']:.0f} sender CPU s, "
                f"{sink['send']['sender_peak_rss_bytes'] / 2**20:.0f} MiB)" if "sender_cpu_s" in sink.get("send", {})
                else "") + ".")
    out.append("")
    cols = [(k, n) for k, n in NAMES]
    out.append("| | " + " | ".join(n for _, n in cols) + " | Tidemark/Prometheus | Tidemark/VM |")
    out.append("|---" * (len(cols) + 3) + "|")

    def row(label, key, kind):
        vals = [res.get(k, {}).get(key) for k, _ in cols]
        t, p, v = res.get("tidemark", {}).get(key), res.get("prometheus", {}).get(key), \
            res.get("victoriametrics", {}).get(key)
        out.append(f"| {label} | " + " | ".join(_fmt(x, kind) for x in vals) +
                   f" | {_ratio(t, p)} | {_ratio(t, v)} |")

    row("ingest, samples/s", "ingest_samples_per_s", "rate")
    row("server CPU s during ingest", "ingest_cpu_s", "s")
    row("ingest, samples per server CPU second", "ingest_samples_per_cpu_s", "rate")
    row("background work after the load: s until idle", "settle_s", "s")
    row("background work after the load: server CPU s", "settle_cpu_s", "s")
    row("server CPU s during all queries", "query_cpu_s", "s")
    row("peak RSS after ingest (VmHWM), MiB", "peak_rss_ingest_bytes", "mib")
    row("peak RSS after queries (VmHWM), MiB", "peak_rss_bytes", "mib")
    row("on disk, bytes/sample", "bytes_per_sample", "bps")
    row("series visible after load", "series_visible", "int")
    row("samples stored (its own count_over_time)", "samples_stored", "int")
    row("machine load average when the target started", "loadavg_at_start", "bps")
    skipped = [f"{n}: {res[k]['skipped']}" for k, n in cols if "skipped" in res.get(k, {})]
    if skipped:
        out.append("")
        out.append("Not measured: " + "; ".join(skipped) + ".")
    rejected = [f"{n}: {res[k]['send']['samples_rejected']:,} samples rejected "
                f"({res[k]['send']['first_error'][:160]})" for k, n in cols
                if res.get(k, {}).get("send", {}).get("samples_rejected")]
    if rejected:
        out.append("")
        out.append("Rejected at ingest: " + "; ".join(rejected) + ".")
    stored = [f"{n}: {res[k]['samples_stored']:,}" for k, n in cols
              if res.get(k, {}).get("samples_stored") not in (None, run["samples"])]
    if stored:
        out.append("")
        out.append(f"Stored sample counts differing from the {run['samples']:,} generated: " + "; ".join(stored) + ".")
    for rg in ranges:
        _query_table(out, run, rg, cols)
    out.append("")
    out.append("<details><summary>Query expressions</summary>\n")
    for qd in query_set.QUERIES:
        out.append(f"- `{qd['name']}`: `{qd['expr']}`")
    out.append("\n</details>")
    out.append("")
    out.append("On disk (apparent bytes after flushing, divided by samples ingested):")
    for k, n in cols:
        r = res.get(k, {})
        if "disk_bytes" not in r:
            continue
        out.append(f"- {n}: {_disk_line(r)}.")
    out.append("")
    out.append("Known MetricsQL differences (a VM mismatch in these is VM's semantics, not a fault): " +
               "; ".join(query_set.VM_KNOWN_DIFFERENCES.values()) + ".")
    out.append("")
    return "\n".join(out)


def _query_table(out, run, rg, cols):
    res = run["results"]
    out.append("")
    out.append(f"Dashboard range queries, {rg['what']}: range {rg['end'] - rg['start']} s, step {rg['step']} s; "
               f"median / p99 ms over {run['repeats']} repeats after one untimed run; results checked against "
               f"Prometheus':")
    out.append("")
    out.append("| query | result series | " + " | ".join(n for _, n in cols) +
               " | Tidemark/Prometheus | Tidemark/VM | VM vs Prometheus | Tidemark vs Prometheus |")
    out.append("|---" * (len(cols) + 6) + "|")
    for qd in query_set.QUERIES:
        name = qd["name"]
        key = query_set.key(name, rg["name"])
        cells, med = [], {}
        for k, _ in cols:
            r = res.get(k, {}).get("queries", {}).get(key)
            if r is None:
                cells.append("n/a")
            elif "error" in r:
                cells.append("error")
            else:
                med[k] = r["median_s"]
                cells.append(f"{r['median_s'] * 1e3:.1f} / {r['p99_s'] * 1e3:.1f}")
        checks = []
        for k in ("victoriametrics", "tidemark"):
            r = res.get(k, {}).get("queries", {}).get(key)
            if r is None:
                checks.append("n/a")
            elif "error" in r:
                checks.append("error: " + r["error"][:80].replace("|", "\\|"))
            else:
                checks.append(query_set.summarize(r.get("check")))
        ref = res.get("prometheus", {}).get("queries", {}).get(key, {})
        out.append(f"| `{name}` | {ref.get('series', 'n/a')} | " + " | ".join(cells) +
                   f" | {_ratio(med.get('tidemark'), med.get('prometheus'))}"
                   f" | {_ratio(med.get('tidemark'), med.get('victoriametrics'))} | " + " | ".join(checks) + " |")


def _disk_line(r):
    notes = r.get("disk_notes", {})
    parts = notes.get("snapshot_parts") or notes.get("parts", {})
    top = ", ".join(f"{p} {b / 2**20:.1f} MiB" for p, b in sorted(parts.items(), key=lambda x: -x[1])[:3])
    if len(parts) > 3:
        top += f", … {len(parts)} entries"
    samples = max(1, r["send"]["samples_ok"])
    extra = ""
    if "with_cache_bytes" in notes:
        extra = (f"; with cache/ {notes['with_cache_bytes'] / 2**20:.1f} MiB = "
                 f"{notes['with_cache_bytes'] / samples:.2f} bytes/sample")
    if "data_dir_bytes_without_snapshot" in notes:
        extra = (f"; its live data dir (blocks if any + WAL + mmapped head chunks) was "
                 f"{notes['data_dir_bytes_without_snapshot'] / 2**20:.1f} MiB = "
                 f"{notes['data_dir_bytes_without_snapshot'] / samples:.2f} bytes/sample")
    if notes.get("flush_s") is not None:
        extra += f"; `{notes['flush_call']}` took {notes['flush_s']:.1f} s"
        if "compact_cpu_s" in notes:
            extra += f" ({notes['compact_cpu_s']:.1f} server CPU s)"
    if notes.get("compact_error") is not None:
        extra += f"; the compaction call answered {notes['compact_status']}, so it was not compacted"
    if notes.get("stop_s") is not None:
        extra += f", shutdown {notes['stop_s']:.1f} s"
    return f"{r['disk_bytes'] / 2**20:.1f} MiB — {notes.get('what', '')} ({top}){extra}"


def update_file(path, run, text):
    """Replaces (or adds) this scale's subsection inside SECTION; leaves the rest of the file alone."""
    content = "# Benchmark results\n"
    if os.path.exists(path):
        with open(path) as f:
            content = f.read()
    if SECTION not in content:
        content = content.rstrip("\n") + f"\n\n{SECTION}\n\n{INTRO}\n"
    head, rest = content.split(SECTION, 1)
    nxt = re.search(r"^## ", rest, flags=re.M)
    section, tail = (rest[:nxt.start()], rest[nxt.start():]) if nxt else (rest, "")
    subs = re.split(r"(?=^### )", section, flags=re.M)[1:]
    intro = f"\n\n{INTRO}\n"  # the section is this script's: its intro follows the code
    marker = f"<!-- e2e:{run['scale']} -->"
    subs = [s for s in subs if marker not in s]
    subs.append(text.rstrip("\n") + "\n\n")
    order = {"10k": 0, "100k": 1, "1m": 2, "long": 3}

    def rank(s):
        mm = re.search(r"<!-- e2e:(\w+) -->", s)
        return order.get(mm.group(1), 9) if mm else 9

    subs.sort(key=rank)
    with open(path, "w") as f:
        f.write(head + SECTION + intro + "".join(subs) + tail)
