#!/usr/bin/env python3
"""Remote-write forwarding benchmark (not a test): Tidemark's sender against Prometheus 2.42's,
both forwarding the same data to the same receiver (Debian's VictoriaMetrics) on 127.0.0.1.

Each sender is loaded with the same batches (tm_e2e_load, bench/e2e) while the receiver is down,
so the whole load waits as backlog; then the receiver starts and the sender drains. The drain is
pure forwarding, so:
  forward throughput = samples forwarded / drain wall time
  extra CPU per forwarded sample = sender CPU seconds during the drain / samples forwarded
Both senders run queue_config min_shards = max_shards = --shards (fixed, so neither reshards in
the middle) and max_backoff 500ms. Prints one JSON object; bench/RESULTS.md records runs.

  python3 bench/remote_write_out/run.py [--series 100000] [--duration-s 300] [--shards 4]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchproc import cpu_seconds, free_port, measuring  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))






def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def wait_ready(url, proc, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {proc.returncode}")
        try:
            get(url, 2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} not ready")


def sent_total(metrics_url):
    """Sum of prometheus_remote_storage_samples_total over every queue (same name on both)."""
    total = 0.0
    for line in get(metrics_url).splitlines():
        m = re.match(r"prometheus_remote_storage_samples_total(\{[^}]*\})? (\S+)", line)
        if m:
            total += float(m.group(2))
    return total


def remote_write_yaml(receiver_url, shards, tidemark):
    extra = "    max_backlog_age: 24h\n" if tidemark else ""
    return f"""remote_write:
  - url: {receiver_url}
    name: bench
    queue_config:
      min_shards: {shards}
      max_shards: {shards}
      max_backoff: 500ms
{extra}"""


def start(cmd, log_path, cwd=None):
    return subprocess.Popen(cmd, stdout=open(log_path, "w"), stderr=subprocess.STDOUT, cwd=cwd)


def bench_sender(name, args, work, batch_file, samples):
    d = os.path.join(work, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    port, vm_port = free_port(), free_port()
    receiver = f"http://127.0.0.1:{vm_port}/api/v1/write"
    cfg = os.path.join(d, "config.yml")
    with open(cfg, "w") as f:
        f.write(remote_write_yaml(receiver, args.shards, name == "tidemark"))
    if name == "tidemark":
        cmd = [args.tidemark_bin, "serve", "--config.file", cfg, "--data-dir", os.path.join(d, "data"),
               "--listen", f"127.0.0.1:{port}", "--otlp-listen", "none"]
        ready = f"http://127.0.0.1:{port}/-/ready"
    else:
        cmd = [args.prometheus_bin, f"--config.file={cfg}", f"--storage.tsdb.path={d}/data",
               f"--web.listen-address=127.0.0.1:{port}", "--web.enable-remote-write-receiver"]
        ready = f"http://127.0.0.1:{port}/-/ready"
    proc = start(cmd, os.path.join(d, f"{name}.log"))
    vm = None
    try:
        wait_ready(ready, proc)
        # Load while the receiver is down: everything becomes backlog.
        load = subprocess.run([args.load_bin, "send", "--file", batch_file,
                               "--url", f"http://127.0.0.1:{port}/api/v1/write"],
                              capture_output=True, text=True, timeout=3600)
        if load.returncode != 0:
            raise RuntimeError(f"load failed: {load.stderr[-500:]}")
        time.sleep(3)
        metrics = f"http://127.0.0.1:{port}/metrics"
        before = sent_total(metrics)
        vm_dir = os.path.join(d, "vm")
        with measuring():
            cpu0, t0 = cpu_seconds(proc.pid), time.time()
            vm = start([args.vm_bin, f"-storageDataPath={vm_dir}", f"-httpListenAddr=127.0.0.1:{vm_port}",
                        "-retentionPeriod=100y"], os.path.join(d, "vm.log"))
            deadline = t0 + args.timeout
            sent = before
            while sent - before < samples and time.time() < deadline:
                time.sleep(0.25)
                sent = sent_total(metrics)
            t1, cpu1 = time.time(), cpu_seconds(proc.pid)
        forwarded = sent - before
        return {"sender": name, "samples_forwarded": forwarded, "samples_expected": samples,
                "drain_s": round(t1 - t0, 2), "samples_per_s": round(forwarded / (t1 - t0)),
                "sender_cpu_s": round(cpu1 - cpu0, 2),
                "cpu_us_per_sample": round((cpu1 - cpu0) / max(forwarded, 1) * 1e6, 3)}
    finally:
        for p in (proc, vm):
            if p is not None and p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    p.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--series", type=int, default=100_000)
    ap.add_argument("--duration-s", type=int, default=300)
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--prometheus-bin", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    ap.add_argument("--vm-bin", default=shutil.which("victoria-metrics") or "/usr/bin/victoria-metrics")
    ap.add_argument("--work-dir", default="/tmp/tm-rw-out-bench")
    ap.add_argument("--timeout", type=int, default=420, help="seconds one drain may take")
    ap.add_argument("--senders", default="tidemark,prometheus")
    ap.add_argument("--load-bin", help="tm_e2e_load (default: <build-dir>/bench/e2e/tm_e2e_load)")
    args = ap.parse_args()
    args.tidemark_bin = os.path.join(args.build_dir, "app", "tidemark")
    args.load_bin = args.load_bin or os.path.join(args.build_dir, "bench", "e2e", "tm_e2e_load")
    os.makedirs(args.work_dir, exist_ok=True)
    # Prometheus' remote-write watcher skips samples older than its own start, so the data is
    # stamped after every sender of this run has started (slightly in the future).
    start_ms = (int(time.time() * 1000) // 60_000 + 15) * 60_000
    batch_file = os.path.join(args.work_dir, "data.batches")
    gen = subprocess.run([args.load_bin, "gen", "--series", str(args.series), "--duration-s",
                          str(args.duration_s), "--start-ms", str(start_ms),
                          "--out", batch_file], capture_output=True, text=True, timeout=3600)
    if gen.returncode != 0:
        sys.exit(f"gen failed: {gen.stderr}")
    info = json.loads(gen.stdout)
    samples = info["samples"]
    results = {"series": info.get("series"), "samples": samples, "shards": args.shards, "runs": []}
    for name in args.senders.split(","):
        r = bench_sender(name, args, args.work_dir, batch_file, samples)
        print(json.dumps(r), file=sys.stderr)
        results["runs"].append(r)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
