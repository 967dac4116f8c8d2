"""Bad bodies against the running server: truncated protobuf, wrong snappy, random bytes, a 1 GB
claimed length, deeply nested junk -> the right 4xx, the server stays up, stored data unchanged."""
import json
import os
import random
import struct
import sys
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import tmtest  # noqa: E402


def varint(v):
    out = b""
    while v >= 0x80:
        out += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return out + bytes([v])


def ld(field, data):
    return varint((field << 3) | 2) + varint(len(data)) + data


def snappy_literal(raw):
    """Snappy block with one literal run (valid snappy without a snappy library)."""
    n = len(raw)
    out = varint(n)
    if n == 0:
        return out
    if n <= 60:
        out += bytes([(n - 1) << 2])
    else:
        out += bytes([62 << 2]) + struct.pack("<I", n - 1)[:3]
    return out + raw


def write_request(name, t_ms, value):
    ts = ld(1, ld(1, b"__name__") + ld(2, name.encode()))
    ts += ld(2, b"\x09" + struct.pack("<d", value) + b"\x10" + varint(t_ms))
    return ld(1, ts)


def main():
    tm = tmtest.Tidemark()
    rw = tm.url + "/api/v1/write"
    otlp = tm.otlp_url + "/v1/metrics"
    pb = {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy"}
    t0 = int(time.time() * 1000) - 60_000
    good = write_request("bad_bodies_probe", t0, 42.0)
    status, _, body = tmtest.request("POST", rw, snappy_literal(good), pb)
    assert status == 204, (status, body)

    def snapshot():
        status, body = tmtest.get_json(tm.url + "/api/v1/query", {"query": "count({__name__=~\".+\"})"})
        assert status == 200, (status, body)
        status2, body2 = tmtest.get_json(tm.url + "/api/v1/series", {"match[]": '{__name__=~".+"}'})
        # Values only: the instant query's evaluation time changes between calls.
        return [r["value"][1] for r in body["data"]["result"]], sorted(json.dumps(s, sort_keys=True) for s in body2["data"])

    before = snapshot()
    rnd = random.Random(7)
    nested = b"\x01"
    for _ in range(2000):
        nested = ld(1, nested) if len(nested) < 200000 else nested
    cases = [
        ("rw truncated protobuf", rw, snappy_literal(good[:-3]), pb, 400),
        ("rw wrong snappy", rw, b"\x20" + b"\xfe" * 12, pb, 400),
        ("rw random bytes", rw, bytes(rnd.randrange(256) for _ in range(4096)), pb, 400),
        ("rw 1GB claimed snappy length", rw, varint(1 << 30) + b"\x00abc", pb, 413),
        ("rw 1GB claimed protobuf length", rw, snappy_literal(b"\x0a" + varint(1 << 30) + b"abc"), pb, 400),
        # A timeseries whose sample holds 2,000 levels of nested messages where a double belongs.
        ("rw deeply nested junk", rw, snappy_literal(ld(1, ld(2, nested))), pb, 400),
        ("rw unknown proto", rw, snappy_literal(good),
         {"Content-Type": "application/x-protobuf;proto=x.Y", "Content-Encoding": "snappy"}, 415),
        ("otlp truncated protobuf", otlp, ld(1, ld(1, ld(1, b"abc")))[:-2],
         {"Content-Type": "application/x-protobuf"}, 400),
        ("otlp 1GB claimed length", otlp, b"\x0a" + varint(1 << 30) + b"abc",
         {"Content-Type": "application/x-protobuf"}, 400),
        ("otlp random bytes", otlp, bytes(rnd.randrange(256) for _ in range(4096)),
         {"Content-Type": "application/x-protobuf"}, 400),
        ("otlp nested json", otlp, b"[" * 100000, {"Content-Type": "application/json"}, 400),
        ("otlp bad json", otlp, b'{"resourceMetrics": [{"scopeMetrics": 5}]}',
         {"Content-Type": "application/json"}, 400),
        ("otlp corrupt gzip", otlp, zlib.compress(b"{}")[:-3] + b"\x00\x00\x00",
         {"Content-Type": "application/json", "Content-Encoding": "gzip"}, 400),
        ("otlp wrong content type", otlp, b"{}", {"Content-Type": "text/plain"}, 415),
    ]
    failures = []
    for name, url, body, headers, want in cases:
        status, _, resp = tmtest.request("POST", url, body, headers)
        if status != want:
            failures.append(f"{name}: got {status}, want {want}: {resp[:200]!r}")
        else:
            print(f"ok: {name} -> {status}")
        tmtest.wait_http(tm.url + "/-/ready", timeout=5, proc=tm.proc)
    after = snapshot()
    if before != after:
        failures.append(f"stored data changed:\n  before={before}\n  after={after}")
    tmtest.exit_on_failures(failures, tm)
    print("PASS")


if __name__ == "__main__":
    main()
