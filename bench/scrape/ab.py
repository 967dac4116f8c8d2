#!/usr/bin/env python3
"""Two Tidemark binaries scraping the same fake exporter, one after the other (e.g. before and
after a change), alternated ROUNDS times so that whatever else the machine does hits both alike.

Each run starts on an empty data directory, so with --warmup shorter than the time the first
scrapes take the measured window is the creation of new series (the figure issue 15 asked
about); with a long warm-up it is the steady state. Prints one line per run and the medians.

    python3 bench/scrape/ab.py --a OLD_BIN --b NEW_BIN --targets 1000 --series 1000 --warmup 20 --measure 45
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchproc import free_port, measuring  # noqa: E402
from run import run_server, start_exporter  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", required=True, help="binary A (e.g. before)")
    ap.add_argument("--b", required=True, help="binary B (e.g. after)")
    ap.add_argument("--targets", type=int, default=1000)
    ap.add_argument("--series", type=int, default=1000)
    ap.add_argument("--interval", type=int, default=10, help="seconds")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--measure", type=int, default=45)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="tm-scrape-ab-")
    exporter, cfg = start_exporter(workdir, args.targets, args.series, args.interval)
    runs = {"A": [], "B": []}
    try:
        time.sleep(1)
        for rnd in range(args.rounds):
            for v, binary in (("A", args.a), ("B", args.b)):
                data = os.path.join(workdir, f"{v}{rnd}")
                p = free_port()
                with measuring():
                    r = run_server(f"tidemark-{v}{rnd}",
                                   [binary, "serve", "--config.file", cfg, "--storage.tsdb.path", data,
                                    "--web.listen-address", f"127.0.0.1:{p}", "--otlp-listen", "none"],
                                   f"http://127.0.0.1:{p}", args.warmup, args.measure, workdir)
                subprocess.run(["rm", "-rf", data], check=False)
                r["us_per_sample"] = r["cpu_s"] / r["samples"] * 1e6 if r["samples"] else float("nan")
                runs[v].append(r)
                print(f"{v} round {rnd}: scrapes {r['scrapes']:.0f}, samples {r['samples']:.0f}, "
                      f"CPU {r['cpu_s']:.1f} s, {r['us_per_sample']:.2f} µs/sample, "
                      f"healthy {r['healthy_targets']:.0f}, RSS {r['rss_mib']:.0f} MiB, load {r['load']:.1f}",
                      flush=True)
    finally:
        exporter.send_signal(signal.SIGTERM)
        exporter.wait(timeout=10)
    for v in runs:
        rs = runs[v]
        print(f"{v} median: scrapes {statistics.median(r['scrapes'] for r in rs):.0f}, "
              f"CPU {statistics.median(r['cpu_s'] for r in rs):.1f} s, "
              f"{statistics.median(r['us_per_sample'] for r in rs):.2f} µs/sample")


if __name__ == "__main__":
    main()
