"""Real-sender test: Prometheus 2.42 scrapes itself (and node-exporter if installed) every second
and remote-writes to Tidemark; the raw samples and series both sides hold for the same range must
agree exactly."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import tmtest  # noqa: E402

# Metrics compared sample by sample (present on every Prometheus; node ones only with the exporter).
PROM_METRICS = ["up", "scrape_samples_scraped", "prometheus_tsdb_head_series",
                "prometheus_tsdb_head_samples_appended_total", "process_cpu_seconds_total"]
NODE_METRICS = ["node_load1", "node_memory_MemAvailable_bytes", "node_cpu_seconds_total"]


def series_set(url, match, start, end):
    status, body = tmtest.get_json(url + "/api/v1/series", {"match[]": match, "start": start, "end": end})
    assert status == 200, (url, status, body)
    return sorted(tuple(sorted(s.items())) for s in body["data"])


def raw_samples(url, expr, t):
    status, body = tmtest.get_json(url + "/api/v1/query", {"query": expr, "time": t})
    assert status == 200, (url, expr, status, body)
    assert body["data"]["resultType"] == "matrix", body
    return sorted((tuple(sorted(r["metric"].items())), tuple((float(v[0]), v[1]) for v in r["values"]))
                  for r in body["data"]["result"])


def newest_sample_ms(url, expr):
    status, body = tmtest.get_json(url + "/api/v1/query", {"query": f"timestamp({expr})"})
    if status != 200 or not body["data"]["result"]:
        return 0
    return min(float(r["value"][1]) for r in body["data"]["result"]) * 1000


def main():
    if not tmtest.which("prometheus"):
        tmtest.skip("prometheus is not installed")
    tm = tmtest.Tidemark()
    scrape = """
  - job_name: prometheus
    static_configs: [{targets: ["127.0.0.1:$PORT"]}]
"""
    node_bin = tmtest.which("prometheus-node-exporter", "node_exporter")
    metrics = list(PROM_METRICS)
    if node_bin:
        node_port = tmtest.free_port()
        node = tmtest.start([node_bin, f"--web.listen-address=127.0.0.1:{node_port}"], "node-exporter")
        tmtest.wait_http(f"http://127.0.0.1:{node_port}/metrics", proc=node)
        scrape += f"""
  - job_name: node
    static_configs: [{{targets: ["127.0.0.1:{node_port}"]}}]
"""
        metrics += NODE_METRICS
    else:
        print("note: prometheus-node-exporter not installed; comparing Prometheus' own metrics only")
    config = f"""
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:{scrape}
remote_write:
  - url: {tm.url}/api/v1/write
    queue_config: {{batch_send_deadline: 1s, max_shards: 2}}
    metadata_config: {{send_interval: 1s}}
"""
    prom = tmtest.Prometheus(config)
    time.sleep(15)
    end = time.time() - 4
    # Wait until Tidemark has everything Prometheus scraped up to `end`.
    deadline = time.time() + 60
    while newest_sample_ms(tm.url, "up") < end * 1000 + 1000:
        if time.time() > deadline:
            raise AssertionError("Tidemark did not receive recent samples:\n" + tm.log())
        time.sleep(1)
    start = end - 10
    failures = []
    for name in metrics:
        match = f'{{__name__="{name}"}}'
        p_series = series_set(prom.url, match, start, end)
        t_series = series_set(tm.url, match, start, end)
        if not p_series:
            failures.append(f"{name}: Prometheus has no series (test setup problem)")
        elif p_series != t_series:
            failures.append(f"{name}: series differ\n  prometheus={p_series}\n  tidemark={t_series}")
        p_raw = raw_samples(prom.url, f"{name}[10s]", end)
        t_raw = raw_samples(tm.url, f"{name}[10s]", end)
        if p_raw != t_raw:
            failures.append(f"{name}: raw samples differ\n  prometheus={p_raw}\n  tidemark={t_raw}")
        else:
            print(f"ok: {name}: {len(p_raw)} series, {sum(len(s[1]) for s in p_raw)} samples agree")
    # Metadata arrives through remote-write's metadata entries.
    status, md = tmtest.get_json(tm.url + "/api/v1/metadata", {"metric": "prometheus_tsdb_head_series"})
    if status != 200 or not md["data"].get("prometheus_tsdb_head_series"):
        failures.append(f"metadata missing: {status} {md}")
    elif md["data"]["prometheus_tsdb_head_series"][0]["type"] != "gauge":
        failures.append(f"metadata type wrong: {md}")
    tmtest.exit_on_failures(failures, tm)
    print("PASS")


if __name__ == "__main__":
    main()
