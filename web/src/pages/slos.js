// The SLO page: each SLO's objective, SLI, remaining error budget, burn rate per window and
// its alerts (/api/v1/slos, docs/slo.md).
import { api } from "../api.js";
import { h, pct, num, table } from "../util.js";

export async function renderSlosPage(root) {
  const { data, warnings } = await api("api/v1/slos");
  root.append(h("h1", {}, "Service level objectives"));
  for (const w of warnings || []) root.append(h("p", { class: "error" }, w));
  if (!data.slos || data.slos.length === 0) {
    root.append(h("p", { class: "empty" }, "No SLOs loaded (slo_files in the config)."));
    return;
  }
  for (const s of data.slos) {
    const b = s.errorBudget || {};
    const windows = Object.entries(s.burnRates || {});
    const alert = (a) => a ? h("span", { class: "state state-" + a.state }, `${a.name}: ${a.state}`) : "disabled";
    root.append(h("section", { class: "slo", "data-id": s.id },
      h("h2", {}, `${s.service} / ${s.name}`),
      s.description ? h("p", {}, s.description) : null,
      table(["Objective", "SLI (success)", "Error budget remaining", "Budget minutes left", "Period", "Data coverage"], [[
        `${s.objective} %`,
        pct(s.sli && s.sli.successRatio, 3),
        h("span", { class: "budget" + (b.remainingRatio < 0 ? " overspent" : "") }, pct(b.remainingRatio)),
        b.remainingMinutes === null || b.remainingMinutes === undefined ? "—"
          : `${num(b.remainingMinutes, 1)} of ${num(b.totalMinutes, 0)}`,
        `${s.periodDays}d`,
        s.coverage ? (s.coverage.complete ? "complete" : `${pct(s.coverage.ratio)} (since ${s.coverage.since || "—"})`) : "—",
      ]], { class: "slo-summary" }),
      h("h3", {}, "Burn rate per window"),
      table(windows.map(([w]) => w), [windows.map(([, v]) => h("span", {
        class: "burn" + (v !== null && v > 1 ? " hot" : "") }, num(v)))], { class: "burn-rates" }),
      h("p", {}, "Alerts: page ", alert(s.alerts && s.alerts.page), " · ticket ", alert(s.alerts && s.alerts.ticket))));
  }
}
