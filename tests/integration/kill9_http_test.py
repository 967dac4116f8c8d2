"""kill -9 over HTTP: several remote-write senders with Prometheus-like retries write while the
server is SIGKILLed at random moments and restarted on the same data directory, round after
round. Afterwards every acknowledged sample must be stored bit-exact, and every stored sample must
be one that was sent with exactly those bits (an unacknowledged batch may or may not be there).

TM_KILL9_SEED repeats a run; TM_KILL9_ROUNDS changes the number of rounds (default 24)."""
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import promread  # noqa: E402
import retrysend  # noqa: E402
import tmtest  # noqa: E402

SENDERS = 4


def start_server(data_dir, port):
    otlp = tmtest.free_port()
    p = tmtest.start([tmtest.TIDEMARK_BIN, "serve", "--data-dir", data_dir,
                      "--listen", f"127.0.0.1:{port}", "--otlp-listen", f"127.0.0.1:{otlp}"],
                     "tidemark")
    tmtest.wait_http(f"http://127.0.0.1:{port}/-/ready", timeout=60, proc=p)
    return p


def main():
    seed = int(os.environ.get("TM_KILL9_SEED", random.randrange(1 << 32)))
    rounds = int(os.environ.get("TM_KILL9_ROUNDS", "24"))
    print(f"seed {seed} (TM_KILL9_SEED={seed} repeats this run), {rounds} rounds")
    rng = random.Random(seed)
    data_dir = tmtest.tempdir("tm-kill9-")
    port = tmtest.free_port()
    start_ms = (int(time.time() * 1000) - 3600_000) // 1000 * 1000
    senders = [retrysend.Sender(f"s{i}", "k9_value", lambda: port, rng.randrange(1 << 32), start_ms)
               for i in range(SENDERS)]
    began = time.time()
    proc = start_server(data_dir, port)
    for s in senders:
        s.start()
    failures = []
    kills = 0
    for rnd in range(rounds):
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        kills += 1
        if proc.returncode != -signal.SIGKILL:
            failures.append(f"round {rnd}: server exited with {proc.returncode} before the kill")
        # Senders keep retrying against the closed port meanwhile, as Prometheus would.
        time.sleep(rng.uniform(0, 0.2))
        try:
            proc = start_server(data_dir, port)
        except RuntimeError as e:
            tmtest.exit_on_failures([f"round {rnd}: restart failed: {e}"])
    # The server is up: let every sender finish the batch it has on the wire, then stop.
    time.sleep(0.3)
    for s in senders:
        s.stop.set()
    for s in senders:
        s.join(timeout=120)
        if s.is_alive():
            failures.append(f"sender {s.name_} did not finish its last batch")
    # One more crash after the last acknowledgement, so what is checked is what recovery made.
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc = start_server(data_dir, port)
    got = promread.read_samples(f"http://127.0.0.1:{port}", [(promread.EQ, "__name__", "k9_value")],
                                start_ms - 1, start_ms + 10 ** 9)
    bad, acked, sent = retrysend.check_store(got, senders)
    failures += bad[:50]
    for s in senders:
        failures += [f"{s.name_}: non-retryable answer {u}" for u in s.unexpected[:5]]
    stored = sum(len(v) for v in got.values())
    statuses = {}
    for s in senders:
        for k, v in s.statuses.items():
            statuses[str(k)] = statuses.get(str(k), 0) + v
    print(f"{kills + 1} SIGKILLs in {time.time() - began:.1f}s; {SENDERS} senders, "
          f"{sum(s.batches_acked for s in senders)} batches acknowledged "
          f"({sum(s.attempts for s in senders)} attempts, {sum(s.retries for s in senders)} retries); "
          f"samples: {acked} acknowledged, {sent} sent, {stored} stored; answers {statuses}")
    if acked == 0 or kills < rounds:
        failures.append("the test did not exercise anything (no acknowledged sample)")
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        failures.append("server did not stop on SIGTERM")
    tmtest.exit_on_failures(failures, summary=None if failures else "ok: nothing acknowledged was lost")


if __name__ == "__main__":
    main()
