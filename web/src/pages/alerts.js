// The alerts page: alerting rules with their pending/firing alerts (labels, annotations, runbook
// links) from /api/v1/rules, and the silences from Alertmanager's /api/v2/silences.
import { api } from "../api.js";
import { h, ago, labelBadges, maybeLink, table } from "../util.js";

const STATES = ["firing", "pending", "inactive"];
// Alertmanager matcher operators by isEqual and isRegex.
const MATCH_OPS = { truefalse: "=", truetrue: "=~", falsefalse: "!=", falsetrue: "!~" };

export async function renderAlertsPage(root) {
  const [rules, silences] = await Promise.all([
    api("api/v1/rules", { type: "alert" }),
    api("api/v2/silences").catch((e) => ({ error: e })),
  ]);
  const rows = [];
  for (const g of rules.data.groups) {
    for (const r of g.rules) if (r.type === "alerting") rows.push({ group: g, rule: r });
  }
  const counts = Object.fromEntries(STATES.map((s) => [s, rows.filter((x) => x.rule.state === s).length]));
  const show = new Set(["firing", "pending", "inactive"]);
  const list = h("div", { class: "alert-rules" });
  const draw = () => list.replaceChildren(...rows.filter((x) => show.has(x.rule.state)).map(alertRule));
  root.append(
    h("h1", {}, "Alerts"),
    h("div", { class: "filters" }, STATES.map((s) => h("label", { class: "state-" + s },
      h("input", { type: "checkbox", checked: true, onchange: (e) => {
        e.target.checked ? show.add(s) : show.delete(s);
        draw();
      } }), ` ${s[0].toUpperCase() + s.slice(1)} (${counts[s]})`))),
    rows.length === 0 ? h("p", { class: "empty" }, "No alerting rules.") : list,
    h("h2", {}, "Silences"),
    silencesView(silences));
  draw();
}

function alertRule({ group, rule }) {
  const alerts = rule.alerts || [];
  return h("details", { class: "alert-rule state-" + rule.state, open: rule.state !== "inactive" },
    h("summary", {}, h("span", { class: "state" }, rule.state.toUpperCase()), " ",
      h("b", { class: "name" }, rule.name), ` (${alerts.length} active) `,
      h("span", { class: "muted" }, `${group.file} > ${group.name}`)),
    h("pre", { class: "rule-def" }, ruleYaml(rule)),
    alerts.length === 0 ? null : table(["Labels", "State", "Active since", "Value", "Annotations"],
      alerts.map((a) => [
        labelBadges(a.labels),
        h("span", { class: "state state-" + a.state }, a.state.toUpperCase()),
        a.activeAt ? `${a.activeAt} (${ago(a.activeAt)})` : "",
        a.value,
        annotations(a.annotations),
      ]), { class: "alerts" }));
}

function annotations(ann) {
  return h("dl", { class: "annotations" }, Object.entries(ann || {}).flatMap(([k, v]) =>
    [h("dt", {}, k), h("dd", { class: "annotation-" + k }, maybeLink(v))]));
}

function ruleYaml(r) {
  let s = `alert: ${r.name}\nexpr: ${r.query}\n`;
  if (r.duration) s += `for: ${r.duration}s\n`;
  if (r.keepFiringFor) s += `keep_firing_for: ${r.keepFiringFor}s\n`;
  const block = (name, m) => {
    const e = Object.entries(m || {});
    if (e.length) s += `${name}:\n` + e.map(([k, v]) => `  ${k}: ${JSON.stringify(v)}\n`).join("");
  };
  block("labels", r.labels);
  block("annotations", r.annotations);
  return s;
}

function silencesView(res) {
  if (res.error) return h("p", { class: "error" }, `Silences unavailable: ${res.error.message}`);
  const list = (res.data || []).filter((s) => s.status && s.status.state !== "expired");
  if (list.length === 0) return h("p", { class: "empty" }, "No active or pending silences.");
  return table(["State", "Matchers", "Ends", "Created by", "Comment", "ID"], list.map((s) => [
    s.status.state,
    h("span", { class: "labels" }, s.matchers.map((m) => h("span", { class: "badge" },
      `${m.name}${MATCH_OPS[`${m.isEqual !== false}${!!m.isRegex}`]}${JSON.stringify(m.value)}`))),
    `${s.endsAt} (${ago(s.endsAt)})`,
    s.createdBy,
    s.comment,
    h("code", {}, s.id),
  ]), { class: "silences" });
}
