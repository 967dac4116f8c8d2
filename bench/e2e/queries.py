"""The fixed dashboard query set of the end-to-end benchmark, and the result comparison."""

import math

# Dashboard-style range queries over the generated node-exporter-like data.
QUERIES = [
    {"name": "cpu_busy_by_instance",
     "expr": 'sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))'},
    {"name": "latency_p99",
     "expr": 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))'},
    {"name": "latency_p90_by_handler_regex",
     "expr": 'histogram_quantile(0.9, sum by (le, handler) (rate(http_request_duration_seconds_bucket'
             '{instance=~"host-000[0-4].*", handler=~"/api/v1/(query|write)"}[5m])))'},
    {"name": "topk_net_rx",
     "expr": 'topk(5, rate(node_network_receive_bytes_total{device!="lo"}[5m]))'},
    {"name": "fs_used_ratio_regex",
     "expr": '1 - node_filesystem_avail_bytes{mountpoint=~"/|/var"} / node_filesystem_size_bytes{mountpoint=~"/|/var"}'},
    {"name": "load1_avg_over_time",
     "expr": 'avg_over_time(node_load1{region="eu-west-1"}[10m])'},
    {"name": "mem_avail_max_over_time",
     "expr": 'max_over_time(node_memory_MemAvailable_bytes[15m])'},
    {"name": "disk_write_by_region",
     "expr": 'sum by (region) (rate(node_disk_written_bytes_total{device=~"sd.*"}[5m]))'},
    {"name": "up_count_by_job",
     "expr": 'count by (job) (up)'},
    {"name": "ctx_switch_increase_1h",
     "expr": 'sum(increase(node_context_switches_total{instance=~"host-0000[0-9]:.*"}[1h]))'},
    {"name": "error_ratio",
     "expr": 'sum(rate(http_requests_total{code="500"}[5m])) / sum(rate(http_requests_total[5m]))'},
    {"name": "fs_free_deriv",
     "expr": 'min by (instance) (deriv(node_filesystem_free_bytes{mountpoint="/"}[30m]))'},
    {"name": "temp_quantile_over_time",
     "expr": 'quantile_over_time(0.9, node_hwmon_temp_celsius[10m])'},
    {"name": "mem_used_pct_by_region",
     "expr": 'avg by (region) (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) * 100'},
]

DAY_S = 86400


def _range(name, what, end_s, length_s, step_s):
    end = end_s // step_s * step_s
    return {"name": name, "what": what, "start": end - length_s, "end": end, "step": step_s}


def query_ranges(scale, data_start_ms, data_end_ms):
    """The time ranges every query runs over at a scale: [{name, what, start, end, step}] (seconds).

    Short scales query the whole data range (all of it in every target's in-memory head). The long
    scale (7 days, loaded in time order) adds ranges that reach persisted, older data: the last day
    at a 5 min step, one hour three days back (nothing of it in a head any more) and the whole week
    at a ~240-point step, next to the last hour (head) for comparison. A range that would start
    before the data is cut to the data (a step-aligned start inside it)."""
    start_s, end_s = -(-data_start_ms // 1000), data_end_ms // 1000
    span = end_s - start_s
    whole_step = max(15, (span // 240) // 15 * 15)
    whole = _range("all", "whole data range", end_s, 0, whole_step)
    whole["start"] = -(-start_s // whole_step) * whole_step
    if scale != "long" or span < 4 * DAY_S:
        return [whole]
    whole["what"] = f"whole {span / DAY_S:g} d of data"
    return [
        _range("last_1h", "last hour (in the head)", end_s, 3600, 15),
        _range("last_24h", "last 24 h, 5 min step", end_s, DAY_S, 300),
        _range("1h_3d_ago", "one hour 3 days before the end (persisted data only)", end_s - 3 * DAY_S, 3600, 15),
        whole,
    ]


def key(query_name, range_name):
    """Key of one (query, range) result in a target's "queries" dict."""
    return f"{query_name}@{range_name}"


# Where VictoriaMetrics' MetricsQL is known to answer differently from PromQL, so a mismatch there
# is a property of VM, not a benchmark fault.
VM_KNOWN_DIFFERENCES = {
    "rate/increase": "VM does not extrapolate to the window edges and uses the sample before the "
                     "window, so rate()/increase() values differ (here ~1 % typically, up to ~90 % "
                     "at the start of the range, where a window holds only a few samples)",
    "topk": "VM's topk picks series over the whole range, Prometheus per step; the series set differs",
    "name": "VM 1.79 keeps __name__ on *_over_time results (PromQL drops it); the check then compares "
            "the remaining labels",
    "points": "VM's lookback and deriv() edge handling differ, so extra points can appear at the range edges",
    "windows": "VM's range windows treat samples on the window edge differently, so with jittered "
               "timestamps a few *_over_time points differ slightly",
}


def _key(metric):
    return tuple(sorted(metric.items()))


def _points(values):
    return {round(float(t) * 1000): v for t, v in values}


def _close(a, b, rtol, atol):
    x, y = float(a), float(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= atol + rtol * max(abs(x), abs(y))


def compare(ref, got, rtol=1e-6, atol=1e-9):
    """Compares two query_range matrix results: same series (label sets) and same points."""
    # VM 1.79 keeps __name__ on *_over_time results where PromQL drops it; compare the rest and
    # say so, so the values are still checked.
    name_kept = bool(got) and not any("__name__" in s["metric"] for s in ref) and all(
        "__name__" in s["metric"] for s in got)
    strip = (lambda m: {k: v for k, v in m.items() if k != "__name__"}) if name_kept else (lambda m: m)
    r = {_key(s["metric"]): _points(s["values"]) for s in ref}
    g = {_key(strip(s["metric"])): _points(s["values"]) for s in got}
    missing = [k for k in r if k not in g]
    extra = [k for k in g if k not in r]
    pts_total = sum(len(v) for v in r.values())
    pts_missing = pts_extra = pts_diff = 0
    rel_errs = []
    example = None
    for k in r.keys() & g.keys():
        rp, gp = r[k], g[k]
        pts_missing += len(rp.keys() - gp.keys())
        pts_extra += len(gp.keys() - rp.keys())
        for t in rp.keys() & gp.keys():
            if not _close(rp[t], gp[t], rtol, atol):
                pts_diff += 1
                x, y = float(rp[t]), float(gp[t])
                if all(map(math.isfinite, (x, y))):
                    rel_errs.append(abs(x - y) / max(abs(x), abs(y), 1e-300))
                if example is None:
                    example = {"series": dict(k), "t_ms": t, "want": rp[t], "got": gp[t]}
    ok = not (missing or extra or pts_missing or pts_extra or pts_diff or name_kept)
    return {"ok": ok, "name_kept": name_kept, "series_ref": len(r), "series_missing": len(missing), "series_extra": len(extra),
            "points_ref": pts_total, "points_missing": pts_missing, "points_extra": pts_extra,
            "points_differ": pts_diff, "max_rel_err": max(rel_errs, default=0.0),
            "median_rel_err": sorted(rel_errs)[len(rel_errs) // 2] if rel_errs else 0.0, "example": example,
            "missing_example": dict(missing[0]) if missing else None,
            "extra_example": dict(extra[0]) if extra else None}


def summarize(check):
    if check is None:
        return "-"
    if check["ok"]:
        return "identical"
    parts = ["keeps `__name__`"] if check.get("name_kept") else []
    if check["series_missing"] or check["series_extra"]:
        parts.append(f"series -{check['series_missing']}/+{check['series_extra']} of {check['series_ref']}")
    if check["points_missing"] or check["points_extra"]:
        parts.append(f"points -{check['points_missing']}/+{check['points_extra']}")
    if check["points_differ"]:
        parts.append(f"{check['points_differ']}/{check['points_ref']} values differ "
                     f"(rel. error median {check['median_rel_err']:.2g}, max {check['max_rel_err']:.2g})")
    elif check.get("name_kept") and not check["points_missing"] and not check["points_extra"]:
        parts.append("values identical")
    return "; ".join(parts)
