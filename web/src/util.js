// Small DOM and formatting helpers shared by the pages (no framework: the pages are plain DOM).

// h("div", {class: "x", onclick: fn}, child, "text", [more]) builds an element.
export function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  append(e, children);
  return e;
}

function append(e, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(e, c);
    else e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// Prometheus-style durations: 1h30m, 2d, 500ms, 1w, 1y. Returns milliseconds or null.
const UNITS = { y: 365 * 86400e3, w: 7 * 86400e3, d: 86400e3, h: 3600e3, m: 60e3, s: 1e3, ms: 1 };
export function parseDuration(s) {
  s = (s || "").trim();
  if (!s) return null;
  const re = /(\d+(?:\.\d+)?)(ms|y|w|d|h|m|s)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return null;
    total += parseFloat(m[1]) * UNITS[m[2]];
    pos = re.lastIndex;
  }
  return total;
}

export function formatDuration(ms) {
  if (ms === 0) return "0s";
  let out = "";
  for (const u of ["y", "w", "d", "h", "m", "s", "ms"]) {
    const n = Math.floor(ms / UNITS[u]);
    if (n > 0) {
      out += n + u;
      ms -= n * UNITS[u];
    }
  }
  return out;
}

// "YYYY-MM-DD HH:mm:ss" in UTC, the old Prometheus UI's g0.end_input format.
export function formatTime(ms) {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "");
}

// Accepts the old UI's "YYYY-MM-DD HH:mm[:ss]" (UTC), RFC 3339, or Unix seconds. null if invalid.
export function parseTime(s) {
  s = (s || "").trim();
  if (!s) return null;
  if (/^\d+(\.\d+)?$/.test(s)) return parseFloat(s) * 1000;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!m) return null;
  const t = Date.parse(`${m[1]}T${m[2].length === 5 ? m[2] + ":00" : m[2]}${m[3] || "Z"}`);
  return isNaN(t) ? null : t;
}

// Seconds since the epoch or an RFC 3339 string, shown relative to now ("3m ago").
export function ago(t) {
  const ms = typeof t === "number" ? t * 1000 : Date.parse(t);
  if (!ms || isNaN(ms) || ms <= 0) return "never";
  const d = Date.now() - ms;
  if (d < 0) return "in " + formatDuration(Math.round(-d / 1000) * 1000);
  return formatDuration(Math.round(d / 1000) * 1000) + " ago";
}

export function labelsText(labels, skipName) {
  const parts = Object.entries(labels || {})
    .filter(([k]) => !(skipName && k === "__name__"))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  const name = skipName ? "" : (labels || {}).__name__ || "";
  if (!skipName) return name + "{" + parts.filter((p) => !p.startsWith("__name__=")).join(", ") + "}";
  return "{" + parts.join(", ") + "}";
}

export function labelBadges(labels) {
  return h("span", { class: "labels" },
    Object.entries(labels || {}).map(([k, v]) => h("span", { class: "badge" }, `${k}=${v}`)));
}

// A value rendered as a link when it is an http(s) URL (runbook_url and similar annotations).
export function maybeLink(v) {
  return /^https?:\/\//.test(v) ? h("a", { href: v, target: "_blank", rel: "noopener" }, v) : v;
}

export function table(headers, rows, attrs) {
  return h("table", attrs || {},
    h("thead", {}, h("tr", {}, headers.map((x) => h("th", {}, x)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))));
}

export function pct(ratio, digits = 2) {
  return ratio === null || ratio === undefined ? "—" : (ratio * 100).toFixed(digits) + " %";
}

export function num(v, digits = 3) {
  return v === null || v === undefined ? "—" : Number(v).toFixed(digits);
}
