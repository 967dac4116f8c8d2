"""Hostile PromQL against a server holding high-cardinality data: huge subqueries, count_values
over unique values, regex blow-ups and deep nesting are each answered (a result or a clean error,
--query.max-bytes named when it bites), while the process' resident memory stays under a stated
bound and concurrent remote writes keep being acknowledged promptly."""
import threading
import time
import urllib.parse

import promwrite
import tmtest

SERIES = 5000           # high-cardinality metric `hc`: one series per id
POINTS = 30             # samples per series, 2 minutes apart over the last hour
MAX_BYTES = 16 << 20    # --query.max-bytes for this server
# Stated bounds (correctness checks, not benchmarks): the data set is a few MB, so a server
# whose queries honour their limits stays far below this; one that materialises what these
# queries ask for goes past it.
RSS_BOUND = 512 << 20
ACK_BOUND_S = 5.0       # a remote-write acknowledgement while queries run


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class RssWatch(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                self.peak = max(self.peak, rss_bytes(self.pid))
            except OSError:
                return
            time.sleep(0.02)


class Writer(threading.Thread):
    """Remote-writes one small batch every 100 ms and records how long each ack took."""

    def __init__(self, url, now_ms):
        super().__init__(daemon=True)
        self.url, self.t, self.stop = url, now_ms, threading.Event()
        self.latencies, self.bad = [], []

    def run(self):
        while not self.stop.is_set():
            self.t += 1000
            series = [({"__name__": "writer_probe", "i": str(i)}, [(self.t, float(i))]) for i in range(100)]
            start = time.monotonic()
            status = promwrite.remote_write(self.url + "/api/v1/write", series, timeout=60)
            self.latencies.append(time.monotonic() - start)
            if status != 204:
                self.bad.append(status)
            time.sleep(0.1)


def post_query(tm, path, params, timeout=120):
    body = urllib.parse.urlencode(params).encode()
    status, _, out = tmtest.request("POST", tm.url + path, body,
                                    {"Content-Type": "application/x-www-form-urlencoded"}, timeout)
    return status, out.decode(errors="replace")


def main():
    tm = tmtest.Tidemark("--storage", "memory", f"--query.max-bytes={MAX_BYTES}",
                         "--query.timeout=20s")
    failures = []
    now_ms = int(time.time() * 1000) // 60000 * 60000
    start_ms = now_ms - 3600_000
    for lo in range(0, SERIES, 1000):
        series = [({"__name__": "hc", "id": str(i)},
                   [(start_ms + k * 120_000, float(i * 1000 + k)) for k in range(POINTS)])
                  for i in range(lo, lo + 1000)]
        st = promwrite.remote_write(tm.url + "/api/v1/write", series)
        if st != 204:
            failures.append(f"loading hc[{lo}:]: {st}")
    watch = RssWatch(tm.proc.pid)
    watch.start()
    writer = Writer(tm.url, now_ms)
    writer.start()
    end_s, begin_s = now_ms / 1000, start_ms / 1000

    # Every query: (name, path, params, check(status, body) -> error text or None).
    def status_in(*ok):
        return lambda st, body: None if st in ok else f"status {st}: {body[:300]}"

    def names_byte_limit(st, body):
        if st != 422 or "--query.max-bytes" not in body:
            return f"want 422 naming --query.max-bytes, got {st}: {body[:300]}"
        return None

    alternation = "|".join(f"value_{i:06d}" for i in range(50_000))
    deep = 100_000
    queries = [
        # One output series per distinct value at each step: the label sets alone pass the limit.
        ("count_values over unique values", "/api/v1/query_range",
         {"query": 'count_values("v", hc)', "start": begin_s, "end": end_s, "step": 60},
         names_byte_limit),
        ("huge subquery over every series", "/api/v1/query",
         {"query": "max_over_time(hc[1h:1s])", "time": end_s}, status_in(422)),
        ("huge subquery of a constant", "/api/v1/query",
         {"query": "count_over_time(vector(1)[30d:1s])", "time": end_s}, status_in(200, 422, 503)),
        ("nested subqueries", "/api/v1/query",
         {"query": "max_over_time(max_over_time(hc[10m:1s])[1h:1s])", "time": end_s},
         status_in(200, 422, 503)),
        ("huge regex alternation", "/api/v1/query",
         {"query": f'hc{{id=~"{alternation}"}}', "time": end_s}, status_in(200, 400, 422)),
        ("nested stars", "/api/v1/query",
         {"query": 'count(hc{id=~"(.*)*(.*)*(.*)*(.*)*x"})', "time": end_s}, status_in(200)),
        ("100k nested parentheses", "/api/v1/query",
         {"query": "(" * deep + "1" + ")" * deep, "time": end_s}, status_in(400)),
        ("100k nested unary minus", "/api/v1/query",
         {"query": "-" * deep + "1", "time": end_s}, status_in(400)),
        ("100k nested sum()", "/api/v1/query",
         {"query": "sum(" * deep + "hc" + ")" * deep, "time": end_s}, status_in(400)),
        ("100k nested function calls", "/api/v1/query",
         {"query": "abs(" * deep + "hc" + ")" * deep, "time": end_s}, status_in(400)),
        ("100k-long binary chain", "/api/v1/query",
         {"query": "1+" * deep + "1", "time": end_s}, status_in(400)),
        ("100k nested subqueries", "/api/v1/query",
         {"query": "(" * deep + "hc" + ")[5m:1m]" * deep, "time": end_s}, status_in(400)),
    ]
    for name, path, params, check in queries:
        t0 = time.monotonic()
        try:
            st, body = post_query(tm, path, params)
        except Exception as e:  # connection dropped: the server died or hung up
            failures.append(f"{name}: {e}")
            break
        err = check(st, body)
        if err:
            failures.append(f"{name}: {err}")
        print(f"{name}: {st} in {time.monotonic() - t0:.2f}s, peak RSS {watch.peak >> 20} MiB")
        if tm.proc.poll() is not None:
            failures.append(f"server exited ({tm.proc.returncode}) after {name}")
            break
    writer.stop.set()
    writer.join()
    watch.stop.set()
    watch.join()

    if watch.peak > RSS_BOUND:
        failures.append(f"peak RSS {watch.peak >> 20} MiB over the bound of {RSS_BOUND >> 20} MiB")
    if writer.bad:
        failures.append(f"remote writes failed during the queries: {writer.bad[:5]}")
    worst = max(writer.latencies) if writer.latencies else float("inf")
    if worst > ACK_BOUND_S:
        failures.append(f"a remote-write ack took {worst:.2f}s (bound {ACK_BOUND_S}s)")
    st, j = tmtest.get_json(tm.url + "/api/v1/query", {"query": "count(hc)"})
    if st != 200 or j["data"]["result"][0]["value"][1] != str(SERIES):
        failures.append(f"count(hc) afterwards: {st} {j}")
    print(f"peak RSS {watch.peak >> 20} MiB, {len(writer.latencies)} writes, slowest ack {worst:.3f}s")
    tmtest.exit_on_failures(failures, tm, f"adversarial queries: {len(failures)} failures", "FAIL")
    assert tm.stop() == 0
    print("PASS")


if __name__ == "__main__":
    main()
