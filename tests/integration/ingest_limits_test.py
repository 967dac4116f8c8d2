"""The --ingest.* label and series limits on the real binary: remote write and OTLP answer 400
naming the flag, the other samples are stored, and /metrics counts each limit as its own reason."""
import json
import time

import promwrite
import tmtest


def rejected(tm):
    _, _, body = tmtest.request("GET", tm.url + "/metrics")
    out = {}
    for line in body.decode().splitlines():
        if line.startswith("tidemark_ingest_samples_rejected_total{"):
            labels, value = line.rsplit(" ", 1)
            out[labels.split('"')[1]] = float(value)
    return out


def write(tm, series):
    body = promwrite.snappy_literal_block(promwrite.encode_write_request(series))
    return tmtest.request("POST", tm.url + "/api/v1/write", body,
                          {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy"})


def count(tm, q):
    st, j = tmtest.get_json(tm.url + "/api/v1/query", {"query": q})
    res = j["data"]["result"] if st == 200 else []
    return int(float(res[0]["value"][1])) if res else 0


def main():
    tm = tmtest.Tidemark("--storage", "memory", "--ingest.series-limit=10",
                         "--ingest.series-limit-per-metric=3", "--ingest.label-limit=4",
                         "--ingest.label-name-length-limit=16", "--ingest.label-value-length-limit=32")
    failures = []
    t = int(time.time() * 1000)

    def expect(what, got, flag, reason, n):
        st, _, body = got
        text = body.decode(errors="replace")
        if st != 400 or flag not in text:
            failures.append(f"{what}: want 400 naming {flag}, got {st}: {text[:300]}")
        have = rejected(tm).get(reason, 0)
        if have != n:
            failures.append(f"{what}: {reason} count {have}, want {n}")

    # Per metric: 5 series of `a`, 3 are stored.
    expect("per-metric series limit",
           write(tm, [({"__name__": "a", "i": str(i)}, [(t, 1.0)]) for i in range(5)]),
           "--ingest.series-limit-per-metric", "series_limit_per_metric", 2)
    if count(tm, "count(a)") != 3:
        failures.append(f"count(a) = {count(tm, 'count(a)')}, want 3")
    # Global: 3 stored, 9 more of distinct metrics, 7 fit under 10.
    expect("series limit",
           write(tm, [({"__name__": f"m{i}"}, [(t, 1.0)]) for i in range(9)]),
           "--ingest.series-limit", "series_limit", 2)
    stored = count(tm, 'count({__name__=~".+"})')
    if stored != 10:
        failures.append(f"series stored: {stored}, want 10")
    # Existing series keep taking samples.
    st, _, body = write(tm, [({"__name__": "a", "i": "0"}, [(t + 1000, 2.0)])])
    if st != 204:
        failures.append(f"sample for an existing series at the limit: {st} {body[:200]}")
    # Label limits, each counted apart.
    expect("label limit", write(tm, [({"__name__": "a", "b": "1", "c": "1", "d": "1", "e": "1"}, [(t, 1.0)])]),
           "--ingest.label-limit", "label_limit", 1)
    expect("label name length", write(tm, [({"__name__": "a", "x" * 17: "1"}, [(t, 1.0)])]),
           "--ingest.label-name-length-limit", "label_name_length_limit", 1)
    expect("label value length", write(tm, [({"__name__": "a", "v": "y" * 33}, [(t, 1.0)])]),
           "--ingest.label-value-length-limit", "label_value_length_limit", 1)

    # OTLP (JSON): a point of a new series over the limits is refused with 400 naming it.
    doc = {"resourceMetrics": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "svc"}}]},
        "scopeMetrics": [{"metrics": [{"name": "otlp_gauge", "gauge": {"dataPoints": [
            {"asDouble": 1, "timeUnixNano": str(t * 1_000_000)}]}}]}]}]}
    st, _, body = tmtest.request("POST", tm.otlp_url + "/v1/metrics", json.dumps(doc).encode(),
                                 {"Content-Type": "application/json"})
    if st != 400 or b"--ingest.series-limit" not in body:
        failures.append(f"OTLP over the series limit: {st} {body[:300]}")
    tmtest.exit_on_failures(failures, tm, f"ingest limits: {len(failures)} failures", "FAIL")
    assert tm.stop() == 0
    print("PASS")


if __name__ == "__main__":
    main()
