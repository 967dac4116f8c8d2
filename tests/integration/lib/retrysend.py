"""Remote-write senders that behave like Prometheus' queue manager for the fault tests: each
thread owns its series, sends batches of fresh samples, and re-sends the same batch after a
connection error or a 5xx with exponential backoff until it is acknowledged (2xx). It records
what was acknowledged and everything it ever sent, so a test can check the store against both."""
import http.client
import random
import struct
import threading
import time

from promwrite import encode_write_request, snappy_literal_block


def random_float(rng):
    """A finite double from random bits, or a plain-looking one: bit-exactness is tested on both."""
    if rng.random() < 0.5:
        return round(rng.uniform(-1e6, 1e6), rng.randint(0, 6))
    while True:
        v = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if v == v and v not in (float("inf"), float("-inf")):
            return v


def bits(v):
    return struct.unpack("<Q", struct.pack("<d", v))[0]


def post(port, body, timeout=10):
    """(status, body text); raises OSError/http.client errors when the connection fails."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/api/v1/write", body, {
            "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
            "X-Prometheus-Remote-Write-Version": "0.1.0"})
        r = conn.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        conn.close()


class Sender(threading.Thread):
    """Sends batches for series {__name__=metric, sender=name, s=0..n_series-1} to the port
    `port_fn()` returns, one sample per series per step, `samples_per_batch` steps a batch."""

    def __init__(self, name, metric, port_fn, seed, start_ms, n_series=4, samples_per_batch=3,
                 step_ms=1000, max_batches=None):
        super().__init__(daemon=True)
        self.name_ = name
        self.metric = metric
        self.port_fn = port_fn
        self.rng = random.Random(seed)
        self.next_t = start_ms
        self.n_series = n_series
        self.per_batch = samples_per_batch
        self.step_ms = step_ms
        self.max_batches = max_batches
        self.stop = threading.Event()
        self.acked = {}      # labels key -> {t: bits}
        self.sent = {}       # labels key -> {t: bits}, everything ever put on the wire
        self.batches_acked = 0
        self.attempts = 0
        self.retries = 0
        self.statuses = {}   # status code or error class -> count
        self.unexpected = []  # non-retryable answers (4xx): the sender would drop the batch
        self.last_error_body = ""

    def key(self, s):
        import json
        return json.dumps({"__name__": self.metric, "s": str(s), "sender": self.name_},
                          sort_keys=True)

    def _batch(self):
        series = []
        for s in range(self.n_series):
            samples = [(self.next_t + i * self.step_ms, random_float(self.rng))
                       for i in range(self.per_batch)]
            series.append(({"__name__": self.metric, "sender": self.name_, "s": str(s)}, samples))
        self.next_t += self.per_batch * self.step_ms
        return series

    def _count(self, what):
        self.statuses[what] = self.statuses.get(what, 0) + 1

    def run(self):
        while not self.stop.is_set():
            if self.max_batches is not None and self.batches_acked >= self.max_batches:
                return
            series = self._batch()
            for s, (_, samples) in enumerate(series):
                self.sent.setdefault(self.key(s), {}).update((t, bits(v)) for t, v in samples)
            body = snappy_literal_block(encode_write_request(series))
            backoff = 0.02
            # Once sent, a batch is re-sent until acknowledged, even when asked to stop: the
            # test stops senders only while the server is up, so this ends.
            while True:
                self.attempts += 1
                try:
                    status, text = post(self.port_fn(), body)
                except (OSError, http.client.HTTPException) as e:
                    status, text = None, type(e).__name__
                self._count(status or text)
                if status is not None and 200 <= status < 300:
                    for s, (_, samples) in enumerate(series):
                        self.acked.setdefault(self.key(s), {}).update((t, bits(v)) for t, v in samples)
                    self.batches_acked += 1
                    break
                if status is not None and status < 500 and status != 429:
                    self.unexpected.append(f"{status}: {text[:200]}")
                    break
                if status is not None:
                    self.last_error_body = text
                self.retries += 1
                time.sleep(backoff)
                backoff = min(backoff * 2, 0.5)


def check_store(got, senders):
    """Failures: an acknowledged sample missing or with other bits, or a stored sample (of the
    senders' series) that was never sent with exactly those bits."""
    failures = []
    acked = sent = 0
    for snd in senders:
        for key, samples in snd.acked.items():
            have = got.get(key, {})
            for t, b in samples.items():
                acked += 1
                if t not in have:
                    failures.append(f"acknowledged sample lost: {key} t={t}")
                elif have[t] != b:
                    failures.append(f"acknowledged sample changed: {key} t={t} {have[t]:#x} != {b:#x}")
        for key, samples in snd.sent.items():
            sent += len(samples)
            for t, b in got.get(key, {}).items():
                if samples.get(t) != b:
                    failures.append(f"stored sample never sent: {key} t={t} bits={b:#x}")
    names = {snd.key(s) for snd in senders for s in range(snd.n_series)}
    for key in got:
        if key not in names:
            failures.append(f"stored series never sent: {key}")
    return failures, acked, sent
