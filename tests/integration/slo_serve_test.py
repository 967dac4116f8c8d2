"""SLOs running in `tidemark serve`: slo_files relative to the config file, the generated groups in
/api/v1/rules, /api/v1/slos from remote-written traffic, and reloads that fail naming the file
(an invalid spec, a histogram threshold without its bucket) while the old SLOs keep running."""
import os
import signal
import time

import tmtest
from promwrite import remote_write

EVENTS_SLO = """version: prometheus/v1
service: checkout
slos:
  - name: requests
    objective: 99
    description: checkout requests succeed
    sli:
      events:
        error_query: sum(rate(http_requests_total{code="500"}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
    alerting:
      name: CheckoutBudgetBurn
"""

HISTOGRAM_SLO = """version: prometheus/v1
service: api
slos:
  - name: latency
    objective: 99
    sli:
      histogram: {metric: req_duration_seconds, threshold_seconds: %s}
    alerting:
      name: ApiLatency
"""


def write_file(path, text):
    with open(path, "w") as f:
        f.write(text)


def wait_for(fn, timeout=20):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() > deadline:
            return v
        time.sleep(0.2)


def slos(tm):
    st, j = tmtest.get_json(tm.url + "/api/v1/slos")
    assert st == 200 and j["status"] == "success", j
    return j


def main():
    cfg_dir = tmtest.tempdir()
    os.makedirs(os.path.join(cfg_dir, "slo"))
    slo_path = os.path.join(cfg_dir, "slo", "checkout.yml")
    write_file(slo_path, EVENTS_SLO)
    cfg = os.path.join(cfg_dir, "tidemark.yml")
    write_file(cfg, "global:\n  evaluation_interval: 1s\nslo_files:\n  - slo/*.yml\n")
    # Started from another directory: the relative glob is resolved against the config file's.
    tm = tmtest.Tidemark("--storage", "memory", "--web.enable-lifecycle", config=cfg)

    # 8 minutes of traffic at 1 % errors, 15 s apart, ending now.
    now = int(time.time() * 1000)
    ok, err = [], []
    for i in range(33):
        t = now - (32 - i) * 15000
        ok.append((t, 1000 + 99 * 15 * i))
        err.append((t, 10 + 1 * 15 * i))
    assert remote_write(tm.url + "/api/v1/write", [
        ({"__name__": "http_requests_total", "code": "200"}, ok),
        ({"__name__": "http_requests_total", "code": "500"}, err)]) == 204

    st, j = tmtest.get_json(tm.url + "/api/v1/rules")
    groups = [(g["name"], g["file"]) for g in j["data"]["groups"]]
    assert groups == [(f"sloth-slo-{kind}-checkout-requests", slo_path)
                      for kind in ("sli-recordings", "meta-recordings", "alerts")], groups

    def evaluated():
        s = slos(tm)["data"]["slos"]
        return s if s and s[0]["burnRates"]["5m"] is not None else None
    got = wait_for(evaluated)
    assert got, slos(tm)
    s = got[0]
    assert (s["id"], s["service"], s["name"], s["file"]) == (
        "checkout-requests", "checkout", "requests", slo_path), s
    assert s["objective"] == 99 and s["objectiveRatio"] == 0.99 and s["periodDays"] == 30, s
    assert abs(s["burnRates"]["5m"] - 1) < 0.05, s
    assert abs(s["sli"]["errorRatio"] - 0.01) < 0.0005, s
    assert s["errorBudget"]["totalMinutes"] == 432, s
    assert s["alerts"]["page"] == {"name": "CheckoutBudgetBurn", "state": "inactive"}, s
    assert s["coverage"]["since"] is not None and s["coverage"]["complete"] is False, s
    assert 0 < s["coverage"]["ratio"] < 0.001, s

    # An invalid spec: the reload fails naming the file; the SLO keeps running.
    write_file(slo_path, EVENTS_SLO.replace("objective: 99", "objective: 120"))
    st, _, out = tmtest.request("POST", tm.url + "/-/reload")
    assert st == 500 and slo_path.encode() in out, (st, out)
    assert [x["id"] for x in slos(tm)["data"]["slos"]] == ["checkout-requests"]

    # A histogram SLO whose threshold has no bucket in the store: refused, listing the buckets.
    buckets = [({"__name__": "req_duration_seconds_bucket", "le": le}, [(now, 1)])
               for le in ("0.1", "0.5", "+Inf")]
    assert remote_write(tm.url + "/api/v1/write", buckets) == 204
    write_file(slo_path, HISTOGRAM_SLO % "0.3")
    st, _, out = tmtest.request("POST", tm.url + "/-/reload")
    assert st == 500 and slo_path.encode() in out and b"0.1, 0.5, +Inf" in out, (st, out)
    # With the bucket there, SIGHUP picks it up.
    write_file(slo_path, HISTOGRAM_SLO % "0.5")
    tm.proc.send_signal(signal.SIGHUP)
    got = wait_for(lambda: [x["id"] for x in slos(tm)["data"]["slos"]] == ["api-latency"])
    assert got, (slos(tm), tm.log())
    tm.stop()

    # --slo replaces the file's slo_files (relative to the working directory, like --rules).
    tm = tmtest.Tidemark("--storage", "memory", "--slo", slo_path, config=cfg)
    st, j = tmtest.get_json(tm.url + "/api/v1/status/flags")
    assert j["data"]["slo"] == slo_path, j
    assert [x["id"] for x in slos(tm)["data"]["slos"]] == ["api-latency"]
    tm.stop()
    print("ok")


if __name__ == "__main__":
    main()
