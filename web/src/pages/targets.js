// The targets page: scrape targets by pool with health, last scrape and error (/api/v1/targets).
import { api } from "../api.js";
import { h, ago, labelBadges, table } from "../util.js";

export async function renderTargetsPage(root) {
  root.append(h("h1", {}, "Targets"));
  let active = [];
  try {
    const { data } = await api("api/v1/targets");
    active = (data && data.activeTargets) || [];
  } catch (e) {
    if (e.status !== 404) throw e;  // a binary without scraping has no such route
  }
  if (active.length === 0) {
    root.append(h("p", { class: "empty" }, "No targets."));
    return;
  }
  const pools = new Map();
  for (const t of active) {
    if (!pools.has(t.scrapePool)) pools.set(t.scrapePool, []);
    pools.get(t.scrapePool).push(t);
  }
  for (const [pool, ts] of pools) {
    const up = ts.filter((t) => t.health === "up").length;
    root.append(h("section", { class: "pool" }, h("h2", {}, `${pool} (${up}/${ts.length} up)`),
      table(["Endpoint", "State", "Labels", "Last scrape", "Scrape duration", "Error"], ts.map((t) => [
        h("a", { href: t.scrapeUrl }, t.scrapeUrl),
        h("span", { class: "health health-" + t.health }, t.health.toUpperCase()),
        labelBadges(t.labels),
        ago(t.lastScrape),
        t.lastScrapeDuration !== undefined ? `${(t.lastScrapeDuration * 1000).toFixed(1)}ms` : "",
        t.lastError ? h("span", { class: "error" }, t.lastError) : "",
      ]), { class: "targets" })));
  }
}
