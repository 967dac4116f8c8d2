"""A request whose client disconnects is cancelled by the real server (as when Grafana drops a
superseded query): instant and range queries in the engine, a query waiting in the query queue
before it starts, and /api/v1/series while it reads the index; the same requests on a connection
that stays open complete."""
import socket
import time
import urllib.parse

import promwrite
import tmtest

# About a million subquery steps: seconds of work, far longer than the server needs to see EOF.
# time() keeps the inner expression from being step-invariant, which would be evaluated once.
SLOW = "count_over_time(vector(time())[12d:1s])"
QUICK = "count_over_time(vector(time())[1h:1s])"
T = 1700000000
SERIES = 200_000  # for /api/v1/series: long enough to read that EOF arrives meanwhile


def metric_values(tm, prefix):
    _, _, body = tmtest.request("GET", tm.url + "/metrics")
    out = {}
    for line in body.decode().splitlines():
        if line.startswith(prefix):
            labels, value = line.rsplit(" ", 1)
            out[labels[len(prefix):]] = float(value)
    return out


def send(tm, target, close_at_once):
    s = socket.create_connection(("127.0.0.1", tm.port))
    s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    if close_at_once:
        s.close()  # the request is already sent; the server reads it, then sees EOF
        return None
    s.settimeout(120)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    return data.split(b"\r\n", 1)[0].decode()


def hold_open(tm, target):
    """Sends `target` and returns the open socket (the answer is read by finish())."""
    s = socket.create_connection(("127.0.0.1", tm.port))
    s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    return s


def finish(s):
    s.settimeout(120)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    return data.split(b"\r\n", 1)[0].decode()


def wait_count(tm, prefix, key, want):
    # The bound only keeps a broken build from hanging (without cancellation the request runs to
    # completion and is counted as a success).
    deadline = time.time() + 120
    counts = metric_values(tm, prefix)
    while counts.get(key, 0) < want and time.time() < deadline:
        time.sleep(0.05)
        counts = metric_values(tm, prefix)
    return counts.get(key, 0)


def qs(**params):
    return urllib.parse.urlencode(params)


def main():
    tm = tmtest.Tidemark("--query.max-concurrency=1", "--query.max-queue-length=4")
    failures = []
    failed = "tidemark_queries_failed_total"

    cases = [("instant", "/api/v1/query?" + qs(query=SLOW, time=T),
              "/api/v1/query?" + qs(query=QUICK, time=T)),
             ("range", "/api/v1/query_range?" + qs(query=SLOW, start=T, end=T + 60, step=60),
              "/api/v1/query_range?" + qs(query=QUICK, start=T, end=T + 60, step=60))]
    for kind, slow, quick in cases:
        status_line = send(tm, quick, close_at_once=False)
        if status_line != "HTTP/1.1 200 OK":
            failures.append(f"{kind} query on an open connection: {status_line}")
        send(tm, slow, close_at_once=True)
        key = f'{{type="{kind}",reason="client_disconnected"}}'
        if wait_count(tm, failed, key, 1) != 1:
            failures.append(f"{kind}: client_disconnected count is not 1: {metric_values(tm, failed)}")

    # With one query running (max-concurrency 1), a second waits in the queue; its client leaves
    # before it starts, and it is dropped there. The running one is answered.
    # The running query is as slow as SLOW, so it is still running when the second one arrives;
    # the gauge (running + waiting) says when it has started, so no sleep decides the order.
    running = hold_open(tm, "/api/v1/query?" + qs(query=SLOW.replace("12d", "11d"), time=T))
    if wait_count(tm, "prometheus_engine_queries", "", 1) != 1:
        failures.append("the first query did not start")
    send(tm, "/api/v1/query?" + qs(query=SLOW, time=T), close_at_once=True)
    key = '{type="instant",reason="client_disconnected"}'
    if wait_count(tm, failed, key, 2) != 2:
        failures.append(f"queued query not cancelled: {metric_values(tm, failed)}")
    if finish(running) != "HTTP/1.1 200 OK":
        failures.append("the running query was not answered")
    if "query was canceled in query queue: client disconnected" not in tm.log():
        failures.append("no 499 'canceled in query queue' line in the server log")

    # /api/v1/series over many series stops when its client leaves.
    for lo in range(0, SERIES, 20_000):
        batch = [({"__name__": "many", "i": str(i)}, [(T * 1000, 1.0)]) for i in range(lo, lo + 20_000)]
        if promwrite.remote_write(tm.url + "/api/v1/write", batch) != 204:
            failures.append(f"loading series {lo}")
    series = "/api/v1/series?" + qs(**{"match[]": "many", "start": T - 60, "end": T + 60})
    http = "tidemark_http_requests_total"
    send(tm, series, close_at_once=True)
    if wait_count(tm, http, '{handler="series",code="499"}', 1) != 1:
        failures.append(f"series: no 499 counted: {metric_values(tm, http)}")
    if send(tm, series, close_at_once=False) != "HTTP/1.1 200 OK":
        failures.append("series on an open connection")

    # The server is still healthy and serving queries.
    st, j = tmtest.get_json(tm.url + "/api/v1/query", {"query": "1+1"})
    if st != 200 or j["data"]["result"][1] != "2":
        failures.append(f"query after the cancellation: {st} {j}")
    tmtest.exit_on_failures(failures, tm, f"query cancel: {len(failures)} failures", "FAIL")
    assert tm.stop() == 0
    print("PASS")


if __name__ == "__main__":
    main()
