// Entry point: navigation bar and client-side routing between the pages. Paths are the server's
// app routes (/graph, /alerts, ...); Alertmanager-style "#/alerts" links land on the alerts page.
import "./style.css";
import { basePath, PAGES } from "./api.js";
import { h } from "./util.js";
import { renderGraphPage } from "./graph.js";
import { renderAlertsPage } from "./pages/alerts.js";
import { renderRulesPage } from "./pages/rules.js";
import { renderSlosPage } from "./pages/slos.js";
import { renderTargetsPage } from "./pages/targets.js";
import { renderTsdbPage, renderFlagsPage, renderConfigPage } from "./pages/status.js";

const ROUTES = {
  graph: ["Graph", renderGraphPage],
  alerts: ["Alerts", renderAlertsPage],
  rules: ["Rules", renderRulesPage],
  slos: ["SLOs", renderSlosPage],
  targets: ["Targets", renderTargetsPage],
  "tsdb-status": ["TSDB status", renderTsdbPage],
  flags: ["Flags", renderFlagsPage],
  config: ["Config", renderConfigPage],
};

const base = basePath();

function currentPage() {
  const last = location.pathname.slice(base.length);
  return PAGES.includes(last) ? last : "graph";
}

function navigate(page, search) {
  history.pushState(null, "", base + page + (search || ""));
  render();
}

function renderNav(page) {
  const nav = document.getElementById("nav");
  nav.replaceChildren(h("a", { class: "brand", href: base }, "Tidemark"),
    ...Object.entries(ROUTES).map(([p, [title]]) => h("a", {
      href: base + p,
      class: p === page ? "active" : null,
      onclick: (e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(p);
      },
    }, title)));
}

async function render() {
  // Alertmanager's links (externalURL + "/#/alerts?receiver=...") open the alerts page.
  if (location.hash.startsWith("#/alerts")) {
    history.replaceState(null, "", base + "alerts");
  }
  const page = currentPage();
  renderNav(page);
  const main = document.getElementById("main");
  main.replaceChildren();
  main.dataset.page = page;
  document.title = `${ROUTES[page][0]} - Tidemark`;
  const replaceUrl = (search) => history.replaceState(null, "", base + page + search);
  try {
    await ROUTES[page][1](main, location.search, replaceUrl);
    main.dataset.loaded = "true";
  } catch (e) {
    main.append(h("p", { class: "error" }, `Error loading ${page}: ${e.message}`));
    main.dataset.loaded = "error";
  }
}

window.addEventListener("popstate", render);
render();
