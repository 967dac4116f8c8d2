"""Federation against real Prometheus 2.42: the same data written to Tidemark and to a Prometheus
(remote-write receiver), both with the same external labels, must give byte-identical /federate
bodies; and a second Prometheus scraping Tidemark's /federate (honor_labels) must end up holding
the same series with Tidemark's latest values and timestamps."""
import gzip
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import readdata  # noqa: E402
import tmtest  # noqa: E402

EXTERNAL = "global:\n  external_labels:\n    zone: eu\n    job: edge\n"


def federate(url, matches, headers=None):
    qs = urllib.parse.urlencode([("match[]", m) for m in matches])
    return tmtest.request("GET", f"{url}/federate?{qs}", headers=headers or {})


def families(body):
    """The exposition as [(TYPE line, sorted series lines)]: Prometheus orders series by metric
    name only, with an unstable sort, so the order inside a family is not comparable."""
    out = []
    for line in body.decode().splitlines():
        if line.startswith("# TYPE"):
            out.append((line, []))
        else:
            out[-1][1].append(line)
    return [(t, sorted(lines)) for t, lines in out]


def diff_checks(tm, prom, failures):
    cases = [
        ['{__name__=~"rr_.+"}'],
        ["rr_counter", "rr_gauge"],
        ['{__name__=~"rr_(counter|many)"}', '{i="3"}'],
        ['{job="app"}'],
        ["rr_stale", "rr_old"],
        ["nothing_matches"],
        [],
        ["bad-selector"],
        ['{__name__=~".*"}'],
    ]
    for matches in cases:
        ps, ph, pb = federate(prom.url, matches)
        ts, th, tb = federate(tm.url, matches)
        if ps != ts:
            failures.append(f"{matches}: status prometheus={ps} tidemark={ts} ({tb[:200]!r})")
        elif ps == 200 and families(pb) != families(tb):
            failures.append(f"{matches}: bodies differ\n--- prometheus\n{pb.decode()}--- tidemark\n{tb.decode()}")
        elif ps == 200 and ph.get("Content-Type") != th.get("Content-Type"):
            failures.append(f"{matches}: Content-Type {ph.get('Content-Type')} != {th.get('Content-Type')}")
        else:
            print(f"ok: /federate {matches}: {ts}, {len(tb.splitlines())} lines identical")
    status, headers, body = federate(tm.url, ['{__name__=~"rr_.+"}'], {"Accept-Encoding": "gzip"})
    _, _, plain = federate(tm.url, ['{__name__=~"rr_.+"}'])
    if headers.get("Content-Encoding") != "gzip" or gzip.decompress(body) != plain:
        failures.append(f"gzip: Content-Encoding {headers.get('Content-Encoding')}, body not the gzip of the plain one")


def vector(url, expr):
    status, body = tmtest.get_json(url + "/api/v1/query", {"query": expr})
    assert status == 200, (url, expr, status, body)
    return {tuple(sorted(r["metric"].items())): r["value"][1] for r in body["data"]["result"]}


def scrape_checks(tm, failures):
    # Expected: what Tidemark federates, parsed (the exposition's timestamps and values).
    _, _, body = federate(tm.url, ['{__name__=~"rr_.+"}'])
    want = {}
    for line in body.decode().splitlines():
        if line.startswith("#"):
            continue
        series, value, ts = line.rsplit(" ", 2)
        name, rest = series.split("{", 1)
        labels = {"__name__": name}
        for pair in rest.rstrip("}").split(","):
            k, v = pair.split("=", 1)
            if v != '""':
                labels[k] = v.strip('"')
        want[tuple(sorted(labels.items()))] = (value, ts)
    fed = tmtest.Prometheus(f"""
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: federate
    honor_labels: true
    metrics_path: /federate
    params:
      'match[]': ['{{__name__=~"rr_.+"}}']
    static_configs: [{{targets: ["127.0.0.1:{tm.port}"]}}]
""")
    deadline = time.time() + 60
    while time.time() < deadline and len(vector(fed.url, '{__name__=~"rr_.+"}')) < len(want):
        time.sleep(1)
    values = vector(fed.url, '{__name__=~"rr_.+"}')
    stamps = vector(fed.url, 'timestamp({__name__=~"rr_.+"})')
    got = {}
    for k, v in values.items():
        tk = tuple(kv for kv in k if kv[0] != "__name__")
        t = stamps.get(tk)
        got[k] = (v, str(round(float(t) * 1000)) if t else None)
    norm = {k: (str(float(v)), t) for k, (v, t) in want.items()}
    got_norm = {k: (str(float(v)), t) for k, (v, t) in got.items()}
    if got_norm != norm:
        failures.append(f"federating Prometheus holds\n  {sorted(got_norm.items())}\nTidemark federates\n  "
                        f"{sorted(norm.items())}")
    else:
        print(f"ok: a Prometheus federating from Tidemark holds the same {len(got)} series and values")


def main():
    if not tmtest.which("prometheus"):
        tmtest.skip("prometheus is not installed")
    cfg = os.path.join(tmtest.tempdir(), "tidemark.yml")
    with open(cfg, "w") as f:
        f.write(EXTERNAL)
    tm = tmtest.Tidemark(config=cfg)
    prom = tmtest.Prometheus(EXTERNAL + "  scrape_interval: 1h\n")
    series = readdata.dataset(int(time.time() * 1000))
    readdata.push(tm.url, series)
    readdata.push(prom.url, series)
    failures = []
    diff_checks(tm, prom, failures)
    scrape_checks(tm, failures)
    tmtest.exit_on_failures(failures, tm)
    print("PASS")


if __name__ == "__main__":
    main()
