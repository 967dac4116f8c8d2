"""The built-in web UI end to end in headless Chromium (Debian's `chromium`, driven by
`playwright-core` from the web UI's own npm install in the build tree): a server with remote-written
data, a firing alert, a recording rule, an SLO and a webhook receiver; ui/ui_check.mjs types a
query, checks completion, the graph and the table against the API, opens every page, and opens the
links the webhook notification carried (generatorURL, externalURL + "/#/alerts"). Screenshots go to
<build>/test-artifacts/ui/. The asset routes' HTTP details are in tests/http/ui_routes_test.cc."""
import json
import os
import subprocess
import time

import tmtest
from promwrite import demo_dataset, remote_write
from receiver import Capture

RULES = """groups:
  - name: demo
    interval: 1s
    rules:
      - record: job:http_requests:rate5m
        expr: sum by (job) (rate(http_requests_total[5m]))
      - alert: HighErrorRate
        expr: sum by (job) (rate(http_requests_total{code="500"}[5m])) > 0.1
        labels: {severity: page}
        annotations:
          summary: "{{ $labels.job }} serves errors"
          runbook_url: https://runbooks.example/high-error-rate
      - alert: NeverFires
        expr: up == 42
"""

SLO = """version: prometheus/v1
service: api
slos:
  - name: requests
    objective: 99.5
    description: api requests succeed
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="api",code="500"}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="api"}[{{.window}}]))
    alerting:
      name: ApiBudgetBurn
"""


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def main():
    chromium = tmtest.which("chromium", "chromium-browser")
    if not chromium:
        raise AssertionError("chromium is not installed (scripts/install-deps.sh installs it)")
    build_dir = os.environ.get("TM_BUILD_DIR", os.path.join(tmtest.SOURCE_DIR, "build"))
    modules = os.path.join(build_dir, "web", "node_modules")
    if not os.path.isdir(os.path.join(modules, "playwright-core")):
        raise AssertionError(f"{modules} has no playwright-core: build the web UI (TM_WEB_UI=ON)")
    artifacts = os.path.join(build_dir, "test-artifacts", "ui")
    os.makedirs(artifacts, exist_ok=True)

    hook = Capture()
    d = tmtest.tempdir()
    write(os.path.join(d, "rules.yml"), RULES)
    write(os.path.join(d, "slo.yml"), SLO)
    cfg = os.path.join(d, "tidemark.yml")
    write(cfg, f"""global:
  evaluation_interval: 1s
rule_files: [rules.yml]
slo_files: [slo.yml]
notifications:
  route:
    receiver: team
    group_by: [alertname]
    group_wait: 0s
  receivers:
    - name: team
      webhook_configs:
        - url: {hook.url}/hook
""")
    port = tmtest.free_port()
    # The external URL as a user behind a proxy gives it, with a path and a trailing slash: the UI
    # and API move under /tm (the route prefix, as Prometheus), and links are <base>/graph?...
    tm = tmtest.Tidemark("--storage", "memory", f"--web.external-url=http://127.0.0.1:{port}/tm/",
                         config=cfg, port=port)
    base = tm.url + "/tm"
    now = int(time.time() * 1000)
    series, _ = demo_dataset(now)
    assert remote_write(base + "/api/v1/write", series) == 204

    got = hook.wait(lambda i: any(a["labels"].get("alertname") == "HighErrorRate"
                                  for a in i[2].get("alerts", [])), 30)
    assert got, "no webhook notification for HighErrorRate:\n" + tm.log()
    payload = got[0][2]
    links = {"externalURL": payload["externalURL"], "generatorURL": payload["alerts"][0]["generatorURL"]}
    print("notification links:", json.dumps(links))
    assert links["externalURL"] == base, links
    assert links["generatorURL"].startswith(base + "/graph?g0.expr="), links

    env = dict(os.environ, TM_URL=base, TM_NODE_MODULES=modules, TM_CHROMIUM=chromium,
               TM_ARTIFACTS=artifacts, TM_LINKS=json.dumps(links))
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ui", "ui_check.mjs")
    p = subprocess.run(["node", script], env=env, capture_output=True, text=True, timeout=300)
    print(p.stdout)
    print(p.stderr)
    tmtest.exit_on_failures(["ui_check.mjs failed"] if p.returncode != 0 else [], tm=tm,
                            summary=f"screenshots in {artifacts}")


if __name__ == "__main__":
    main()
