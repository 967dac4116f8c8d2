// Access to Tidemark's public HTTP API, relative to where the UI is served (so a route prefix
// taken from --web.external-url works).
export const PAGES = ["graph", "alerts", "rules", "slos", "tsdb-status", "targets", "flags", "config"];

// The UI's base path with a trailing slash: "/" or "/prefix/".
export function basePath() {
  const segs = location.pathname.split("/");
  if (PAGES.includes(segs[segs.length - 1])) segs.pop();
  else if (segs[segs.length - 1] !== "") segs.push("");
  let p = segs.join("/");
  if (!p.endsWith("/")) p += "/";
  return p;
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// GET (or POST form) base+path; returns the JSON's `data` (Prometheus envelope) or the body
// itself (Alertmanager v2 answers bare JSON). Throws ApiError with the server's message.
export async function api(path, params, method = "GET") {
  let url = basePath() + path.replace(/^\//, "");
  const init = { method, headers: { Accept: "application/json" } };
  if (params) {
    const q = new URLSearchParams(params);
    if (method === "GET") url += "?" + q;
    else init.body = q;
  }
  const r = await fetch(url, init);
  const text = await r.text();
  let j = null;
  try {
    j = JSON.parse(text);
  } catch {
    throw new ApiError(r.status, `${r.status} ${r.statusText}: ${text.slice(0, 200)}`);
  }
  if (!r.ok || (j && j.status === "error")) {
    throw new ApiError(r.status, (j && (j.error || j.message)) || `${r.status} ${r.statusText}`);
  }
  return j && j.status === "success" && "data" in j ? { data: j.data, warnings: j.warnings } : { data: j };
}
