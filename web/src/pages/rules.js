// The rules page: every rule group with its rules' health, last evaluation, duration and
// last error (/api/v1/rules).
import { api } from "../api.js";
import { h, ago, table, labelBadges } from "../util.js";

export async function renderRulesPage(root) {
  const { data } = await api("api/v1/rules");
  root.append(h("h1", {}, "Rules"));
  if (data.groups.length === 0) root.append(h("p", { class: "empty" }, "No rule groups loaded."));
  for (const g of data.groups) {
    root.append(h("section", { class: "rule-group" },
      h("h2", {}, g.name, " ", h("span", { class: "muted" }, g.file)),
      h("p", { class: "muted" }, `interval ${g.interval}s · last evaluation ${ago(g.lastEvaluation)}` +
        ` · took ${(g.evaluationTime * 1000).toFixed(3)}ms`),
      table(["Rule", "State", "Error", "Last evaluation", "Evaluation time"], g.rules.map((r) => [
        h("div", {},
          h("div", {}, h("b", {}, r.type === "alerting" ? "alert: " : "record: "), h("span", { class: "name" }, r.name)),
          h("pre", { class: "expr" }, r.query),
          r.labels && Object.keys(r.labels).length ? labelBadges(r.labels) : null),
        h("span", { class: "health health-" + r.health }, r.health),
        r.lastError ? h("span", { class: "error" }, r.lastError) : "",
        ago(r.lastEvaluation),
        `${(r.evaluationTime * 1000).toFixed(3)}ms`,
      ]), { class: "rules" })));
  }
}
