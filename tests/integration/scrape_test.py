#!/usr/bin/env python3
"""Scraping against real exporters on 127.0.0.1, side by side with a real Prometheus 2.42.

Targets: Debian's prometheus-node-exporter, a Prometheus 2.42's own /metrics and the OpenTelemetry
JS SDK's Prometheus exporter. Tidemark and a second Prometheus scrape all three every second; at a
common instant both must hold the same series, and every series whose value is steady in both
(over the previous 4 s) must have the same value. Then the targets API, scraped metadata, a reload
that removes a job, and a target that stops are checked, staleness through PromQL.

Prometheus 3.x (whose behaviour Tidemark follows) writes `le` and `quantile` label values in
OpenMetrics float form ("1" -> "1.0"); Prometheus 2.42 does not, so its label values are mapped
that way before comparing."""
import decimal
import os
import signal
import subprocess
import sys
import time

import tmtest

HERE = os.path.dirname(os.path.abspath(__file__))
OTEL_DIR = os.path.join(HERE, "scrape_otel")
UNFAIR = "scrape_duration_seconds|go_goroutines|go_threads|process_open_fds"
ATTEMPTS = 5



def om_float(s):
    """labels.FormatOpenMetricsFloat of a label value (Go's %g, shortest, plus ".0")."""
    try:
        f = float(s)
    except ValueError:
        return s
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "-0.0" if str(f).startswith("-") else "0.0"
    d = decimal.Decimal(repr(f)).normalize()
    sign, digits, exp = d.as_tuple()
    digits = "".join(map(str, digits))
    x = len(digits) + exp - 1  # decimal exponent of the first digit
    neg = "-" if sign else ""
    if x < -4 or x >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        out = f"{neg}{mant}e{'-' if x < 0 else '+'}{abs(x):02d}"
    else:
        out = neg + format(decimal.Decimal(repr(abs(f))).normalize(), "f")
    return out if ("." in out or "e" in out) else out + ".0"


def key(metric, normalize):
    items = []
    for k, v in sorted(metric.items()):
        if normalize and k in ("le", "quantile"):
            v = om_float(v)
        items.append((k, v))
    return tuple(items)


def instant(url, expr, t):
    status, body = tmtest.get_json(url + "/api/v1/query", {"query": expr, "time": f"{t:.3f}"})
    assert status == 200, (url, expr, status, body)
    return body["data"]["result"]


def vectors(url, expr, t, normalize):
    return {key(r["metric"], normalize): r["value"][1] for r in instant(url, expr, t)}


def wait_until(fn, what, timeout=60):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}: {last}")


def compare_job(tm_url, prom_url, job):
    """The problems seen when Tidemark and Prometheus are compared for one job at one recent
    instant, and a one-line summary."""
    t = time.time() - 1.5
    for url in (tm_url, prom_url):
        ups = instant(url, f'min_over_time(up{{job="{job}"}}[6s])', t)
        if len(ups) != 1 or ups[0]["value"][1] != "1":
            return [f"{url}: target not up throughout [t-6s, t]: {ups}"], ""
    # Not compared: the scrape's duration, and what the scrape itself changes in the target
    # (Prometheus keeps its connection open between scrapes, Tidemark opens one per scrape, so
    # the exporter counts one goroutine and one file descriptor more while serving it).
    sel = f'{{job="{job}",__name__!~"{UNFAIR}"}}'
    tm_now, prom_now = vectors(tm_url, sel, t, False), vectors(prom_url, sel, t, True)
    tm_before, prom_before = vectors(tm_url, sel, t - 4, False), vectors(prom_url, sel, t - 4, True)
    problems = []
    only_tm, only_prom = set(tm_now) - set(prom_now), set(prom_now) - set(tm_now)
    if only_tm or only_prom:
        problems.append(f"series differ: only Tidemark {sorted(only_tm)[:5]} ({len(only_tm)}), "
                        f"only Prometheus {sorted(only_prom)[:5]} ({len(only_prom)})")
    steady = [k for k in set(tm_now) & set(prom_now)
              if tm_now[k] == tm_before.get(k) and prom_now[k] == prom_before.get(k)]
    wrong = [(k, tm_now[k], prom_now[k]) for k in steady if tm_now[k] != prom_now[k]]
    # A third of the series, but no more than 20: on a busy machine with many cores most of the
    # node exporter's CPU and memory series move between any two scrapes.
    if len(steady) < max(1, min(len(prom_now) // 3, 20)):
        problems.append(f"only {len(steady)} of {len(prom_now)} series are steady; comparison too weak")
    if wrong:
        problems.append(f"{len(wrong)} steady series differ, e.g. {wrong[:5]}")
    return problems, f"{len(tm_now)} series, {len(steady)} steady compared, {len(wrong)} differ"


def main():
    failures = []
    node_exporter = tmtest.which("prometheus-node-exporter", "node_exporter")
    if not node_exporter:
        raise RuntimeError("prometheus-node-exporter is not installed (scripts/install-deps.sh installs it)")
    tmtest.npm_install(OTEL_DIR, "@opentelemetry/exporter-prometheus")

    node_port, otel_port = tmtest.free_port(), tmtest.free_port()
    node = tmtest.start([node_exporter, f"--web.listen-address=127.0.0.1:{node_port}",
                         "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo",
                         # Only "/": other tests mount and unmount file systems meanwhile.
                         "--collector.filesystem", "--collector.filesystem.mount-points-exclude=^/.+",
                         "--collector.uname", "--collector.loadavg",
                         "--collector.stat", "--collector.time"], "node-exporter")
    tmtest.wait_http(f"http://127.0.0.1:{node_port}/metrics", proc=node)
    otel = tmtest.start(["node", os.path.join(OTEL_DIR, "serve.js"), str(otel_port)], "otel-exporter",
                        cwd=OTEL_DIR)
    tmtest.wait_http(f"http://127.0.0.1:{otel_port}/metrics", proc=otel)
    # The Prometheus whose own /metrics is a target (it scrapes nothing itself).
    target_prom = tmtest.Prometheus("global:\n  scrape_interval: 1h\n")
    prom_target = f"127.0.0.1:{target_prom.port}"

    jobs = {"node": f"127.0.0.1:{node_port}", "prometheus": prom_target, "otel": f"127.0.0.1:{otel_port}"}
    scrape_configs = "".join(
        f"  - job_name: {job}\n    static_configs:\n      - targets: ['{addr}']\n        labels: {{site: lab}}\n"
        for job, addr in jobs.items())
    config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n" + scrape_configs
    prom = tmtest.Prometheus(config)
    cfg_dir = tmtest.tempdir()
    cfg_path = os.path.join(cfg_dir, "tidemark.yml")
    with open(cfg_path, "w") as f:
        f.write(config)
    tm = tmtest.Tidemark("--storage", "memory", "--web.enable-lifecycle", config=cfg_path)

    # Both have scraped every target for a while.
    for url in (tm.url, prom.url):
        wait_until(lambda u=url: len(instant(u, "up == 1", time.time())) == 3, f"3 healthy targets on {url}")
    time.sleep(6)

    # --- Same series, same steady values, at one instant. ---
    # The two scrapers run on their own clocks on a machine shared with other tests, so a job is
    # compared at up to ATTEMPTS instants, each one where both saw the target up throughout the
    # previous 6 s; the job fails only when every attempt differs.
    for job in jobs:
        tried = []
        for _ in range(ATTEMPTS):
            problems, summary = compare_job(tm.url, prom.url, job)
            tried.append(problems or [summary])
            if not problems:
                break
            time.sleep(3)
        print(f"{job}: {summary} ({len(tried)} attempt(s))")
        if problems:
            failures.append(f"{job}: differs at each of {ATTEMPTS} instants: {tried}")

    # --- The targets API and scraped metadata. ---
    # A scrape may time out now and then on a loaded machine: take a moment when all three are up.
    def all_up():
        _, body = tmtest.get_json(tm.url + "/api/v1/targets")
        active = body["data"]["activeTargets"]
        return active if all(a["health"] == "up" for a in active) else None
    active = wait_until(all_up, "all targets up in /api/v1/targets", timeout=20)
    if sorted(a["scrapePool"] for a in active) != sorted(jobs):
        failures.append(f"targets: {active}")
    for a in active:
        want = {"instance": jobs[a["scrapePool"]], "job": a["scrapePool"], "site": "lab"}
        if a["labels"] != want or a["health"] != "up" or a["lastError"] != "" or \
                a["scrapeUrl"] != f"http://{jobs[a['scrapePool']]}/metrics" or a["scrapeInterval"] != "1s" or \
                a["discoveredLabels"].get("__address__") != jobs[a["scrapePool"]]:
            failures.append(f"target: {a}")
    _, body = tmtest.get_json(tm.url + "/api/v1/targets", {"state": "dropped"})
    if body["data"]["activeTargets"] != [] or body["data"]["droppedTargets"] != []:
        failures.append(f"targets?state=dropped: {body}")
    _, body = tmtest.get_json(tm.url + "/api/v1/scrape_pools")
    if body["data"] != {"scrapePools": sorted(jobs)}:
        failures.append(f"scrape_pools: {body}")
    _, body = tmtest.get_json(tm.url + "/api/v1/targets/metadata", {"metric": "node_load1"})
    if [(m["target"]["job"], m["type"], m["help"]) for m in body["data"]] != [("node", "gauge", "1m load average.")]:
        failures.append(f"targets/metadata: {body}")
    _, body = tmtest.get_json(tm.url + "/api/v1/metadata", {"metric": "workflow_runs_total"})
    if body["data"].get("workflow_runs_total") != [{"type": "counter", "help": "Workflow runs.", "unit": ""}]:
        failures.append(f"metadata: {body}")

    # --- A reload without the otel job: its series go stale at once. ---
    with open(cfg_path, "w") as f:
        f.write(config.replace(f"  - job_name: otel\n    static_configs:\n      - targets: ['{jobs['otel']}']\n"
                               "        labels: {site: lab}\n", ""))
    status, _, _ = tmtest.request("POST", tm.url + "/-/reload")
    if status != 200:
        failures.append(f"reload: {status}")
    wait_until(lambda: not instant(tm.url, 'queue_depth or up{job="otel"}', time.time()),
               "otel series to go stale after the reload", timeout=20)
    _, body = tmtest.get_json(tm.url + "/api/v1/scrape_pools")
    if body["data"]["scrapePools"] != ["node", "prometheus"]:
        failures.append(f"scrape_pools after reload: {body}")
    # An unchanged job keeps its loop: no gap in its up series across the reload.
    t = time.time()
    _, body = tmtest.get_json(tm.url + "/api/v1/query", {"query": 'count_over_time(up{job="node"}[10s])',
                                                         "time": f"{t:.3f}"})
    n = float(body["data"]["result"][0]["value"][1]) if body["data"]["result"] else 0
    if n < 7:
        failures.append(f"up{{job=node}} has {n} samples in the last 10s across the reload")

    # --- The node exporter stops: up == 0 and its series are absent from instant queries. ---
    node.send_signal(signal.SIGTERM)
    node.wait(timeout=10)
    stopped = time.time()
    wait_until(lambda: instant(tm.url, 'up{job="node"} == 0', time.time()), "up{job=node} == 0", timeout=20)
    now = time.time()
    for expr in ('node_load1', '{job="node",__name__=~"node_.*"}'):
        left = instant(tm.url, expr, now)
        if left:
            failures.append(f"{expr} still answers {len(left)} series {now - stopped:.1f}s after the target stopped")
    # Before the stop the same query answered (the series existed within the lookback window).
    if not instant(tm.url, "node_load1", stopped - 2):
        failures.append("node_load1 was absent before the target stopped")
    _, body = tmtest.get_json(tm.url + "/api/v1/targets", {"scrapePool": "node"})
    tgt = body["data"]["activeTargets"]
    if len(tgt) != 1 or tgt[0]["health"] != "down" or "connect" not in tgt[0]["lastError"]:
        failures.append(f"node target after stop: {tgt}")

    tmtest.exit_on_failures(failures, tm)


if __name__ == "__main__":
    main()
