// The query page: panels with a PromQL editor, a graph (uPlot) or table view, time range, end
// time and step. Its URL is the old Prometheus UI's (/graph?g0.expr=...&g0.tab=0&g0.range_input=1h
// &g0.end_input=...&g0.step_input=...), so links from notifications and bookmarks open here.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { api } from "./api.js";
import { createEditor } from "./editor.js";
import { h, parseDuration, formatDuration, parseTime, formatTime, labelsText } from "./util.js";

const DEFAULT_RANGE = 60 * 60 * 1000;
const RANGE_STEPS = ["1m", "5m", "15m", "30m", "1h", "2h", "6h", "12h", "1d", "2d", "1w", "2w", "4w", "8w", "1y"];
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf"];

// Panel options from g<i>.* query parameters (Prometheus' names), for every i present.
function panelsFromUrl(search) {
  const q = new URLSearchParams(search);
  const panels = [];
  for (let i = 0; ; i++) {
    const p = `g${i}.`;
    if (![...q.keys()].some((k) => k.startsWith(p))) break;
    const end = parseTime(q.get(p + "end_input")) ?? parseTime(q.get(p + "moment_input"));
    panels.push({
      expr: q.get(p + "expr") || "",
      tab: q.get(p + "tab") === "1" ? 1 : 0,
      range: parseDuration(q.get(p + "range_input")) || DEFAULT_RANGE,
      end,
      step: parseFloat(q.get(p + "step_input")) || null,
      stacked: q.get(p + "stacked") === "1",
    });
  }
  return panels;
}

function urlFromPanels(panels) {
  const q = new URLSearchParams();
  panels.forEach((o, i) => {
    const p = `g${i}.`;
    q.set(p + "expr", o.expr);
    q.set(p + "tab", String(o.tab));
    q.set(p + "stacked", o.stacked ? "1" : "0");
    q.set(p + "range_input", formatDuration(o.range));
    if (o.end !== null && o.end !== undefined) {
      q.set(p + "end_input", formatTime(o.end));
      q.set(p + "moment_input", formatTime(o.end));
    }
    if (o.step) q.set(p + "step_input", String(o.step));
  });
  return "?" + q.toString();
}

export function renderGraphPage(root, search, replaceUrl) {
  let panels = panelsFromUrl(search);
  if (panels.length === 0) panels = [{ expr: "", tab: 0, range: DEFAULT_RANGE, end: null, step: null, stacked: false }];
  const list = h("div", { class: "panels" });
  const sync = () => replaceUrl(urlFromPanels(panels));
  const add = (opts) => {
    panels.includes(opts) || panels.push(opts);
    list.append(new Panel(opts, sync, (self) => {
      panels = panels.filter((p) => p !== opts);
      self.remove();
      sync();
    }).el);
  };
  root.append(list, h("button", { class: "add", onclick: () => {
    add({ expr: "", tab: 0, range: DEFAULT_RANGE, end: null, step: null, stacked: false });
    sync();
  } }, "Add panel"));
  for (const p of [...panels]) add(p);
}

class Panel {
  constructor(opts, sync, onRemove) {
    this.o = opts;
    this.sync = sync;
    this.plot = null;
    const editorBox = h("div", { class: "editor" });
    this.editor = createEditor(editorBox, opts.expr, () => this.execute());
    this.errorBox = h("div", { class: "error", hidden: true });
    this.stats = h("span", { class: "stats" });
    this.rangeInput = h("input", { class: "range", value: formatDuration(opts.range), size: 6,
      onchange: () => this.setRange(parseDuration(this.rangeInput.value)) });
    this.endInput = h("input", { class: "end", placeholder: "now (UTC: YYYY-MM-DD HH:mm:ss)", size: 22,
      value: opts.end ? formatTime(opts.end) : "", onchange: () => {
        const t = parseTime(this.endInput.value);
        this.o.end = this.endInput.value.trim() === "" ? null : t;
        this.execute();
      } });
    this.stepInput = h("input", { class: "step", placeholder: "auto (s)", size: 8,
      value: opts.step || "", onchange: () => {
        this.o.step = parseFloat(this.stepInput.value) || null;
        this.execute();
      } });
    const stacked = h("input", { type: "checkbox", checked: opts.stacked, onchange: (e) => {
      this.o.stacked = e.target.checked;
      this.execute();
    } });
    this.tabs = [
      h("button", { class: "tab", onclick: () => this.setTab(0) }, "Graph"),
      h("button", { class: "tab", onclick: () => this.setTab(1) }, "Table"),
    ];
    this.graphControls = h("span", { class: "controls" },
      h("button", { title: "shrink range", onclick: () => this.stepRange(-1) }, "−"),
      this.rangeInput,
      h("button", { title: "grow range", onclick: () => this.stepRange(1) }, "+"),
      " step ", this.stepInput,
      h("label", {}, stacked, " stacked"));
    this.result = h("div", { class: "result" });
    this.el = h("section", { class: "panel" },
      h("div", { class: "query-row" }, editorBox,
        h("button", { class: "execute", onclick: () => this.execute() }, "Execute"),
        h("button", { class: "remove", title: "remove panel", onclick: () => {
          window.removeEventListener("resize", this.onResize);
          this.plot && this.plot.destroy();
          onRemove(this.el);
        } }, "✕")),
      h("div", { class: "tabs" }, this.tabs, h("span", { class: "controls" }, " end ", this.endInput),
        this.graphControls, this.stats),
      this.errorBox, this.result);
    this.showTab();
    if (opts.expr) setTimeout(() => this.execute(), 0);
    this.onResize = () => this.plot && this.plot.setSize(this.size());
    window.addEventListener("resize", this.onResize);
  }

  size() {
    return { width: Math.max(this.result.clientWidth - 10, 300), height: 360 };
  }

  setTab(t) {
    this.o.tab = t;
    this.showTab();
    this.execute();
  }

  showTab() {
    this.tabs.forEach((b, i) => b.classList.toggle("active", i === this.o.tab));
    this.graphControls.hidden = this.o.tab !== 0;
  }

  setRange(ms) {
    if (!ms) {
      this.rangeInput.value = formatDuration(this.o.range);
      return;
    }
    this.o.range = ms;
    this.rangeInput.value = formatDuration(ms);
    this.execute();
  }

  stepRange(dir) {
    const ms = RANGE_STEPS.map(parseDuration);
    let i = ms.findIndex((v) => v >= this.o.range);
    if (i < 0) i = ms.length - 1;
    else if (dir < 0 && ms[i] === this.o.range) i--;
    else if (dir < 0) i--;
    else if (ms[i] === this.o.range) i++;
    this.setRange(ms[Math.max(0, Math.min(ms.length - 1, i))]);
  }

  error(msg) {
    this.errorBox.hidden = !msg;
    this.errorBox.textContent = msg || "";
  }

  async execute() {
    this.o.expr = this.editor.get();
    this.sync();
    this.error(null);
    if (!this.o.expr.trim()) return;
    const started = performance.now();
    const end = (this.o.end ?? Date.now()) / 1000;
    try {
      if (this.o.tab === 1) {
        const { data, warnings } = await api("api/v1/query", { query: this.o.expr, time: end }, "POST");
        this.renderTable(data);
        this.done(started, data, warnings);
      } else {
        const range = this.o.range / 1000;
        const step = this.o.step || Math.max(Math.floor(range / 250), 1);
        const start = end - range;
        const { data, warnings } = await api("api/v1/query_range",
          { query: this.o.expr, start, end, step }, "POST");
        this.renderGraph(data, start, end, step);
        this.done(started, data, warnings);
      }
    } catch (e) {
      this.result.replaceChildren();
      this.error(e.message);
      this.stats.textContent = "";
    }
  }

  done(started, data, warnings) {
    const n = Array.isArray(data.result) ? data.result.length : 1;
    this.stats.textContent = `Load time: ${Math.round(performance.now() - started)}ms, result series: ${n}`;
    if (warnings && warnings.length) this.error("Warning: " + warnings.join("; "));
  }

  renderTable(data) {
    const rows = [];
    const v = data.result;
    if (data.resultType === "vector") {
      for (const s of v) rows.push([labelsText(s.metric), s.value[1]]);
    } else if (data.resultType === "matrix") {
      for (const s of v) rows.push([labelsText(s.metric), s.values.map((x) => `${x[1]} @${x[0]}`).join("\n")]);
    } else {
      rows.push(["scalar" === data.resultType ? "scalar" : "string", v[1]]);
    }
    const body = rows.length === 0 ? h("p", { class: "empty" }, "Empty query result")
      : h("table", { class: "data" }, h("tbody", {}, rows.map(([l, val]) =>
        h("tr", {}, h("td", { class: "series" }, l), h("td", { class: "value" }, val)))));
    this.plot && this.plot.destroy();
    this.plot = null;
    this.result.replaceChildren(body);
  }

  renderGraph(data, start, end, step) {
    this.plot && this.plot.destroy();
    this.plot = null;
    if (data.resultType !== "matrix") {
      this.result.replaceChildren(h("p", { class: "error" }, `Cannot graph a ${data.resultType}`));
      return;
    }
    if (data.result.length === 0) {
      this.result.replaceChildren(h("p", { class: "empty" }, "Empty query result"));
      return;
    }
    // query_range answers on the grid start + k*step; align every series on it.
    const n = Math.floor((end - start) / step + 1e-9) + 1;
    const xs = Array.from({ length: n }, (_, i) => start + i * step);
    const ys = data.result.map((s) => {
      const col = new Array(n).fill(null);
      for (const [t, v] of s.values) {
        const i = Math.round((t - start) / step);
        if (i >= 0 && i < n) col[i] = parseFloat(v);
      }
      return col;
    });
    if (this.o.stacked) {
      for (let k = 1; k < ys.length; k++) {
        for (let i = 0; i < n; i++) if (ys[k][i] !== null) ys[k][i] += ys[k - 1][i] ?? 0;
      }
    }
    const series = [{}].concat(data.result.map((s, k) => ({
      label: labelsText(s.metric),
      stroke: COLORS[k % COLORS.length],
      fill: this.o.stacked ? COLORS[k % COLORS.length] + "40" : undefined,
      width: 1.5,
      spanGaps: false,
    })));
    const box = h("div", { class: "graph" });
    this.result.replaceChildren(box);
    this.plot = new uPlot({ ...this.size(), series, scales: { x: { time: true } },
      axes: [{}, { size: 70 }], legend: { live: true } }, [xs, ...ys], box);
    box.dataset.series = String(data.result.length);
  }
}
