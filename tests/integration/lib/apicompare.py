"""Structural comparison of Prometheus API JSON answers (shared by api_diff/promtool tests)."""
import math


def _num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def values_close(a, b, rel=1e-9):
    fa, fb = _num(a), _num(b)
    if fa is None or fb is None:
        return a == b
    if math.isnan(fa) and math.isnan(fb):
        return True
    if math.isinf(fa) or math.isinf(fb):
        return fa == fb
    return abs(fa - fb) <= rel * max(1.0, abs(fa), abs(fb))


def _key(metric):
    return tuple(sorted(metric.items()))


def compare_query_data(a, b, path="data"):
    """Returns a list of difference strings between two query `data` objects."""
    diffs = []
    if a.get("resultType") != b.get("resultType"):
        return [f"{path}.resultType: {a.get('resultType')} != {b.get('resultType')}"]
    rt = a["resultType"]
    ra, rb = a["result"], b["result"]
    if rt in ("scalar", "string"):
        if not (values_close(ra[0], rb[0]) and values_close(ra[1], rb[1])):
            diffs.append(f"{path}.result: {ra} != {rb}")
        return diffs
    ma = {_key(s["metric"]): s for s in ra}
    mb = {_key(s["metric"]): s for s in rb}
    if set(ma) != set(mb):
        diffs.append(f"{path}: series differ: only left {sorted(set(ma) - set(mb))[:3]}, "
                     f"only right {sorted(set(mb) - set(ma))[:3]}")
        return diffs
    for k in ma:
        if rt == "vector":
            pa, pb = [ma[k]["value"]], [mb[k]["value"]]
        else:
            pa, pb = ma[k]["values"], mb[k]["values"]
        if len(pa) != len(pb):
            diffs.append(f"{path}{dict(k)}: {len(pa)} points != {len(pb)} points")
            continue
        for x, y in zip(pa, pb):
            if not (values_close(x[0], y[0]) and values_close(x[1], y[1])):
                diffs.append(f"{path}{dict(k)}: point {x} != {y}")
                break
    return diffs


def same_shape(a, b, path="$"):
    """Same keys and JSON types (recursively for dicts; first element for lists)."""
    if type(a) != type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        return [f"{path}: type {type(a).__name__} != {type(b).__name__}"]
    diffs = []
    if isinstance(a, dict):
        if set(a) != set(b):
            diffs.append(f"{path}: keys {sorted(set(a) ^ set(b))} differ")
        for k in set(a) & set(b):
            diffs += same_shape(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and a and b:
        diffs += same_shape(a[0], b[0], f"{path}[0]")
    return diffs
