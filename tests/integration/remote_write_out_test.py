"""Tidemark's remote-write sender against real receivers: Debian's Prometheus
(--web.enable-remote-write-receiver) and Debian's VictoriaMetrics, on 127.0.0.1, with
remote-write 1.0; and a second Tidemark with remote-write 2.0 (no Debian peer speaks 2.0).

Samples stream into Tidemark; VictoriaMetrics is stopped mid-stream for longer than several
backoffs; Tidemark is SIGKILLed during that outage and restarted on the same data directory; then
VictoriaMetrics comes back and the stream goes on. Each receiver must then hold exactly the
series and samples Tidemark holds for the forwarded range: count_over_time per series equal on
all sides, and every (timestamp, value) equal.
"""
import os
import signal
import sys
import time

import tmtest
from promwrite import remote_write

SERIES = 40
STEP_MS = 1000
STEPS = 240            # 3 phases of 80 steps
OUTAGE_S = 6           # with max_backoff 1s: several backoffs, and a kill in the middle


def start_vm(port, data_dir):
    binary = tmtest.which("victoria-metrics")
    if not binary:
        raise RuntimeError("victoria-metrics is not installed (scripts/install-deps.sh installs it)")
    # Re-sends of the last unacknowledged batch are identical samples: dedup keeps one, as it
    # does for HA pairs of Prometheus senders.
    p = tmtest.start([binary, f"-storageDataPath={data_dir}", f"-httpListenAddr=127.0.0.1:{port}",
                      "-retentionPeriod=100y", "-search.latencyOffset=0s",
                      "-dedup.minScrapeInterval=1ms", "-search.disableCache"], "victoria-metrics")
    tmtest.wait_http(f"http://127.0.0.1:{port}/health", timeout=60, proc=p)
    return p


def write_steps(tm, t0, first, last):
    for i in range(first, last):
        t = t0 + i * STEP_MS
        series = [({"__name__": "rw_out", "series": str(s), "job": "gen"},
                   [(t, float(s * 100000 + i) + 0.25)]) for s in range(SERIES)]
        status = remote_write(tm.url + "/api/v1/write", series)
        assert status in (200, 204), status


def raw_samples(url, t_end, window_s):
    """{series label: [(t_ms, value), ...]} of rw_out over the window, via an instant range query."""
    st, body = tmtest.get_json(url + "/api/v1/query",
                               {"query": f'rw_out{{job="gen"}}[{window_s}s]', "time": f"{t_end / 1000:.3f}"})
    assert st == 200, (url, st, body)
    out = {}
    for r in body["data"]["result"]:
        out[r["metric"]["series"]] = [(round(float(t) * 1000), float(v)) for t, v in r["values"]]
    return out


def counts(url, t_end, window_s):
    st, body = tmtest.get_json(url + "/api/v1/query",
                               {"query": f'count_over_time(rw_out{{job="gen"}}[{window_s}s])',
                                "time": f"{t_end / 1000:.3f}"})
    assert st == 200, (url, st, body)
    return {r["metric"]["series"]: float(r["value"][1]) for r in body["data"]["result"]}


def caught_up(tm):
    st, body = tmtest.get_json(tm.url + "/api/v1/status/remote_write")
    if st != 200:
        return False, body
    eps = body["data"]["endpoints"]
    ok = len(eps) == 3 and all(e["cursor"] == e["lastCommit"] and e["samplesPending"] == 0 for e in eps)
    return ok, eps


def main():
    started = time.time()
    # A batch in flight at the kill is sent again after the restart; Prometheus 2.42 takes the
    # samples it already has only with an out-of-order window (identical ones are then ignored),
    # otherwise it refuses the whole request (400), as it would from a restarted Prometheus.
    prom = tmtest.Prometheus("storage:\n  tsdb:\n    out_of_order_time_window: 1h\n")
    vm_port, vm_dir = tmtest.free_port(), tmtest.tempdir("tm-vm-")
    vm = start_vm(vm_port, vm_dir)
    vm_url = f"http://127.0.0.1:{vm_port}"
    tm2 = tmtest.Tidemark()  # the remote-write 2.0 receiver

    cfg_dir = tmtest.tempdir("tm-cfg-")
    cfg = os.path.join(cfg_dir, "tidemark.yml")
    queue = """    queue_config:
      min_shards: 2
      max_shards: 2
      max_samples_per_send: 300
      batch_send_deadline: 200ms
      min_backoff: 100ms
      max_backoff: 1s
"""
    with open(cfg, "w") as f:
        f.write(f"""remote_write:
  - url: {prom.url}/api/v1/write
    name: prom
{queue}  - url: {vm_url}/api/v1/write
    name: vm
{queue}  - url: {tm2.url}/api/v1/write
    name: tm2
    protobuf_message: io.prometheus.write.v2.Request
{queue}""")
    data_dir = tmtest.tempdir("tm-data-")
    tm = tmtest.Tidemark(data_dir=data_dir, config=cfg)

    now = int(time.time() * 1000)
    t0 = (now - (STEPS + 60) * STEP_MS) // 1000 * 1000
    third = STEPS // 3
    write_steps(tm, t0, 0, third)

    # VictoriaMetrics goes away mid-stream.
    vm.send_signal(signal.SIGTERM)
    vm.wait(timeout=30)
    outage_start = time.time()
    half = third // 2
    write_steps(tm, t0, third, third + half)
    time.sleep(OUTAGE_S / 2)
    # Tidemark dies in the middle of the outage (nothing flushed, no clean shutdown) ...
    tm.proc.send_signal(signal.SIGKILL)
    tm.proc.wait(timeout=30)
    tm = tmtest.Tidemark(data_dir=data_dir, config=cfg)
    write_steps(tm, t0, third + half, 2 * third)
    time.sleep(max(0.0, OUTAGE_S - (time.time() - outage_start)))
    failures = []
    st, body = tmtest.get_json(tm.url + "/api/v1/status/remote_write")
    vm_ep = [e for e in body["data"]["endpoints"] if e["name"] == "vm"]
    if not vm_ep or vm_ep[0]["samplesRetried"] <= 0 or vm_ep[0]["lastError"] == "":
        failures.append(f"the outage was not seen as retries: {body}")
    # ... and the receiver comes back; the stream goes on.
    vm = start_vm(vm_port, vm_dir)
    write_steps(tm, t0, 2 * third, STEPS)

    deadline = time.time() + 60
    ok, eps = caught_up(tm)
    while not ok and time.time() < deadline:
        time.sleep(0.5)
        ok, eps = caught_up(tm)
    if not ok:
        failures.append(f"sender did not catch up: {eps}")
    tmtest.request("GET", vm_url + "/internal/force_flush")
    time.sleep(1)

    t_end = t0 + STEPS * STEP_MS
    window_s = (STEPS + 10) * STEP_MS // 1000
    want_counts = counts(tm.url, t_end, window_s)
    want_raw = raw_samples(tm.url, t_end, window_s)
    if len(want_counts) != SERIES or any(c != STEPS for c in want_counts.values()):
        failures.append(f"Tidemark itself does not hold the stream: {want_counts}")
    for name, url in (("prometheus", prom.url), ("victoria-metrics", vm_url), ("tidemark (2.0)", tm2.url)):
        got_counts = counts(url, t_end, window_s)
        if got_counts != want_counts:
            diff = {k: (want_counts.get(k), got_counts.get(k)) for k in set(want_counts) | set(got_counts)
                    if want_counts.get(k) != got_counts.get(k)}
            failures.append(f"{name}: count_over_time differs (tidemark, receiver): {sorted(diff.items())[:10]}")
        got_raw = raw_samples(url, t_end, window_s)
        if got_raw != want_raw:
            bad = [k for k in want_raw if got_raw.get(k) != want_raw[k]]
            k = bad[0] if bad else None
            failures.append(f"{name}: samples differ in {len(bad)} series; e.g. {k}: "
                            f"tidemark {want_raw.get(k, [])[:3]}... receiver {got_raw.get(k, [])[:3]}...")

    st, metrics_body = tmtest.request("GET", tm.url + "/metrics")[0:3:2]
    text = metrics_body.decode()
    for m in ("prometheus_remote_storage_samples_total{remote_name=\"vm\"",
              "prometheus_remote_storage_samples_retried_total{remote_name=\"vm\"",
              "prometheus_remote_storage_samples_pending{remote_name=\"prom\"",
              "prometheus_remote_storage_queue_highest_sent_timestamp_seconds{remote_name=\"prom\"",
              "prometheus_remote_storage_shards{remote_name=\"vm\"",
              "tidemark_remote_storage_lag_seconds{remote_name=\"vm\""):
        if m not in text:
            failures.append(f"/metrics lacks {m}")
    # The second Tidemark got 2.0 requests only (its data is compared above).
    text2 = tmtest.request("GET", tm2.url + "/metrics")[2].decode()
    if 'tidemark_ingest_requests_total{protocol="remote_write_v2"} 0' in text2 or \
            'tidemark_ingest_requests_total{protocol="remote_write_v1"} 0' not in text2:
        failures.append("the 2.0 endpoint was not sent remote-write 2.0 only: " +
                        " ".join(l for l in text2.splitlines() if l.startswith("tidemark_ingest_requests_total")))
    tmtest.exit_on_failures(failures, tm,
                            summary=f"remote_write_out: {SERIES} series x {STEPS} samples to 3 receivers, "
                                    f"{time.time() - started:.0f}s")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
    sys.exit(0)
