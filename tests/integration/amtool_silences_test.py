"""Silences and Alertmanager's API v2 driven by the real amtool (Debian prometheus-alertmanager
0.25), against Tidemark and, side by side, a real Alertmanager 0.25 fed the same alerts (Tidemark
pushes to it) and the same silences (the same amtool commands):

- `amtool alert query` lists the firing alert on both;
- `amtool silence add` mutes it: no webhook notification from either while it is silenced;
- `amtool silence query` lists the silence, also after a Tidemark restart and after a kill -9
  (and the alert stays muted after both);
- `amtool silence expire` ends it, and both notify the alert again;
- the API answers (/api/v2/alerts, /alerts/groups, /silences, /silence/{id}, /receivers,
  /status) are compared field by field. Ignored, because they necessarily differ: silence ids
  (random UUIDs; compared through the id each side returned), silence startsAt/endsAt/updatedAt
  and alert updatedAt (the moment each process received the request), alert endsAt (each side
  holds the latest of the resends, which may arrive between the two GETs), alert startsAt after
  Tidemark restarted (the restarted rule starts the alert anew; Alertmanager keeps the earliest
  start of the alerts it merges), status.uptime,
  versionInfo and config.original (process facts; Tidemark's config is a section of a bigger file).
"""
import json
import os
import signal
import subprocess
import time

from alertmanager import start_alertmanager
from receiver import Capture
from tmtest import Tidemark, exit_on_failures, get_json, request, tempdir

REPEAT = 3  # seconds: without the silence, both would notify again every ~3 s

ROUTES = """route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: {repeat}s
receivers:
- name: hook
  webhook_configs: [{{url: "{url}"}}]
- name: unused
"""


def amtool(url, *args):
    p = subprocess.run(["amtool", f"--alertmanager.url={url}", *args], capture_output=True, text=True,
                       timeout=30)
    if p.returncode != 0:
        raise AssertionError(f"amtool {' '.join(args)} against {url} failed ({p.returncode}):\n"
                             f"{p.stdout}{p.stderr}")
    return p.stdout


def main():
    failures = []

    def check(cond, msg):
        if not cond:
            failures.append(msg)
        return cond

    cap = Capture()
    d = tempdir()
    _, am_url = start_alertmanager(d, ROUTES.format(repeat=REPEAT, url=f"{cap.url}/am"),
                                   need_amtool=True)
    am_port = am_url.rsplit(":", 1)[1]

    rules = os.path.join(d, "rules.yml")
    with open(rules, "w") as f:
        f.write("""groups:
- name: it
  rules:
  - alert: SilenceMe
    expr: vector(1) > 0
    labels: {severity: warning}
    annotations: {summary: "value {{ $value }}"}
  - alert: Bystander
    expr: vector(2) > 0
    labels: {severity: info}
""")
    routes = "\n".join("  " + line for line in ROUTES.format(repeat=REPEAT, url=f"{cap.url}/tm").splitlines())
    cfg = os.path.join(d, "tidemark.yml")
    with open(cfg, "w") as f:
        f.write(f"""global:
  evaluation_interval: 1s
  external_labels: {{replica: a}}
rule_files: ["{rules}"]
alerting:
  alertmanagers:
  - static_configs:
    - targets: ["127.0.0.1:{am_port}"]
notifications:
{routes}
""")
    data_dir = tempdir("tm-data-")
    tm = Tidemark(config=cfg, data_dir=data_dir)

    def notified(path, since):
        return [i for i in cap.snapshot() if i[1] == path and i[0] >= since and
                any(a["labels"].get("alertname") == "SilenceMe" and a["status"] == "firing"
                    for a in i[2]["alerts"])]

    def wait_notified(path, since, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if notified(path, since):
                return True
            time.sleep(0.1)
        return False

    t_start = time.time()
    for path in ("/tm", "/am"):
        check(wait_notified(path, t_start, 30), f"no firing notification on {path} before the silence")
    exit_on_failures(failures, tm)

    # `amtool alert query` lists the firing alert on both.
    for url in (tm.url, am_url):
        out = amtool(url, "alert", "query")
        check("SilenceMe" in out and "Bystander" in out, f"amtool alert query against {url}:\n{out}")
    compare_alerts(tm.url, am_url, {}, check)
    compare_groups(tm.url, am_url, {}, check)

    # `amtool silence add` on both.
    ids = {}
    for name, url in (("tm", tm.url), ("am", am_url)):
        out = amtool(url, "silence", "add", "alertname=SilenceMe", "severity=~warn.*", "-a", "tester",
                     "-c", "maintenance window", "-d", "1h")
        ids[name] = out.strip()
        check(len(ids[name]) == 36, f"amtool silence add against {name} printed {out!r}")
    t_silenced = time.time()
    idmap = {ids["tm"]: ids["am"]}
    for name, url in (("tm", tm.url), ("am", am_url)):
        out = amtool(url, "silence", "query")
        check(ids[name] in out and "tester" in out and "maintenance window" in out,
              f"amtool silence query against {name}:\n{out}")
        out = amtool(url, "alert", "query")
        check("SilenceMe" not in out and "Bystander" in out, f"silenced alert still listed by {name}:\n{out}")
        out = amtool(url, "alert", "query", "--silenced")
        check("SilenceMe" in out, f"amtool alert query --silenced against {name}:\n{out}")
    compare_silences(tm.url, am_url, ids, check)
    compare_alerts(tm.url, am_url, idmap, check)
    compare_groups(tm.url, am_url, idmap, check)
    for params in ({"silenced": "false"}, {"active": "false"}, {"filter": "severity=warning"},
                   {"receiver": "unused"}, {"inhibited": "false", "filter": ["alertname=~Silence.*"]}):
        compare_alerts(tm.url, am_url, idmap, check, params)
        compare_groups(tm.url, am_url, idmap, check, params)

    # Muted: without the silence both would notify every REPEAT seconds.
    time.sleep(3 * REPEAT)
    grace = t_silenced + 1.5  # a notification already on its way when the silence was added
    for path in ("/tm", "/am"):
        check(not notified(path, grace), f"{path} notified the silenced alert: {notified(path, grace)}")

    # Restart, then kill -9: the silence is still listed and the alert still muted.
    for how in ("restart", "kill -9"):
        tm.stop(signal.SIGTERM if how == "restart" else signal.SIGKILL)
        tm = Tidemark(config=cfg, data_dir=data_dir)
        t_back = time.time()
        out = amtool(tm.url, "silence", "query")
        check(ids["tm"] in out, f"silence lost after {how}:\n{out}")
        out = amtool(tm.url, "silence", "query", "-o", "json")
        got = json.loads(out)
        check(len(got) == 1 and got[0]["id"] == ids["tm"] and got[0]["status"]["state"] == "active",
              f"after {how}: {out}")
        time.sleep(2 * REPEAT)
        check(not notified("/tm", t_back), f"silenced alert notified after {how}")
        status, alerts = get_json(tm.url + "/api/v2/alerts", {"filter": "alertname=SilenceMe"})
        check(status == 200 and len(alerts) == 1 and alerts[0]["status"]["silencedBy"] == [ids["tm"]],
              f"after {how}, /api/v2/alerts: {alerts}")
    # /api/v1/alerts marks it too.
    _, v1 = get_json(tm.url + "/api/v1/alerts")
    marked = {a["labels"]["alertname"]: a.get("silencedBy") for a in v1["data"]["alerts"]}
    check(marked == {"SilenceMe": [ids["tm"]], "Bystander": None}, f"/api/v1/alerts: {marked}")

    # `amtool silence expire` ends it; both notify the alert again.
    t_expire = time.time()
    for name, url in (("tm", tm.url), ("am", am_url)):
        amtool(url, "silence", "expire", ids[name])
    for path in ("/tm", "/am"):
        check(wait_notified(path, t_expire, 20), f"{path} did not notify again after the silence expired")
    for name, url in (("tm", tm.url), ("am", am_url)):
        out = amtool(url, "silence", "query")
        check(ids[name] not in out, f"expired silence listed as active by {name}:\n{out}")
        out = amtool(url, "silence", "query", "--expired")
        check(ids[name] in out, f"amtool silence query --expired against {name}:\n{out}")
    compare_silences(tm.url, am_url, ids, check)
    compare_alerts(tm.url, am_url, {}, check, restarted=True)

    # Receivers and status.
    s1, r1 = get_json(tm.url + "/api/v2/receivers")
    s2, r2 = get_json(am_url + "/api/v2/receivers")
    check(s1 == s2 == 200 and r1 == r2, f"receivers: {r1} vs {r2}")
    _, st1 = get_json(tm.url + "/api/v2/status")
    _, st2 = get_json(am_url + "/api/v2/status")
    check(st1["cluster"] == st2["cluster"], f"status.cluster: {st1['cluster']} vs {st2['cluster']}")
    check(set(st1) == set(st2) and set(st1["versionInfo"]) == set(st2["versionInfo"]),
          f"status keys: {sorted(st1)} vs {sorted(st2)}")
    check("webhook_configs" in st1["config"]["original"] and cap.url not in st1["config"]["original"],
          "status config.original must show the routes with the webhook URL masked")
    amtool(tm.url, "config", "show")
    # Error answers as Alertmanager's.
    for target in ("/api/v2/alerts?filter=bad", "/api/v2/silences?filter=bad",
                   "/api/v2/silence/not-a-uuid", "/api/v2/silence/00000000-0000-4000-8000-000000000000"):
        a = request("GET", tm.url + target)
        b = request("GET", am_url + target)
        check(a[0] == b[0] and a[2] == b[2], f"GET {target}: {a[0]} {a[2]!r} vs {b[0]} {b[2]!r}")
    good = {"matchers": [{"name": "a", "value": "b", "isRegex": False}], "startsAt": "2030-01-01T00:00:00Z",
            "endsAt": "2030-01-02T00:00:00Z", "createdBy": "x", "comment": "y"}
    bad_bodies = [dict(good, matchers=[{"name": "a", "value": "", "isRegex": False}]),
                  dict(good, matchers=[]),
                  {k: v for k, v in good.items() if k != "createdBy"},
                  dict(good, matchers=[{"name": "a", "isRegex": False}]),
                  dict(good, endsAt="2000-01-01T00:00:00Z", startsAt="1999-01-01T00:00:00Z"),
                  dict(good, startsAt="2030-01-03T00:00:00Z"),
                  dict(good, id="00000000-0000-4000-8000-000000000000")]
    for body in bad_bodies:
        raw = json.dumps(body).encode()
        a = request("POST", tm.url + "/api/v2/silences", raw, {"Content-Type": "application/json"})
        b = request("POST", am_url + "/api/v2/silences", raw, {"Content-Type": "application/json"})
        check(a[0] == b[0] and a[2] == b[2], f"POST {body}: {a[0]} {a[2]!r} vs {b[0]} {b[2]!r}")

    tm.stop()
    exit_on_failures(failures, tm, summary=f"amtool/API v2: {len(failures)} failures")
    print("OK")


def normalize_alert(a, idmap, restarted=False):
    a = dict(a)
    for k in ("updatedAt", "endsAt") + (("startsAt",) if restarted else ()):
        a.pop(k, None)
    a["status"] = dict(a["status"])
    a["status"]["silencedBy"] = [idmap.get(i, i) for i in a["status"]["silencedBy"]]
    return a


def compare_alerts(tm_url, am_url, idmap, check, params=None, restarted=False):
    # Both sides hold the same alerts once the last push reached Alertmanager: retry briefly.
    for attempt in range(20):
        s1, mine = get_json(tm_url + "/api/v2/alerts", params)
        s2, theirs = get_json(am_url + "/api/v2/alerts", params)
        mine_n = [normalize_alert(a, idmap, restarted) for a in mine or []]
        theirs_n = [normalize_alert(a, {}, restarted) for a in theirs or []]
        if s1 == s2 == 200 and mine_n == theirs_n:
            return
        time.sleep(0.3)
    check(False, f"/api/v2/alerts {params}:\n tidemark     {json.dumps(mine_n, sort_keys=True)}\n"
                 f" alertmanager {json.dumps(theirs_n, sort_keys=True)}")


def compare_groups(tm_url, am_url, idmap, check, params=None):
    for attempt in range(20):
        s1, mine = get_json(tm_url + "/api/v2/alerts/groups", params)
        s2, theirs = get_json(am_url + "/api/v2/alerts/groups", params)
        norm = lambda gs, m: [dict(g, alerts=[normalize_alert(a, m) for a in g["alerts"]]) for g in gs or []]
        if s1 == s2 == 200 and norm(mine, idmap) == norm(theirs, {}):
            return
        time.sleep(0.3)
    check(False, f"/api/v2/alerts/groups {params}:\n tidemark     {json.dumps(norm(mine, idmap), sort_keys=True)}\n"
                 f" alertmanager {json.dumps(norm(theirs, {}), sort_keys=True)}")


def normalize_silence(s):
    s = dict(s)
    for k in ("id", "startsAt", "endsAt", "updatedAt"):
        s.pop(k)
    return s


def compare_silences(tm_url, am_url, ids, check):
    s1, mine = get_json(tm_url + "/api/v2/silences")
    s2, theirs = get_json(am_url + "/api/v2/silences")
    check(s1 == s2 == 200 and [normalize_silence(s) for s in mine] == [normalize_silence(s) for s in theirs],
          f"/api/v2/silences:\n tidemark     {mine}\n alertmanager {theirs}")
    check([s["id"] for s in mine] == [ids["tm"]] and [s["id"] for s in theirs] == [ids["am"]],
          f"silence ids: {mine} / {theirs}")
    for flt in ("alertname=SilenceMe", "severity=~warn.*", "severity=warning"):
        _, a = get_json(tm_url + "/api/v2/silences", {"filter": flt})
        _, b = get_json(am_url + "/api/v2/silences", {"filter": flt})
        check(len(a) == len(b), f"/api/v2/silences?filter={flt}: {len(a)} vs {len(b)}")
    _, one = get_json(tm_url + "/api/v2/silence/" + ids["tm"])
    _, other = get_json(am_url + "/api/v2/silence/" + ids["am"])
    check(normalize_silence(one) == normalize_silence(other), f"/api/v2/silence/{{id}}: {one} vs {other}")
    for s in (one, other):
        check(s["startsAt"] < s["endsAt"] and s["updatedAt"].endswith("Z"), f"silence times: {s}")


if __name__ == "__main__":
    main()
