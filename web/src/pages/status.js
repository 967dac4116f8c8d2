// Status pages: TSDB head stats and top cardinality, command-line flags, and the loaded config.
import { api } from "../api.js";
import { h, table } from "../util.js";

export async function renderTsdbPage(root) {
  const { data } = await api("api/v1/status/tsdb");
  const hs = data.headStats || {};
  const time = (ms) => (ms && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms));
  root.append(h("h1", {}, "TSDB status"),
    h("h2", {}, "Head"),
    table(["Number of series", "Number of chunks", "Number of label pairs", "Current min time", "Current max time"],
      [[hs.numSeries, hs.chunkCount, hs.numLabelPairs, time(hs.minTime), time(hs.maxTime)]], { class: "head-stats" }));
  const top = (title, key, col) => {
    root.append(h("h2", {}, title), table(["Name", col], (data[key] || []).map((x) => [x.name, x.value]),
      { class: "top " + key }));
  };
  top("Top series count by metric name", "seriesCountByMetricName", "Count");
  top("Top label names with value count", "labelValueCountByLabelName", "Count");
  top("Top label names with high memory usage", "memoryInBytesByLabelName", "Bytes");
  top("Top series count by label value pairs", "seriesCountByLabelValuePair", "Count");
}

export async function renderFlagsPage(root) {
  const { data } = await api("api/v1/status/flags");
  root.append(h("h1", {}, "Command-line flags"),
    table(["Flag", "Value"], Object.entries(data).sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [h("code", {}, k), v]), { class: "flags" }));
}

export async function renderConfigPage(root) {
  const { data } = await api("api/v1/status/config");
  root.append(h("h1", {}, "Configuration"), h("pre", { class: "config" }, data.yaml || "(empty)"));
}
