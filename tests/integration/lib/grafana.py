"""Runs a Grafana dashboard's Prometheus panel queries the way Grafana's datasource sends them:
template variables and $__interval/$__rate_interval/$__range substituted, then POST
/api/v1/query_range with a form-encoded query/start/end/step aligned to the step."""
import math
import re

import tmtest

MAX_DATA_POINTS = 1000  # Grafana uses the panel's width in pixels; a wide panel is ~1000


def panels(dashboard):
    """Every panel, including those nested in collapsed rows."""
    for p in dashboard.get("panels", []):
        yield p
        yield from p.get("panels", [])


def duration_seconds(text):
    """Grafana relative-time offsets and Prometheus durations: '30m', '1h', '5s'."""
    m = re.fullmatch(r"(\d+)([smhdw])", text)
    if not m:
        raise ValueError(f"unsupported duration {text!r}")
    return int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m.group(2)]


def format_interval(seconds):
    seconds = int(seconds)
    return f"{seconds // 60}m" if seconds % 60 == 0 else f"{seconds}s"


def rounded_interval(seconds):
    """Grafana's roundInterval for the common ranges: the next 'nice' interval at or above."""
    for nice in (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800,
                 21600, 43200, 86400):
        if seconds <= nice:
            return nice
    return int(math.ceil(seconds / 86400)) * 86400


def label_values_query(query):
    m = re.fullmatch(r"\s*label_values\((.*),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*", query)
    if not m:
        raise ValueError(f"unsupported variable query {query!r}")
    return m.group(1).strip(), m.group(2)


def variable_values(url, var, start, end):
    """The value Grafana substitutes for `var` with "All" (or its current value) selected."""
    current = var.get("current", {}).get("value")
    if var.get("type") in ("custom", "constant", "textbox") and current not in (None, "$__all", ["$__all"]):
        return current if isinstance(current, str) else "(" + "|".join(map(re.escape, current)) + ")"
    if var.get("includeAll") and var.get("allValue"):
        return var["allValue"]
    q = var.get("query")
    q = q.get("query") if isinstance(q, dict) else q
    selector, label = label_values_query(q)
    status, body = tmtest.get_json(f"{url}/api/v1/label/{label}/values",
                                   {"match[]": selector, "start": start, "end": end})
    if status != 200 or body.get("status") != "success" or not body["data"]:
        raise AssertionError(f"variable {var['name']}: label values: {status} {body}")
    values = body["data"]
    if var.get("includeAll") or var.get("multi"):
        return "(" + "|".join(re.escape(v) for v in values) + ")"
    return values[0]


def interpolate(expr, variables, interval_s, rate_interval_s, range_s):
    builtins = {
        "__rate_interval": format_interval(rate_interval_s),
        "__interval_ms": str(int(interval_s * 1000)),
        "__interval": format_interval(interval_s),
        "__range_ms": str(int(range_s * 1000)),
        "__range_s": str(int(range_s)),
        "__range": format_interval(range_s),
    }
    values = {**variables, **builtins}

    def sub(m):
        name = m.group(1) or m.group(2) or m.group(3)
        if name not in values:
            raise AssertionError(f"unknown variable ${name} in {expr}")
        return values[name]

    # ${name}, [[name]] and $name (longest names first, so $__interval_ms is not $__interval).
    return re.sub(r"\$\{(\w+)\}|\[\[(\w+)\]\]|\$(" + "|".join(
        sorted(map(re.escape, values), key=len, reverse=True)) + r")\b", sub, expr)


def run_dashboard(url, dashboard, now, scrape_interval_s):
    """Yields (panel title, expr as sent, query_range JSON or error text) for every target."""
    time_from = dashboard.get("time", {}).get("from", "now-1h")
    range_s = duration_seconds(time_from.removeprefix("now-"))
    start, end = now - range_s, now
    variables = {v["name"]: variable_values(url, v, start, end)
                 for v in dashboard.get("templating", {}).get("list", [])}
    for p in panels(dashboard):
        for t in p.get("targets", []):
            if "expr" not in t or t.get("hide"):
                continue
            min_interval = t.get("interval") or p.get("interval")
            min_s = duration_seconds(min_interval) if min_interval else scrape_interval_s
            interval_s = max(min_s, rounded_interval(range_s / MAX_DATA_POINTS))
            rate_interval_s = max(interval_s + scrape_interval_s, 4 * scrape_interval_s)
            expr = interpolate(t["expr"], variables, interval_s, rate_interval_s, range_s)
            step = interval_s
            params = {"query": expr, "start": math.floor(start / step) * step,
                      "end": math.floor(end / step) * step, "step": step}
            if t.get("instant"):
                status, body = tmtest.post_form(url + "/api/v1/query", {"query": expr, "time": end})
            else:
                status, body = tmtest.post_form(url + "/api/v1/query_range", params)
            yield p.get("title", "?"), expr, (body if status == 200 else f"HTTP {status}: {body}")
