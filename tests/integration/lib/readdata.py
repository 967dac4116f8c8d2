"""Deterministic data for the remote-read and federation tests, with values kept as raw float64
bits (so NaN payloads such as Prometheus' stale marker survive), pushed through remote write."""
import random
import struct

from promwrite import _varint, encode_write_request, snappy_literal_block
import tmtest

STALE_BITS = 0x7FF0000000000002


def bits(v):
    return struct.unpack("<Q", struct.pack("<d", v))[0]


def to_float(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def push(url, series):
    """series: list of (labels dict, [(t_ms, value bits)]). Asserts the write was accepted."""
    body = encode_write_request(series, lambda t, b: b"\x09" + struct.pack("<Q", b) + b"\x10" + _varint(t))
    status, _, out = tmtest.request("POST", url + "/api/v1/write", snappy_literal_block(body), {
        "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
        "X-Prometheus-Remote-Write-Version": "0.1.0"})
    assert status in (200, 204), (url, status, out)


def dataset(now_ms, hours=2):
    """Series ending shortly before `now_ms`: regular counters and gauges, random floats, jittered
    and gappy timestamps (every delta-of-delta width of the XOR format), special values, a series
    ending in a stale marker and one that stopped 10 minutes ago."""
    rnd = random.Random(1234)
    step = 15000
    start = (now_ms - hours * 3600_000) // step * step
    end = now_ms - 20_000
    grid = list(range(start, end, step))
    out = []
    for inst in ("a", "b"):
        v, samples = 0.0, []
        for i, t in enumerate(grid):
            v = 0.0 if i == len(grid) // 2 else v + rnd.randint(0, 50)  # one counter reset
            samples.append((t, bits(v)))
        out.append(({"__name__": "rr_counter", "job": "app", "instance": inst}, samples))
    out.append(({"__name__": "rr_gauge", "job": "app", "instance": "a", "path": "/x"},
                [(t, bits(rnd.uniform(-1e6, 1e6))) for t in grid]))
    special = [0.0, -0.0, 5e-324, 1e-310, float("inf"), float("-inf"), 1e300, -1e-300, 42.0, 42.0, 2.5]
    t, samples, i = start, [], 0
    while t < end:
        samples.append((t, bits(special[i % len(special)] if i % 3 == 0 else rnd.uniform(-10, 10))))
        i += 1
        r = rnd.random()
        if r < 0.7:
            t += step + rnd.randint(-100, 100)          # 14-bit delta-of-delta
        elif r < 0.8:
            t += rnd.randint(30_000, 70_000)            # 17 bits
        elif r < 0.9:
            t += rnd.randint(120_000, 480_000)          # 20 bits
        else:
            t += rnd.randint(600_000, 1_200_000)        # 64 bits
    out.append(({"__name__": "rr_jitter", "job": "app"}, samples))
    stale = [(t, bits(float(i))) for i, t in enumerate(grid[:-4])] + [(grid[-4], STALE_BITS)]
    out.append(({"__name__": "rr_stale", "job": "app", "instance": "a"}, stale))
    out.append(({"__name__": "rr_old", "job": "app", "instance": "c"},
                [(t, bits(7.0)) for t in grid if t < now_ms - 600_000]))
    out.append(({"__name__": "rr_upper", "Alpha": "x", "job": "app"}, [(t, bits(1.0)) for t in grid]))
    for i in range(10):
        out.append(({"__name__": "rr_many", "job": "bulk", "i": str(i)},
                    [(t, bits(float(i * 1000 + k))) for k, t in enumerate(grid)]))
    return out
