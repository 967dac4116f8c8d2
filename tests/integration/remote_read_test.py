"""Remote read against real clients: a Prometheus 2.42 with `remote_read` (read_recent) pointing at
Tidemark answers PromQL over data only Tidemark holds, identically to Tidemark's own answers; and
a pure-Python client (lib/promread.py) asks for STREAMED_XOR_CHUNKS and must get back exactly the
samples that were written, in CRC-checked frames of Prometheus XOR chunks. Prometheus 2.42's
client only asks for SAMPLES (streamed reads arrived in its client in 2.55), so the streamed
answer is checked by the independent decoder."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import promread  # noqa: E402
import readdata  # noqa: E402
import tmtest  # noqa: E402

MAX_FRAME = 2048


def strip(metric, name):
    m = dict(metric)
    m.pop(name, None)
    return m


def query(url, path, params):
    status, body = tmtest.get_json(url + path, params)
    assert status == 200, (url, path, params, status, body)
    return body["data"]


def canonical(data, drop=None):
    """Query data with each series' labels (minus `drop`) as a sorted key: comparable exactly."""
    rows = []
    for s in data["result"]:
        m = strip(s["metric"], drop) if drop else s["metric"]
        rows.append((json.dumps(m, sort_keys=True), json.dumps(s.get("values", s.get("value")))))
    return data["resultType"], sorted(rows)


def pick_time(series, base_ms, ranges_ms):
    """An evaluation time at or after base_ms such that no sample sits exactly on a range boundary
    (Prometheus 2.42 selects [t-r, t], 3.x (t-r, t]: the boundary is the only place they differ)."""
    stamps = {t for _, samples in series for t, _ in samples}
    t = base_ms
    while any(t - r in stamps for r in ranges_ms):
        t += 1
    return t


def promql_checks(tm, prom, series, failures):
    newest = max(t for _, s in series for t, _ in s)
    ranges = [0, 300_000, 1_800_000, 7_200_000]
    t_eval = pick_time(series, newest + 1_001, ranges)
    step = 61_000
    r_start = t_eval - 90 * 60_000
    steps = range(r_start, t_eval + 1, step)
    while any(pick_time(series, s, ranges) != s for s in steps):
        r_start += 1
        steps = range(r_start, t_eval + 1, step)
    instant = ["rr_gauge", "rr_jitter[2h]", "rr_counter[30m]", "rate(rr_counter[5m])",
               "max_over_time(rr_jitter[30m])", "sum by (job) (rr_many)", 'rr_many{i=~"[1-3]"}',
               'count({__name__=~"rr_.+", job="app"})', "rr_stale", "rr_counter offset 30m",
               "rr_upper", "rr_old"]
    ranged = ["rate(rr_counter[5m])", "rr_gauge", "rr_jitter", "sum by (job) (rr_many)"]
    calls = [("/api/v1/query", {"query": q, "time": t_eval / 1000}) for q in instant]
    calls += [("/api/v1/query_range", {"query": q, "start": r_start / 1000, "end": t_eval / 1000,
                                       "step": step / 1000}) for q in ranged]
    for path, params in calls:
        pd = query(prom.url, path, params)
        td = query(tm.url, path, params)
        for s in pd["result"]:
            if s["metric"] and "__name__" in s["metric"] and s["metric"].get("zone") != "eu":
                failures.append(f"{params['query']}: series without the external label zone=eu: {s['metric']}")
        if canonical(pd, "zone") != canonical(td):
            failures.append(f"{path} {params['query']}: prometheus (remote read) and tidemark differ\n"
                            f"  prometheus={canonical(pd, 'zone')}\n  tidemark={canonical(td)}")
        elif not td["result"] and params["query"] not in ("rr_stale", "rr_old"):
            failures.append(f"{params['query']}: empty on both sides (test setup problem)")
        else:
            print(f"ok: {path} {params['query']}: {len(td['result'])} series agree")


def read(tm, queries, accepted):
    return tmtest.request("POST", tm.url + "/api/v1/read", promread.encode_read_request(queries, accepted),
                          {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
                           "X-Prometheus-Remote-Read-Version": "0.1.0"})


def streamed_checks(tm, series, now_ms, failures):
    everything = [(promread.RE, "__name__", "rr_.+")]
    win = (now_ms - 3 * 3600_000, now_ms)
    jitter = next(s for l, s in series if l["__name__"] == "rr_jitter")
    h_start, h_end = jitter[len(jitter) // 5][0], jitter[len(jitter) * 3 // 4][0]
    queries = [
        {"start": win[0], "end": win[1], "matchers": everything},
        {"start": win[0], "end": win[1], "matchers": [(promread.EQ, "__name__", "rr_jitter")],
         "hints": {"start": h_start, "end": h_end, "step": 0, "func": "", "range": 0}},
        {"start": win[0], "end": win[1], "matchers": [(promread.EQ, "__name__", "rr_gauge"),
                                                      (promread.EQ, "zone", "eu")]},
        {"start": win[0], "end": win[1], "matchers": [(promread.EQ, "__name__", "rr_gauge"),
                                                      (promread.EQ, "zone", "us")]},
    ]
    status, headers, body = read(tm, queries, [promread.STREAMED_XOR_CHUNKS, promread.SAMPLES])
    ctype = headers.get("Content-Type", "")
    if status != 200 or ctype != "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse":
        failures.append(f"streamed read: status {status}, Content-Type {ctype!r}: {body[:300]!r}")
        return
    frames = promread.parse_stream(body)
    got = {}  # (query, labels) -> [(t, bits)]
    for qi, labels, chunks, size in frames:
        key = (qi, json.dumps(labels, sort_keys=True))
        if size > MAX_FRAME + 2200:
            failures.append(f"frame of {size} bytes for {key} exceeds {MAX_FRAME} by more than a chunk")
        for c in chunks:
            if c["type"] != 1 or len(c["samples"]) > 120 or not c["samples"]:
                failures.append(f"bad chunk in {key}: type {c['type']}, {len(c['samples'])} samples")
            elif (c["min"], c["max"]) != (c["samples"][0][0], c["samples"][-1][0]):
                failures.append(f"chunk bounds {c['min']}..{c['max']} do not match its samples in {key}")
            got.setdefault(key, []).extend(c["samples"])

    def expect(qi, pred, lo, hi):
        want = {}
        for labels, samples in series:
            if pred(labels):
                s = [(t, b) for t, b in samples if lo <= t <= hi]
                if s:
                    want[(qi, json.dumps({**labels, "zone": "eu"}, sort_keys=True))] = s
        return want

    want = expect(0, lambda l: True, *win)
    want.update(expect(1, lambda l: l["__name__"] == "rr_jitter", h_start, h_end))
    want.update(expect(2, lambda l: l["__name__"] == "rr_gauge", *win))
    if set(got) != set(want):
        failures.append(f"streamed series differ: only got {sorted(set(got) - set(want))[:3]}, "
                        f"only expected {sorted(set(want) - set(got))[:3]}")
    for k in set(got) & set(want):
        if got[k] != want[k]:
            diff = next(i for i, (a, b) in enumerate(zip(got[k] + [None], want[k] + [None])) if a != b)
            failures.append(f"streamed samples of {k} differ at #{diff} (of {len(want[k])}): "
                            f"got {got[k][diff:diff + 2]} want {want[k][diff:diff + 2]}")
    split = sum(1 for k in want if sum(1 for f in frames if (f[0], json.dumps(f[1], sort_keys=True)) == k) > 1)
    if not split:
        failures.append("no series was split over several frames (max-bytes-in-frame not exercised)")
    stale = [k for k in got if '"rr_stale"' in k[1] and got[k][-1][1] == readdata.STALE_BITS]
    if not stale:
        failures.append("the stale marker did not come back in the stream")
    print(f"ok: streamed read: {len(frames)} frames, {len(got)} series, {split} split over frames")


def error_checks(tm, failures):
    q = [{"start": 0, "end": 1, "matchers": [(promread.EQ, "__name__", "x")]}]
    cases = [
        ("garbage body", b"\x05not snappy at all", "snappy"),
        ("unknown response type", promread.encode_read_request(q, [7]), "response types"),
        ("bad regex", promread.encode_read_request(
            [{"start": 0, "end": 1, "matchers": [(promread.RE, "__name__", "(")]}]), "matchers[0]"),
        ("bad matcher type", promread.encode_read_request(
            [{"start": 0, "end": 1, "matchers": [(9, "__name__", "x")]}]), "matcher type"),
        ("truncated protobuf", promread.snappy_literal_block(b"\x0a\x10\x08"), "malformed"),
    ]
    for name, body, needle in cases:
        status, headers, out = tmtest.request("POST", tm.url + "/api/v1/read", body)
        text = out.decode(errors="replace")
        if status != 400 or needle not in text or not headers.get("Content-Type", "").startswith("text/plain"):
            failures.append(f"{name}: want 400 mentioning {needle!r}, got {status} {text!r}")
        else:
            print(f"ok: {name}: 400 {text.strip()}")


def main():
    if not tmtest.which("prometheus"):
        tmtest.skip("prometheus is not installed")
    cfg_dir = tmtest.tempdir()
    cfg = os.path.join(cfg_dir, "tidemark.yml")
    with open(cfg, "w") as f:
        f.write("global:\n  external_labels:\n    zone: eu\n")
    tm = tmtest.Tidemark(f"--storage.remote.read-max-bytes-in-frame={MAX_FRAME}", config=cfg)
    now_ms = int(time.time() * 1000)
    series = readdata.dataset(now_ms)
    readdata.push(tm.url, series)
    prom = tmtest.Prometheus(f"""
global:
  scrape_interval: 1h
  evaluation_interval: 1h
remote_read:
  - url: {tm.url}/api/v1/read
    read_recent: true
""")
    failures = []
    promql_checks(tm, prom, series, failures)
    streamed_checks(tm, series, now_ms, failures)
    error_checks(tm, failures)
    tmtest.exit_on_failures(failures, tm)
    print("PASS")


if __name__ == "__main__":
    main()
