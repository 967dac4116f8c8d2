"""A remote-read client in pure Python: ReadRequest encoding, and decoding of both answers
(SAMPLES: snappy + ReadResponse; STREAMED_XOR_CHUNKS: CRC-32C framed ChunkedReadResponse with
Prometheus XOR chunks). Written from prompb/remote.proto, types.proto and tsdb/chunkenc/xor.go,
independently of Tidemark's C++ encoder, so the tests check one against the other."""
import struct

from promwrite import _field_bytes, _varint, snappy_literal_block

EQ, NEQ, RE, NRE = 0, 1, 2, 3
SAMPLES, STREAMED_XOR_CHUNKS = 0, 1


def _zigzag(n):
    return (n << 1) ^ (n >> 63)


def _int_field(num, v):
    return _varint(num << 3) + _varint(v & ((1 << 64) - 1))


def encode_read_request(queries, accepted=()):
    """queries: list of dicts {start, end, matchers: [(type, name, value)], hints: dict or None}."""
    body = bytearray()
    for q in queries:
        qb = _int_field(1, q["start"]) + _int_field(2, q["end"])
        for t, n, v in q["matchers"]:
            qb += _field_bytes(3, _int_field(1, t) + _field_bytes(2, n.encode()) + _field_bytes(3, v.encode()))
        h = q.get("hints")
        if h is not None:
            hb = (_int_field(1, h.get("step", 0)) + _field_bytes(2, h.get("func", "").encode()) +
                  _int_field(3, h["start"]) + _int_field(4, h["end"]) + _int_field(7, h.get("range", 0)))
            qb += _field_bytes(4, hb)
        body += _field_bytes(1, qb)
    for a in accepted:
        body += _int_field(2, a)
    return snappy_literal_block(bytes(body))


def _read_uvarint(buf, pos):
    shift = result = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def parse_message(buf):
    """Generic protobuf parse: list of (field, value) with ints for varints, bytes for the rest."""
    out, pos = [], 0
    while pos < len(buf):
        tag, pos = _read_uvarint(buf, pos)
        field, wt = tag >> 3, tag & 7
        if wt == 0:
            v, pos = _read_uvarint(buf, pos)
        elif wt == 1:
            v, pos = buf[pos:pos + 8], pos + 8
        elif wt == 2:
            n, pos = _read_uvarint(buf, pos)
            v, pos = buf[pos:pos + n], pos + n
        elif wt == 5:
            v, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"wire type {wt}")
        out.append((field, v))
    return out


def _signed(u):
    return u - (1 << 64) if u >= 1 << 63 else u


def _labels(fields):
    out = {}
    for f, v in fields:
        if f == 1:
            kv = dict(parse_message(v))
            out[kv.get(1, b"").decode()] = kv.get(2, b"").decode()
    return out


_CRC_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


class _Bits:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def bit(self):
        b = (self.data[self.pos >> 3] >> (7 - (self.pos & 7))) & 1
        self.pos += 1
        return b

    def bits(self, n):
        v = 0
        for _ in range(n):
            v = (v << 1) | self.bit()
        return v

    def uvarint(self):
        shift = result = 0
        while True:
            b = self.bits(8)
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7


def decode_xor(data):
    """Prometheus XOR chunk -> [(t, value bits as int)]."""
    n = struct.unpack(">H", data[:2])[0]
    r = _Bits(data[2:])
    out = []
    t = delta = vbits = 0
    leading = trailing = 0
    for i in range(n):
        if i == 0:
            u = r.uvarint()
            t = (u >> 1) ^ -(u & 1)
            vbits = r.bits(64)
            out.append((t, vbits))
            continue
        if i == 1:
            delta = r.uvarint()
        else:
            d = 0
            for _ in range(4):
                d <<= 1
                if not r.bit():
                    break
                d |= 1
            sz = {0: 0, 0b10: 14, 0b110: 17, 0b1110: 20, 0b1111: 64}[d]
            dod = 0
            if sz:
                bits = r.bits(sz)
                if sz != 64 and bits > (1 << (sz - 1)):
                    bits -= 1 << sz
                dod = _signed(bits) if sz == 64 else bits
            delta = (delta + dod) & ((1 << 64) - 1)
        t = _signed((t + delta) & ((1 << 64) - 1))
        if r.bit():
            if r.bit():
                leading = r.bits(5)
                sig = r.bits(6) or 64
                trailing = 64 - leading - sig
            vbits ^= r.bits(64 - leading - trailing) << trailing
        out.append((t, vbits))
    return out


def parse_stream(body):
    """Frames of a STREAMED_XOR_CHUNKS answer -> list of (query_index, labels, chunks, frame size);
    chunks are dicts {min, max, type, samples}. Raises on a bad CRC or truncated frame."""
    frames, pos = [], 0
    while pos < len(body):
        size, pos = _read_uvarint(body, pos)
        crc = struct.unpack(">I", body[pos:pos + 4])[0]
        data = body[pos + 4:pos + 4 + size]
        pos += 4 + size
        if len(data) != size:
            raise ValueError("truncated frame")
        if crc32c(data) != crc:
            raise ValueError("frame CRC mismatch")
        msg = parse_message(data)
        qi = next((v for f, v in msg if f == 2), 0)
        for f, v in msg:
            if f != 1:
                continue
            cs = parse_message(v)
            chunks = []
            for cf, cv in cs:
                if cf == 2:
                    c = dict(parse_message(cv))
                    chunks.append({"min": _signed(c.get(1, 0)), "max": _signed(c.get(2, 0)),
                                   "type": c.get(3, 0), "samples": decode_xor(c.get(4, b""))})
            frames.append((qi, _labels(cs), chunks, size))
    return frames


def read_samples(base_url, matchers, start, end, timeout=60):
    """Every stored sample of the series matching `matchers` in [start, end], through a streamed
    remote read: {labels as sorted JSON: {t: value bits}}. Raises on a non-200 answer, a bad
    frame or a non-XOR chunk, so a caller never mistakes a failed read for missing data."""
    import json
    import urllib.error
    import urllib.request
    body = encode_read_request([{"start": start, "end": end, "matchers": matchers}],
                               [STREAMED_XOR_CHUNKS])
    req = urllib.request.Request(base_url + "/api/v1/read", data=body, method="POST", headers={
        "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
        "X-Prometheus-Remote-Read-Version": "0.1.0"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            answer = r.read()
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"remote read answered {e.code}: {e.read()[:500]!r}") from e
    out = {}
    for _, labels, chunks, _ in parse_stream(answer):
        key = json.dumps(labels, sort_keys=True)
        for c in chunks:
            if c["type"] != 1:
                raise RuntimeError(f"chunk of type {c['type']} in {key}")
            out.setdefault(key, {}).update(c["samples"])
    return out
