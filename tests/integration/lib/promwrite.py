"""Remote-write 1.0 request encoding in pure Python (no snappy module needed).

The protobuf WriteRequest is hand-encoded (field numbers from the remote-write spec) and wrapped
in a snappy *block* made only of literal elements, which every snappy decoder accepts.
"""
import struct
import urllib.request


def _varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field_bytes(num, payload):
    return _varint((num << 3) | 2) + _varint(len(payload)) + payload


def _label(name, value):
    return _field_bytes(1, name.encode()) + _field_bytes(2, value.encode())


def _sample(ts_ms, value):
    return b"\x09" + struct.pack("<d", value) + b"\x10" + _varint(ts_ms)


def encode_write_request(series, sample=_sample):
    """series: list of (labels dict, [(ts_ms, value), ...]). Labels are sorted by name. `sample`
    encodes one (ts_ms, value) pair as a Sample message."""
    body = bytearray()
    for labels, samples in series:
        ts = bytearray()
        for name in sorted(labels):
            ts += _field_bytes(1, _label(name, labels[name]))
        for t, v in samples:
            ts += _field_bytes(2, sample(t, v))
        body += _field_bytes(1, bytes(ts))
    return bytes(body)


def snappy_literal_block(data):
    """A valid snappy block containing `data` as literals only (no compression)."""
    out = bytearray(_varint(len(data)))
    pos = 0
    while pos < len(data):
        chunk = data[pos:pos + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        elif n < 256:
            out.append(60 << 2)
            out.append(n)
        else:
            out.append(61 << 2)
            out += struct.pack("<H", n)
        out += chunk
        pos += len(chunk)
    return bytes(out)


def remote_write(url, series, timeout=30):
    """POSTs series to a remote-write endpoint; returns the HTTP status."""
    body = snappy_literal_block(encode_write_request(series))
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/x-protobuf",
        "Content-Encoding": "snappy",
        "X-Prometheus-Remote-Write-Version": "0.1.0",
    })
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def demo_dataset(now_ms, minutes=30, step_ms=15000):
    """A small, deterministic dataset: counters, gauges and a histogram over `minutes`."""
    start = (now_ms - minutes * 60000) // step_ms * step_ms
    series = []
    times = list(range(start, now_ms - step_ms, step_ms))
    for job, inst in (("api", "10.0.0.1:8080"), ("api", "10.0.0.2:8080"), ("db", "10.0.0.3:9100")):
        base = {"job": job, "instance": inst}
        series.append(({"__name__": "up", **base}, [(t, 1.0) for t in times]))
        for code, rate in (("200", 10.0), ("500", 0.5)):
            series.append(({"__name__": "http_requests_total", "code": code, **base},
                           [(t, rate * i * 15) for i, t in enumerate(times)]))
        series.append(({"__name__": "memory_bytes", **base},
                       [(t, 1e6 + (i % 7) * 12345.5) for i, t in enumerate(times)]))
        cum = 0
        for le, share in (("0.1", 0.5), ("0.5", 0.8), ("1", 0.95), ("+Inf", 1.0)):
            series.append(({"__name__": "req_duration_seconds_bucket", "le": le, **base},
                           [(t, share * 4 * i) for i, t in enumerate(times)]))
        series.append(({"__name__": "req_duration_seconds_count", **base},
                       [(t, 4.0 * i) for i, t in enumerate(times)]))
        series.append(({"__name__": "req_duration_seconds_sum", **base},
                       [(t, 1.3 * i) for i, t in enumerate(times)]))
        del cum
    return series, times
