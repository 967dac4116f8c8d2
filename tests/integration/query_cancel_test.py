"""A query whose client disconnects is cancelled by the real engine (as when Grafana drops a
superseded query), while the same query on a connection that stays open completes."""
import socket
import time
import urllib.parse

import tmtest

# About a million subquery steps: seconds of work, far longer than the server needs to see EOF.
SLOW = "count_over_time(vector(1)[12d:1s])"
QUICK = "count_over_time(vector(1)[1h:1s])"


def failed_counts(tm):
    _, _, body = tmtest.request("GET", tm.url + "/metrics")
    out = {}
    for line in body.decode().splitlines():
        if line.startswith("tidemark_queries_failed_total{"):
            labels, value = line.rsplit(" ", 1)
            out[labels] = float(value)
    return out


def send_query(tm, query, close_at_once):
    target = "/api/v1/query?" + urllib.parse.urlencode({"query": query, "time": "1700000000"})
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


def main():
    tm = tmtest.Tidemark()
    failures = []
    key = '{type="instant",reason="client_disconnected"}'
    name = "tidemark_queries_failed_total" + key

    status_line = send_query(tm, QUICK, close_at_once=False)
    if status_line != "HTTP/1.1 200 OK":
        failures.append(f"query on an open connection: {status_line}")

    send_query(tm, SLOW, close_at_once=True)
    # Wait for the server to count the cancelled query; the bound only keeps a broken build from
    # hanging (without cancellation the query runs to completion and is counted as a success).
    deadline = time.time() + 120
    counts = failed_counts(tm)
    while counts.get(name, 0) < 1 and time.time() < deadline:
        time.sleep(0.05)
        counts = failed_counts(tm)
    if counts.get(name, 0) != 1:
        failures.append(f"client_disconnected count is {counts.get(name, 0)}, want 1: {counts}")
    if "query canceled: client disconnected" not in tm.log():
        failures.append("no 499 'client disconnected' line in the server log")
    # The server is still healthy and serving queries.
    st, j = tmtest.get_json(tm.url + "/api/v1/query", {"query": "1+1"})
    if st != 200 or j["data"]["result"][1] != "2":
        failures.append(f"query after the cancellation: {st} {j}")
    tmtest.exit_on_failures(failures, tm, f"query cancel: {len(failures)} failures", "FAIL")
    assert tm.stop() == 0
    print("PASS")


if __name__ == "__main__":
    main()
