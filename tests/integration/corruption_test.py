"""Damaged data directories: each kind of file (CURRENT, MANIFEST, table files, the write-ahead
log that holds the head log) is truncated or corrupted in a copy of a real data directory. The
server must refuse to start with an error naming the file and the repair command, exiting with
a status (never a signal); damage inside a table's data blocks, which start-up does not read, is
found by `tidemark storage verify`. After `tidemark storage repair` the server starts again and
serves the data the damage did not touch, bit-exact."""
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import promread  # noqa: E402
import retrysend  # noqa: E402
import tmtest  # noqa: E402


def ingest(data_dir, metric, start_ms, stop_sig):
    """Writes 10 series x 600 samples of `metric`, then stops the server with `stop_sig`."""
    tm = tmtest.Tidemark(data_dir=data_dir)
    s = retrysend.Sender("w", metric, lambda: tm.port, sum(metric.encode()), start_ms,
                         n_series=10, samples_per_batch=30, max_batches=20)
    s.start()
    s.join(timeout=120)
    assert not s.unexpected and s.batches_acked == 20, (s.statuses, s.unexpected)
    tm.stop(stop_sig)
    return s


def files(d, suffix):
    return {f for f in os.listdir(d) if f.endswith(suffix)}


def truncate(path, frac=0.5):
    os.truncate(path, int(os.path.getsize(path) * frac))


def flip(path, frac, n=16):
    with open(path, "r+b") as f:
        off = int(os.path.getsize(path) * frac)
        f.seek(off)
        b = f.read(n)
        f.seek(off)
        f.write(bytes(x ^ 0xFF for x in b))


def serve_once(d, timeout=20):
    """Starts the server on `d`; (exit code, output) when it exits by itself, (None, output) when
    it came up (it is then stopped)."""
    port = tmtest.free_port()
    p = subprocess.Popen([tmtest.TIDEMARK_BIN, "serve", "--data-dir", d, "--listen",
                          f"127.0.0.1:{port}", "--otlp-listen", "none"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + timeout
    while time.time() < deadline and p.poll() is None:
        try:
            status, _, _ = tmtest.request("GET", f"http://127.0.0.1:{port}/-/ready", timeout=1)
            if status == 200:
                p.send_signal(signal.SIGTERM)
                return None, p.communicate(timeout=30)[0]
        except OSError:
            pass
        time.sleep(0.1)
    if p.poll() is None:
        p.kill()
    return p.wait(), p.communicate()[0]


def tool(*args):
    r = subprocess.run([tmtest.TIDEMARK_BIN, "storage", *args], capture_output=True, text=True,
                       timeout=120)
    return r.returncode, r.stdout + r.stderr


def served(d, metric):
    tm = tmtest.Tidemark(data_dir=d)
    try:
        return promread.read_samples(tm.url, [(promread.EQ, "__name__", metric)], 0, 1 << 50)
    finally:
        tm.stop()


def main():
    base = tmtest.tempdir("tm-corrupt-base-")
    start_ms = (int(time.time() * 1000) - 6 * 3600_000) // 1000 * 1000
    # Three generations: A and B end in a clean shutdown (their data in table files), C in a
    # kill -9 (its data only in the write-ahead log).
    a = ingest(base, "a_value", start_ms, signal.SIGTERM)
    tables_a = files(base, ".sst")
    ingest(base, "b_value", start_ms, signal.SIGTERM)
    tables_b = files(base, ".sst") - tables_a
    ingest(base, "c_value", start_ms, signal.SIGKILL)
    manifest = next(f for f in os.listdir(base) if f.startswith("MANIFEST-"))
    wal = max(files(base, ".log"), key=lambda f: os.path.getsize(os.path.join(base, f)))
    newest_table = max(tables_b, key=lambda f: os.path.getsize(os.path.join(base, f)))
    print(f"base: {sorted(os.listdir(base))}; damaging {manifest}, {wal}, {newest_table}")

    # (name, file, damage, refused at start-up: True, False, or None when either is right: a data
    # block is read at start-up only if it holds what start-up reads)
    cases = [
        ("CURRENT truncated", "CURRENT", lambda p: truncate(p, 0.3), True),
        ("MANIFEST truncated", manifest, truncate, True),
        ("MANIFEST corrupted", manifest, lambda p: flip(p, 0.4), True),
        ("table file truncated", newest_table, truncate, True),
        ("table footer corrupted", newest_table, lambda p: flip(p, 0.999, 8), True),
        ("table data block corrupted", newest_table, lambda p: flip(p, 0.3), None),
        ("later table data block corrupted", newest_table, lambda p: flip(p, 0.7), None),
        ("write-ahead log corrupted", wal, lambda p: flip(p, 0.3), True),
    ]
    failures = []
    for name, fname, damage, refused in cases:
        d = tmtest.tempdir("tm-corrupt-")
        shutil.rmtree(d)
        shutil.copytree(base, d)
        path = os.path.join(d, fname)
        damage(path)
        code, out = serve_once(d)
        if refused is None:
            refused = code is not None
        if refused:
            if code is None:
                failures.append(f"{name}: the server started on a damaged {fname}")
                continue
            if code < 0:
                failures.append(f"{name}: the server died of signal {-code}:\n{out[-1500:]}")
                continue
            if code == 0 or path not in out or "tidemark storage repair" not in out:
                failures.append(f"{name}: exit {code}, the error does not name {path} and the "
                                f"repair command:\n{out[-1500:]}")
                continue
        else:
            if code is not None:
                failures.append(f"{name}: start-up failed ({code}):\n{out[-1500:]}")
            vcode, vout = tool("verify", "--data-dir", d)
            if vcode != 1 or path not in vout:
                failures.append(f"{name}: storage verify exited {vcode} without naming {path}:\n{vout}")
                continue
        rcode, rout = tool("repair", "--data-dir", d)
        if rcode != 0:
            failures.append(f"{name}: repair exited {rcode}:\n{rout}")
            continue
        vcode, vout = tool("verify", "--data-dir", d)
        if vcode != 0:
            failures.append(f"{name}: verify after repair exited {vcode}:\n{vout}")
        # Generation A's data was in files nobody damaged: it must be served exactly.
        bad, acked, _ = retrysend.check_store(served(d, "a_value"), [a])
        failures += [f"{name}: after repair: {b}" for b in bad[:10]]
        print(f"ok: {name}: {'refused at start-up' if refused else 'found by verify'}, "
              f"repaired, {acked} untouched samples served")
    tmtest.exit_on_failures(failures, summary=None if failures else "ok: every damage reported")


if __name__ == "__main__":
    main()
