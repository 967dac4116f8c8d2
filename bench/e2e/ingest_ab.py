#!/usr/bin/env python3
"""Remote-write ingest of two Tidemark binaries (e.g. before and after a change), alternated.

Each run starts one binary on an empty data directory, sends a batch file made by `tm_e2e_load
gen` (as run.py's ingest phase does: 8 senders, every request acknowledged once durable) and
prints wall seconds, samples/s and the server's CPU seconds over the send. With --perf-dir, the
last round records `perf record -g` of each server into that directory.

    build/bench/e2e/tm_e2e_load gen --series 1000000 --duration-s 60 --start-ms $(( ($(date +%s) - 1200) * 1000 )) --out /tmp/d.batches
    python3 bench/e2e/ingest_ab.py --file /tmp/d.batches --a OLD_BIN --b NEW_BIN --rounds 2
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchproc import cpu_seconds, free_port, measuring  # noqa: E402


def wait_ready(port, proc):
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=2):
                return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError("server not ready")


def one_run(binary, load_bin, batch_file, workdir, perf_out=None):
    data = os.path.join(workdir, "data")
    shutil.rmtree(data, ignore_errors=True)
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--data-dir", data, "--listen", f"127.0.0.1:{port}",
                             "--otlp-listen", "none", "--retention-time=30d"],
                            stdout=open(os.path.join(workdir, "server.log"), "w"), stderr=subprocess.STDOUT)
    perf = None
    try:
        wait_ready(port, proc)
        if perf_out:
            perf = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-p", str(proc.pid), "-o", perf_out],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
        c0 = cpu_seconds(proc.pid)
        out = subprocess.run([load_bin, "send", "--file", batch_file, "--url",
                              f"http://127.0.0.1:{port}/api/v1/write"], check=True, capture_output=True, text=True)
        c1 = cpu_seconds(proc.pid)
        res = json.loads(out.stdout)
        res["server_cpu_s"] = c1 - c0
        return res
    finally:
        if perf:
            perf.send_signal(2)
            perf.wait(timeout=120)
        proc.terminate()
        proc.wait(timeout=300)
        shutil.rmtree(data, ignore_errors=True)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", required=True, help="batch file from tm_e2e_load gen")
    ap.add_argument("--a", required=True, help="binary A (e.g. before)")
    ap.add_argument("--b", required=True, help="binary B (e.g. after)")
    ap.add_argument("--load-bin", default=os.path.join(here, "../../build/bench/e2e/tm_e2e_load"))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--perf-dir", help="record perf profiles of the last round here")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="tm-ingest-ab-")
    runs = {"A": [], "B": []}
    try:
        for rnd in range(args.rounds):
            for v, binary in (("A", args.a), ("B", args.b)):
                perf_out = (os.path.join(args.perf_dir, f"perf-{v}.data")
                            if args.perf_dir and rnd == args.rounds - 1 else None)
                with measuring():
                    r = one_run(binary, args.load_bin, args.file, workdir, perf_out)
                runs[v].append(r)
                print(f"{v} round {rnd}: {r['samples_ok']} samples in {r['seconds']:.1f} s = "
                      f"{r['samples_per_s']:,.0f}/s, server CPU {r['server_cpu_s']:.1f} s "
                      f"({r['samples_ok'] / max(r['server_cpu_s'], 1e-9):,.0f} samples per CPU s), "
                      f"rejected {r['samples_rejected']}, load {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for v, rs in runs.items():
        print(f"{v} median: {statistics.median(r['samples_per_s'] for r in rs):,.0f} samples/s, "
              f"server CPU {statistics.median(r['server_cpu_s'] for r in rs):.1f} s")


if __name__ == "__main__":
    main()
