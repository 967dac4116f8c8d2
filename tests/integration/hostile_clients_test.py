"""Slow and hostile clients: slowloris (headers trickled byte by byte), 1,200 idle connections,
oversized headers and bodies, pipelined garbage. Throughout, /-/healthy keeps answering, the
process' memory and open files stay bounded, and idle connections are closed after
--web.read-timeout."""
import os
import resource
import socket
import threading
import time

import tmtest

READ_TIMEOUT_S = 3
MAX_CONNECTIONS = 512   # --web.max-connections' default, which this server runs with
IDLE_CLIENTS = 1200
RSS_GROWTH_BOUND = 256 << 20


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class HealthProbe(threading.Thread):
    """Asks /-/healthy on a new connection every 100 ms; records failures and the slowest answer."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url, self.stop = url, threading.Event()
        self.ok, self.failures, self.slowest = 0, [], 0.0

    def run(self):
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                st, _, _ = tmtest.request("GET", self.url + "/-/healthy", timeout=10)
                if st == 200:
                    self.ok += 1
                else:
                    self.failures.append(f"status {st}")
            except Exception as e:
                self.failures.append(str(e))
            self.slowest = max(self.slowest, time.monotonic() - t0)
            time.sleep(0.1)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    return s


def closed_by_server(s, within_s):
    """True when the server closes `s` (EOF or reset) within `within_s` seconds."""
    s.settimeout(within_s)
    try:
        while True:
            if not s.recv(65536):
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def status_of(raw):
    line = raw.split(b"\r\n", 1)[0].decode(errors="replace")
    parts = line.split(" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def exchange(port, data, timeout=30):
    """Sends `data` (ignoring a reset while sending) and returns what the server answered."""
    s = connect(port)
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    s.settimeout(timeout)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    return out


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 8192)
    if soft < want:  # the server inherits it
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if want < IDLE_CLIENTS + 200:
        tmtest.skip(f"needs {IDLE_CLIENTS + 200} open files, the hard limit is {hard}")
    tm = tmtest.Tidemark("--storage", "memory", f"--web.read-timeout={READ_TIMEOUT_S}s")
    pid = tm.proc.pid
    failures = []
    probe = HealthProbe(tm.url)
    probe.start()
    base_rss = rss_bytes(pid)

    # Slowloris: 300 clients trickle request headers one byte at a time; the read timeout ends
    # them however slowly the bytes keep coming.
    slow = [connect(tm.port) for _ in range(300)]
    line = b"GET /-/healthy HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000
    t0 = time.monotonic()
    sent, alive = 0, list(slow)
    while alive and time.monotonic() - t0 < READ_TIMEOUT_S + 10 and sent < len(line):
        for s in list(alive):
            try:
                s.send(line[sent:sent + 1])
            except OSError:
                alive.remove(s)
        sent += 1
        time.sleep(0.05)
    if alive:
        failures.append(f"{len(alive)} slowloris clients still open {time.monotonic() - t0:.1f}s "
                        f"after they started (read timeout {READ_TIMEOUT_S}s)")
    for s in slow:
        s.close()

    # An idle connection (sent nothing, or a complete request and then nothing) is closed after
    # the read timeout.
    idle = connect(tm.port)
    keep_alive = connect(tm.port)
    keep_alive.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
    keep_alive.settimeout(10)
    if status_of(keep_alive.recv(4096)) != 200:
        failures.append("keep-alive request not answered")
    for name, s in (("silent", idle), ("keep-alive", keep_alive)):
        if not closed_by_server(s, READ_TIMEOUT_S + 5):
            failures.append(f"the {name} idle connection was not closed after {READ_TIMEOUT_S}s")
        s.close()

    # 1,200 idle connections, more than --web.max-connections: the server keeps at most about the
    # cap open by closing the longest-waiting ones, and the health probe keeps getting in.
    crowd = []
    for _ in range(IDLE_CLIENTS):
        try:
            crowd.append(connect(tm.port))
        except OSError as e:
            failures.append(f"connecting idle client {len(crowd)}: {e}")
            break
    time.sleep(0.5)
    fds = open_fds(pid)
    if fds > MAX_CONNECTIONS + 100:
        failures.append(f"{fds} open files with {len(crowd)} idle clients (cap {MAX_CONNECTIONS})")
    st, _, _ = tmtest.request("GET", tm.url + "/-/healthy", timeout=10)
    if st != 200:
        failures.append(f"/-/healthy with {len(crowd)} idle clients: {st}")
    _, _, metrics = tmtest.request("GET", tm.url + "/metrics")
    evicted = [l for l in metrics.decode().splitlines()
               if l.startswith("tidemark_http_connections_evicted_total ")]
    if not evicted or float(evicted[0].split()[1]) < IDLE_CLIENTS - MAX_CONNECTIONS:
        failures.append(f"evictions: {evicted}")
    for s in crowd:
        s.close()

    # Oversized headers: 431. Oversized body (Content-Length over --max-body-size): 413.
    big_header = b"GET /-/healthy HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (200 << 10) + b"\r\n\r\n"
    st = status_of(exchange(tm.port, big_header))
    if st not in (431, 400):
        failures.append(f"oversized header: {st}")
    big_body = (b"POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
                b"Content-Length: 104857600\r\n\r\n" + b"x" * 65536)
    st = status_of(exchange(tm.port, big_body))
    if st != 413:
        failures.append(f"oversized body: {st}")

    # Pipelined garbage: 20 clients each send 8 MB of bytes that are no HTTP; the server answers
    # 400 or closes, and holds none of it.
    garbage = bytes((i * 7919) % 251 for i in range(1 << 20)) * 8

    def spray():
        exchange(tm.port, b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n" + garbage, timeout=15)

    sprayers = [threading.Thread(target=spray) for _ in range(20)]
    for t in sprayers:
        t.start()
    for t in sprayers:
        t.join()

    probe.stop.set()
    probe.join()
    growth = rss_bytes(pid) - base_rss
    if growth > RSS_GROWTH_BOUND:
        failures.append(f"RSS grew by {growth >> 20} MiB (bound {RSS_GROWTH_BOUND >> 20} MiB)")
    if probe.failures:
        failures.append(f"/-/healthy failed {len(probe.failures)} times: {probe.failures[:3]}")
    if probe.ok < 10:
        failures.append(f"/-/healthy answered only {probe.ok} times")
    if tm.proc.poll() is not None:
        failures.append(f"server exited: {tm.proc.returncode}")
    print(f"health: {probe.ok} ok, slowest {probe.slowest:.2f}s; RSS growth {growth >> 20} MiB")
    tmtest.exit_on_failures(failures, tm, f"hostile clients: {len(failures)} failures", "FAIL")
    assert tm.stop() == 0
    print("PASS")


if __name__ == "__main__":
    main()
