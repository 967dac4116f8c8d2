"""Self-monitoring: a real Prometheus (Debian's, 2.42) scrapes Tidemark's /metrics; every series
name docs/metrics.md promises for a Prometheus server's dashboards must be in Prometheus' index,
the scrape must be healthy (up == 1, so Prometheus' parser accepted the exposition), and the
values must make sense (build version = CMake's project version, start time in the past)."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import tmtest  # noqa: E402

EXPECTED = [
    # process collector
    "process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
    "process_open_fds", "process_max_fds", "process_start_time_seconds",
    "tidemark_build_info",
    # Prometheus' own names
    "prometheus_tsdb_head_series", "prometheus_tsdb_head_chunks",
    "prometheus_tsdb_head_samples_appended_total",
    "prometheus_http_requests_total", "prometheus_http_request_duration_seconds_bucket",
    "prometheus_http_request_duration_seconds_count",
    "prometheus_engine_query_duration_seconds", "prometheus_engine_query_duration_seconds_count",
    "prometheus_rule_evaluations_total", "prometheus_rule_evaluation_failures_total",
    "prometheus_rule_evaluation_duration_seconds", "prometheus_rule_evaluation_duration_seconds_count",
    "prometheus_rule_group_duration_seconds", "prometheus_rule_group_iterations_total",
    "prometheus_rule_group_iterations_missed_total", "prometheus_rule_group_interval_seconds",
    "prometheus_rule_group_last_duration_seconds", "prometheus_rule_group_last_evaluation_timestamp_seconds",
    "prometheus_rule_group_last_evaluation_samples", "prometheus_rule_group_rules",
    "prometheus_notifications_dropped_total", "prometheus_notifications_queue_length",
    "prometheus_notifications_queue_capacity", "prometheus_notifications_alertmanagers_discovered",
    # our own, alongside
    "tidemark_storage_series", "tidemark_ingest_samples_total", "tidemark_http_requests_total",
]

RULES = """groups:
  - name: selfmon
    interval: 1s
    rules:
      - record: selfmon:up
        expr: vector(1)
"""


def cmake_version():
    with open(os.path.join(os.environ["TM_SOURCE_DIR"], "CMakeLists.txt")) as f:
        return re.search(r"project\(tidemark VERSION ([0-9.]+)", f.read()).group(1)


def query(prom, q):
    status, body = tmtest.get_json(prom.url + "/api/v1/query", {"query": q})
    assert status == 200, (status, body)
    return body["data"]["result"]


def main():
    d = tmtest.tempdir()
    rules = os.path.join(d, "rules.yml")
    with open(rules, "w") as f:
        f.write(RULES)
    tm = tmtest.Tidemark("--storage", "memory", "--rules", rules)
    # Something for the query and HTTP series to count.
    tmtest.get_json(tm.url + "/api/v1/query", {"query": "vector(1)"})
    prom = tmtest.Prometheus(f"""
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: tidemark
    static_configs:
      - targets: ["127.0.0.1:{tm.port}"]
""")
    failures = []
    names = []
    deadline = time.time() + 60
    while time.time() < deadline:
        up = query(prom, 'up{job="tidemark"}')
        status, body = tmtest.get_json(prom.url + "/api/v1/label/__name__/values",
                                       {"match[]": '{job="tidemark"}'})
        names = body["data"] if status == 200 else []
        if up and up[0]["value"][1] == "1" and all(n in names for n in EXPECTED):
            break
        time.sleep(1)
    up = query(prom, 'up{job="tidemark"}')
    if not up or up[0]["value"][1] != "1":
        status, targets = tmtest.get_json(prom.url + "/api/v1/targets")
        failures.append(f"scrape not healthy: up={up} targets={targets}")
    missing = [n for n in EXPECTED if n not in names]
    if missing:
        failures.append(f"missing in Prometheus after scraping Tidemark: {missing}")
    else:
        print(f"ok: all {len(EXPECTED)} expected names scraped")

    bi = query(prom, 'tidemark_build_info{job="tidemark"}')
    if len(bi) != 1 or bi[0]["metric"].get("version") != cmake_version():
        failures.append(f"tidemark_build_info wrong: {bi} (want version {cmake_version()})")
    start = query(prom, 'process_start_time_seconds{job="tidemark"}')
    if not start or not (time.time() - 600 < float(start[0]["value"][1]) <= time.time()):
        failures.append(f"process_start_time_seconds implausible: {start}")
    ev = query(prom, 'prometheus_rule_evaluations_total{job="tidemark"}')
    if not ev or ev[0]["metric"].get("rule_group") != f"{rules};selfmon" or float(ev[0]["value"][1]) < 1:
        failures.append(f"prometheus_rule_evaluations_total wrong: {ev}")
    # A scrape is counted once answered, so the first scrape's sample cannot include itself.
    http = []
    for _ in range(20):
        http = query(prom, 'prometheus_http_requests_total{job="tidemark",handler="/metrics",code="200"}')
        if http:
            break
        time.sleep(0.5)
    if not http or float(http[0]["value"][1]) < 1:
        failures.append(f"prometheus_http_requests_total for /metrics missing: {http}")
    # A query that fails in evaluation answers 422 execution, as Prometheus does.
    status, body = tmtest.get_json(tm.url + "/api/v1/query",
                                   {"query": 'label_replace(vector(1) or label_replace(vector(2), "a", "b", "", ""), "a", "", "", "")'})
    if status != 422 or body.get("errorType") != "execution":
        failures.append(f"evaluation error answered {status} {body}, want 422 execution")
    tmtest.exit_on_failures(failures, tm)
    print("PASS")


if __name__ == "__main__":
    main()
