// Browser half of ui_test.py: drives Debian's Chromium with playwright-core through every page
// of the web UI and compares what it shows with the API's answers. Exits 1 on any failure.
// Env: TM_URL (the UI's base), TM_NODE_MODULES, TM_CHROMIUM, TM_ARTIFACTS, TM_LINKS (JSON).
import { createRequire } from "node:module";
import { join } from "node:path";

const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set`);
  return process.env[k];
};
const base = env("TM_URL");
const artifacts = env("TM_ARTIFACTS");
const links = JSON.parse(env("TM_LINKS"));
const { chromium } = createRequire(join(env("TM_NODE_MODULES"), "noop.js"))("playwright-core");

const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

async function api(path, params) {
  const r = await fetch(`${base}${path}${params ? "?" + new URLSearchParams(params) : ""}`);
  const j = await r.json();
  return j.data !== undefined ? j.data : j;
}

const browser = await chromium.launch({ executablePath: env("TM_CHROMIUM"), args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(e.message));
const offsite = [];
page.on("request", (r) => {
  if (!r.url().startsWith(new URL(base).origin) && !r.url().startsWith("data:")) offsite.push(r.url());
});
const shot = (name) => page.screenshot({ path: join(artifacts, name + ".png"), fullPage: true });
const loaded = () => page.waitForSelector("main[data-loaded]", { timeout: 15000 });
const text = () => page.locator("main").innerText();

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    check(false, `${name}: ${e.message.split("\n")[0]}`);
    await shot("failed-" + name).catch(() => {});
  }
}

await step("graph", async () => {
  await page.goto(base + "/");
  await page.waitForSelector(".cm-content");
  await page.click(".cm-content");
  await page.keyboard.type("http_requests_to");
  const option = page.locator(".cm-tooltip-autocomplete li", { hasText: "http_requests_total" });
  await option.first().waitFor({ timeout: 10000 });
  check(true, "completion offers the metric name http_requests_total");
  await option.first().click();  // accepts the completion
  await page.keyboard.type('{code="500"}');
  const expr = await page.locator(".cm-content").innerText();
  check(expr.startsWith('http_requests_total{code="500"}'), `editor holds the completed query: ${expr}`);
  // The lezer grammar's highlighting marks the metric name and the string differently.
  const spans = await page.locator(".cm-content span").count();
  check(spans >= 2, `query is highlighted (${spans} styled spans)`);
  await page.keyboard.press("Escape");
  await page.keyboard.press("Enter");  // runs the query
  await page.waitForSelector(".graph[data-series] canvas", { timeout: 15000 });
  const apiSeries = (await api("/api/v1/query", { query: 'http_requests_total{code="500"}' })).result.length;
  const shown = Number(await page.getAttribute(".graph", "data-series"));
  check(shown === apiSeries && shown > 0, `graph draws ${shown} series, the API returns ${apiSeries}`);
  // The series' colours must be on the canvas: lines were drawn, not only axes and grid (grey).
  // (The three series have equal values here, so the last one drawn covers the others.)
  const colours = await page.$$eval(".graph .u-legend tr.u-series:not(:first-child) .u-marker", (ms) => ms.map((m) => getComputedStyle(m).borderColor));
  const coloured = await page.$eval(".graph canvas", (c, cols) => {
    const rgb = cols.map((s) => s.match(/\d+/g).slice(0, 3).map(Number));
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (rgb.some(([r, g, b]) => Math.abs(d[i] - r) < 12 && Math.abs(d[i + 1] - g) < 12 && Math.abs(d[i + 2] - b) < 12)) n++;
    }
    return n;
  }, colours);
  check(colours.length === apiSeries && coloured > 100,
    `the graph's canvas has ${coloured} pixels in the ${colours.length} series' colours`);
  const url = new URL(page.url());
  check(url.pathname.endsWith("/graph") && url.searchParams.get("g0.expr") === 'http_requests_total{code="500"}' &&
    url.searchParams.get("g0.tab") === "0", `the URL is shareable: ${url.pathname}${url.search}`);
  await shot("graph");

  await page.click("button.tab >> text=Table");
  await page.waitForSelector("table.data");
  const rows = await page.$$eval("table.data tr", (trs) => trs.map((tr) =>
    [tr.querySelector(".series").innerText, tr.querySelector(".value").innerText]));
  const res = (await api("/api/v1/query", { query: 'http_requests_total{code="500"}' })).result;
  const want = res.map((s) => s.value[1]).sort();
  const got = rows.map((r) => r[1]).sort();
  check(JSON.stringify(got) === JSON.stringify(want) && want.length > 0,
    `table values ${JSON.stringify(got)} equal the API's ${JSON.stringify(want)}`);
  check(rows.every((r) => r[0].includes('code="500"')), "table rows show the series' labels");
  await shot("table");
});

await step("old-ui-url", async () => {
  // A bookmark of the old Prometheus UI: table tab, fixed end time, 30m range, step.
  const q = "sum by (job) (http_requests_total)";
  const end = new Date(Date.now() - 60_000);
  const endInput = end.toISOString().replace("T", " ").replace(/\.\d+Z$/, "");
  await page.goto(`${base}/graph?g0.expr=${encodeURIComponent(q)}&g0.tab=1&g0.range_input=30m` +
    `&g0.end_input=${encodeURIComponent(endInput)}&g0.step_input=30`);
  await page.waitForSelector("table.data");
  const res = (await api("/api/v1/query", { query: q, time: Math.floor(end.getTime() / 1000) })).result;
  const got = (await page.$$eval("table.data td.value", (tds) => tds.map((t) => t.innerText))).sort();
  const want = res.map((s) => s.value[1]).sort();
  check(JSON.stringify(got) === JSON.stringify(want) && want.length === 2,
    `g0.end_input is honoured: ${JSON.stringify(got)} vs API at that time ${JSON.stringify(want)}`);
  check(await page.inputValue("input.range") === "30m", "g0.range_input is honoured");
  check(await page.inputValue("input.step") === "30", "g0.step_input is honoured");
});

await step("generatorURL", async () => {
  await page.goto(links.generatorURL);
  await page.waitForSelector("table.data", { timeout: 15000 });
  const expr = await page.locator(".cm-content").innerText();
  check(expr.includes("http_requests_total") && expr.includes("500"), `generatorURL opens its query: ${expr}`);
  const n = await page.locator("table.data tr").count();
  check(n === 2, `generatorURL's table shows the 2 firing series (${n})`);
  await shot("generator-url");
});

await step("alerts", async () => {
  await page.goto(links.externalURL + "/#/alerts?receiver=team");
  await loaded();
  check(new URL(page.url()).pathname.endsWith("/alerts"), `externalURL/#/alerts lands on ${page.url()}`);
  const t = await text();
  const alerts = (await api("/api/v1/alerts")).alerts.filter((a) => a.labels.alertname === "HighErrorRate");
  check(alerts.length === 2 && alerts.every((a) => a.state === "firing"), "API: HighErrorRate fires twice");
  check(t.includes("HighErrorRate") && t.includes("FIRING") && t.includes("NeverFires") &&
    t.includes("INACTIVE"), "alerts page shows the rules and their states");
  for (const a of alerts) {
    check(t.includes(`job=${a.labels.job}`), `alerts page shows label job=${a.labels.job}`);
    check(t.includes(a.annotations.summary), `alerts page shows annotation "${a.annotations.summary}"`);
  }
  const runbook = await page.locator("a[href='https://runbooks.example/high-error-rate']").count();
  check(runbook >= 1, `runbook_url is a link (${runbook})`);
  check(t.includes("No active or pending silences"), "no silences yet");
  await shot("alerts");
});

await step("silences", async () => {
  const now = Date.now();
  const r = await fetch(base + "/api/v2/silences", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ matchers: [{ name: "job", value: "db", isRegex: false }], createdBy: "ui-test",
      comment: "db maintenance", startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3600e3).toISOString() }) });
  check(r.status === 200, `silence created (${r.status})`);
  await page.goto(base + "/alerts");
  await loaded();
  const t = await text();
  check(t.includes("db maintenance") && t.includes("ui-test") && t.includes('job="db"'),
    "alerts page lists the silence from /api/v2/silences");
});

await step("rules", async () => {
  await page.click("nav a >> text=Rules");
  await loaded();
  const t = await text();
  const groups = (await api("/api/v1/rules")).groups;
  for (const g of groups) check(t.includes(g.name), `rules page shows group ${g.name}`);
  const rec = groups.flatMap((g) => g.rules).find((r) => r.name === "job:http_requests:rate5m");
  check(rec && rec.health === "ok" && t.includes("job:http_requests:rate5m") && t.includes("ok"),
    "rules page shows the recording rule and its health");
  check(/ago/.test(t) && /ms/.test(t), "rules page shows last evaluation and duration");
  await shot("rules");
});

await step("slos", async () => {
  // Rules keep evaluating while the page loads, so the page must match the API read just before
  // or just after it.
  const budgetOf = (slo) => (slo.errorBudget.remainingRatio * 100).toFixed(2) + " %";
  const before = (await api("/api/v1/slos")).slos[0];
  await page.click("nav a >> text=SLOs");
  await loaded();
  const t = await text();
  const slo = (await api("/api/v1/slos")).slos[0];
  check(t.includes("api / requests") && t.includes("99.5 %"), "SLO page shows the SLO and its objective");
  for (const w of Object.keys(slo.burnRates)) check(t.includes(w), `SLO page shows burn-rate window ${w}`);
  const budgets = [budgetOf(before), budgetOf(slo)];
  check(budgets.some((b) => t.includes(b)), `SLO page shows the remaining error budget ${budgets.join(" or ")}`);
  await shot("slos");
});

await step("tsdb-status", async () => {
  // Rule evaluations may add series (ALERTS, recording rules) while the page loads.
  const before = await api("/api/v1/status/tsdb");
  await page.click("nav a >> text=TSDB status");
  await loaded();
  const t = await text();
  const s = await api("/api/v1/status/tsdb");
  const counts = [before.headStats.numSeries, s.headStats.numSeries].map(String);
  check(counts.some((n) => t.includes(n)), `TSDB page shows numSeries ${counts.join(" or ")}`);
  check(s.seriesCountByMetricName.every((m) => t.includes(m.name)), "TSDB page shows the top metrics");
  await shot("tsdb-status");
});

await step("targets-flags-config", async () => {
  await page.goto(base + "/targets");
  await loaded();
  const r = await fetch(base + "/api/v1/targets");
  const active = r.status === 200 ? ((await r.json()).data.activeTargets || []) : [];
  const t = await text();
  check(active.length === 0 ? t.includes("No targets.") : active.every((x) => t.includes(x.scrapeUrl)),
    `targets page matches /api/v1/targets (${r.status}, ${active.length} targets)`);
  await page.goto(base + "/flags");
  await loaded();
  const flags = await api("/api/v1/status/flags");
  const ft = await text();
  check(ft.includes("web.external-url") && ft.includes(flags["web.external-url"]), "flags page shows the flags");
  await page.goto(base + "/config");
  await loaded();
  check((await text()).includes("evaluation_interval"), "config page shows the config YAML");
  await shot("config");
});

check(pageErrors.length === 0, `no JavaScript errors (${pageErrors.join("; ")})`);
check(offsite.length === 0, `nothing fetched from elsewhere (${offsite.join(", ")})`);
await browser.close();
console.log(`${failures.length === 0 ? "all" : failures.length} checks ${failures.length ? "failed" : "passed"}`);
process.exit(failures.length ? 1 : 0);
