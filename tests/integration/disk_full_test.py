"""Disk full: the data directory lives on a small tmpfs this test mounts, and a ballast file
fills it while remote-write senders (retrying like Prometheus) keep writing. Writes must then be
answered 503 with a reason, queries and health checks keep answering, the process stays up, the
failures are counted in /metrics, and once the ballast is deleted ingest resumes by itself. At
the end every acknowledged sample is there bit-exact (also after a restart), and nothing that
was never sent. Needs root (mount); skipped otherwise."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import promread  # noqa: E402
import retrysend  # noqa: E402
import tmtest  # noqa: E402

TMPFS_BYTES = 64 << 20
HEADROOM = 512 << 10  # left free by the ballast: the next few batches fill it


def wait_for(pred, timeout, what, failures):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    failures.append(f"timed out after {timeout}s waiting for {what}")
    return False


def metric(url, name, labels):
    status, _, body = tmtest.request("GET", url + "/metrics")
    if status != 200:
        return None
    m = re.search(re.escape(name + "{" + labels + "}") + r" (\S+)", body.decode())
    return float(m.group(1)) if m else None


def run(mnt, failures):
    data_dir = os.path.join(mnt, "data")
    tm = tmtest.Tidemark(data_dir=data_dir)
    port = tm.port
    start_ms = (int(time.time() * 1000) - 3600_000) // 1000 * 1000
    senders = [retrysend.Sender(f"s{i}", "df_value", lambda: port, 1000 + i, start_ms,
                                n_series=20, samples_per_batch=10) for i in range(3)]
    for s in senders:
        s.start()
    wait_for(lambda: sum(s.batches_acked for s in senders) >= 30, 60, "first batches", failures)
    st = os.statvfs(mnt)
    ballast = os.path.join(mnt, "ballast")
    with open(ballast, "wb") as f:
        f.write(b"\0" * max(0, st.f_bavail * st.f_frsize - HEADROOM))
    filled_at = time.time()
    print(f"ballast written; {os.statvfs(mnt).f_bavail * st.f_frsize} bytes left")
    if not wait_for(lambda: any(503 in s.statuses for s in senders), 120, "a 503 answer", failures):
        return tm, senders
    full_after = time.time() - filled_at
    reasons = {s.last_error_body for s in senders if s.last_error_body}
    if not any("no space left" in r for r in reasons):
        failures.append(f"503 without the disk-full reason: {reasons}")
    other = {k: v for s in senders for k, v in s.statuses.items() if k not in (204, 503)}
    if other:
        failures.append(f"answers other than 204/503 while the disk filled: {other}")
    # While full: the process is up, health and queries answer, the failures are counted.
    time.sleep(2)
    if tm.proc.poll() is not None:
        failures.append(f"the server exited with {tm.proc.returncode} on a full disk")
        return tm, senders
    status, _, _ = tmtest.request("GET", tm.url + "/-/healthy")
    if status != 200:
        failures.append(f"/-/healthy answered {status} on a full disk")
    status, body = tmtest.get_json(tm.url + "/api/v1/query", {"query": "count(df_value)"})
    if status != 200 or not body["data"]["result"] or body["data"]["result"][0]["value"][1] != str(sum(s.n_series for s in senders)):
        failures.append(f"query on a full disk: {status} {body}")
    no_space = metric(tm.url, "tidemark_storage_write_failures_total", 'reason="no_space"')
    if not no_space:
        failures.append(f"tidemark_storage_write_failures_total{{reason=\"no_space\"}} is {no_space}")
    acked_full = sum(s.batches_acked for s in senders)
    os.remove(ballast)
    freed_at = time.time()
    resumed = wait_for(lambda: sum(s.batches_acked for s in senders) >= acked_full + 30, 120,
                       "ingest to resume after space was freed", failures)
    print(f"first 503 {full_after:.1f}s after the ballast; ingest resumed "
          f"{time.time() - freed_at:.1f}s after it was deleted" if resumed else "")
    for s in senders:
        s.stop.set()
    for s in senders:
        s.join(timeout=120)
    print(f"no_space write failures counted: {no_space}; "
          f"answers {[s.statuses for s in senders]}")
    return tm, senders


def check(tm, senders, failures, when):
    got = promread.read_samples(tm.url, [(promread.EQ, "__name__", "df_value")], 0, 1 << 50)
    bad, acked, sent = retrysend.check_store(got, senders)
    failures += [f"{when}: {b}" for b in bad[:30]]
    print(f"{when}: {acked} samples acknowledged, {sent} sent, "
          f"{sum(len(v) for v in got.values())} stored")


def main():
    if os.geteuid() != 0:
        tmtest.skip("needs root to mount a tmpfs for the data directory")
    mnt = tmtest.tempdir("tm-diskfull-")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES}", "tmpfs", mnt],
                       capture_output=True, text=True)
    if p.returncode != 0:
        tmtest.skip(f"cannot mount a tmpfs: {p.stderr.strip()}")
    failures = []
    tm = None
    try:
        tm, senders = run(mnt, failures)
        if not failures:
            check(tm, senders, failures, "after recovery")
            code = tm.stop()
            if code != 0:
                failures.append(f"clean shutdown exited {code}")
            tm = tmtest.Tidemark(data_dir=os.path.join(mnt, "data"))
            check(tm, senders, failures, "after a restart")
    finally:
        if tm is not None and tm.proc.poll() is None:
            tm.stop()
        log = tm.log() if tm is not None else ""
        subprocess.run(["umount", mnt], check=False)
    if failures:
        print(log)
    tmtest.exit_on_failures(failures, summary=None if failures else "ok: disk full survived")


if __name__ == "__main__":
    main()
