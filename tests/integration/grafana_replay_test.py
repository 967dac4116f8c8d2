"""Replays the requests Grafana's Prometheus datasource sends (paths, methods, headers and
parameters as in grafana/pkg/promlib: POST form-encoded queries by default, GET-only endpoints
for label values/metadata/buildinfo/rules) and checks every field Grafana reads."""
import gzip
import json
import time
import urllib.parse

import tmtest
from promwrite import demo_dataset, remote_write

GRAFANA_HEADERS = {"User-Agent": "Grafana/10.4.0", "Accept-Encoding": "gzip",
                   "Accept": "application/json, text/plain, */*"}

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def send(base, method, path, params):
    headers = dict(GRAFANA_HEADERS)
    if method == "POST":
        body = urllib.parse.urlencode(params, doseq=True).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, hdrs, raw = tmtest.request("POST", base + path, body, headers)
    else:
        url = base + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
        status, hdrs, raw = tmtest.request("GET", url, None, headers)
    if {k.lower(): v for k, v in hdrs.items()}.get("content-encoding") == "gzip":
        raw = gzip.decompress(raw)
    return status, json.loads(raw)


def is_num_str(s):
    try:
        float(s)
        return isinstance(s, str)
    except (TypeError, ValueError):
        return False


def check_matrix(name, j, want_series=None):
    if not check(j.get("status") == "success", f"{name}: status {j}"):
        return
    d = j["data"]
    check(d.get("resultType") == "matrix", f"{name}: resultType {d.get('resultType')}")
    if want_series is not None:
        check(len(d["result"]) == want_series, f"{name}: {len(d['result'])} series, want {want_series}")
    for s in d["result"]:
        check(isinstance(s.get("metric"), dict), f"{name}: metric missing")
        for p in s.get("values", []):
            check(isinstance(p[0], (int, float)) and is_num_str(p[1]), f"{name}: bad point {p}")


def main():
    tm = tmtest.Tidemark()
    now_ms = int(time.time() * 1000)
    series, times = demo_dataset(now_ms)
    assert remote_write(tm.url + "/api/v1/write", series) in (200, 204)
    end = times[-1] / 1000 + 0.123
    start = end - 1800
    u = tm.url

    # 1. "Save & test": instant 1+1 at the health-check range end (unix 4), then buildinfo.
    st, j = send(u, "POST", "/api/v1/query", {"query": "1+1", "time": "4"})
    check(st == 200 and j["status"] == "success", f"health check: {st} {j}")
    check(j["data"] == {"resultType": "scalar", "result": [4, "2"]}, f"health check data {j['data']}")
    st, j = send(u, "GET", "/api/v1/status/buildinfo", {})
    check(st == 200, "buildinfo status")
    ver = j["data"].get("version", "")
    check(len(ver.split(".")) == 3 and all(p.isdigit() for p in ver.split(".")), f"buildinfo version {ver}")
    check("features" not in j["data"], "buildinfo must not advertise features (Grafana would assume Mimir)")

    # 2. Metric browser / Explore: labels, metric names, series, label values with match[].
    st, j = send(u, "POST", "/api/v1/labels", {"start": str(start), "end": str(end)})
    check(st == 200 and {"__name__", "job", "instance", "code", "le"} <= set(j["data"]), f"labels {j}")
    st, j = send(u, "GET", "/api/v1/label/__name__/values", {"start": str(start), "end": str(end)})
    check(st == 200 and "http_requests_total" in j["data"] and j["data"] == sorted(j["data"]),
          f"metric names {j}")
    st, j = send(u, "POST", "/api/v1/series", {"match[]": "{__name__=\"up\"}", "start": str(start), "end": str(end)})
    check(st == 200 and len(j["data"]) == 3 and all(s["__name__"] == "up" for s in j["data"]), f"series {j}")
    st, j = send(u, "GET", "/api/v1/label/job/values",
                 {"match[]": "{__name__=\"http_requests_total\"}", "start": str(start), "end": str(end)})
    check(st == 200 and j["data"] == ["api", "db"], f"label values {j}")
    st, j = send(u, "GET", "/api/v1/metadata", {})
    check(st == 200 and isinstance(j["data"], dict), f"metadata {j}")
    # Label autocompletion inside a selector: labels constrained by match[].
    st, j = send(u, "POST", "/api/v1/labels", {"match[]": "up", "start": str(start), "end": str(end)})
    check(st == 200 and set(j["data"]) == {"__name__", "instance", "job"}, f"labels for up {j}")

    # 3. Time-series panel: form-encoded range queries with float seconds and float step.
    for q, n in (("rate(http_requests_total[5m])", 6), ("sum by (job) (rate(http_requests_total[5m]))", 2),
                 ("up", 3), ("histogram_quantile(0.95, sum by (le) (rate(req_duration_seconds_bucket[5m])))", 1)):
        st, j = send(u, "POST", "/api/v1/query_range",
                     {"query": q, "start": str(start), "end": str(end), "step": "15"})
        check(st == 200, f"range {q}: {st}")
        check_matrix(q, j, n)
    # Grafana's query timeout setting is sent as `timeout`.
    st, j = send(u, "POST", "/api/v1/query_range",
                 {"query": "up", "start": str(start), "end": str(end), "step": "60", "timeout": "30s"})
    check_matrix("up with timeout", j, 3)
    # Instant query in a table/stat panel.
    st, j = send(u, "POST", "/api/v1/query", {"query": "count(up)", "time": str(end)})
    check(j["data"]["resultType"] == "vector" and j["data"]["result"][0]["value"][1] == "3", f"instant {j}")
    # Exemplars toggle in Explore.
    st, j = send(u, "POST", "/api/v1/query_exemplars", {"query": "up", "start": str(start), "end": str(end)})
    check(st == 200 and j["data"] == [], f"exemplars {j}")
    # Alerting list: rules.
    st, j = send(u, "GET", "/api/v1/rules", {})
    check(st == 200 and isinstance(j["data"]["groups"], list), f"rules {j}")
    # Errors Grafana shows to the user: errorType + error text.
    st, j = send(u, "POST", "/api/v1/query_range", {"query": "sum(", "start": str(start), "end": str(end), "step": "15"})
    check(st == 400 and j["status"] == "error" and j["errorType"] == "bad_data" and j["error"], f"error {j}")
    # A large response arrives gzip-compressed when asked.
    status, hdrs, raw = tmtest.request("POST", u + "/api/v1/query_range",
                                       urllib.parse.urlencode({"query": "http_requests_total", "start": start,
                                                               "end": end, "step": 1}).encode(),
                                       dict(GRAFANA_HEADERS, **{"Content-Type": "application/x-www-form-urlencoded"}))
    check({k.lower(): v for k, v in hdrs.items()}.get("content-encoding") == "gzip", "large answer not gzipped")
    check(json.loads(gzip.decompress(raw))["status"] == "success", "gzip body")

    tmtest.exit_on_failures(failures, tm, f"grafana replay: {len(failures)} failures", "FAIL")
    assert tm.stop() == 0


if __name__ == "__main__":
    main()
