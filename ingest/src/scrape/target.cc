// Target construction (see target.h).
#include "target.h"

#include <algorithm>
#include <map>

#include "tidemark/storage/model/strconv.h"

namespace tidemark::ingest {

const std::vector<std::string>& DefaultScrapeProtocols() {
  // Prometheus 3.x's DefaultScrapeProtocols without protobuf, which Tidemark does not parse.
  static const std::vector<std::string> kDefault = {"OpenMetricsText1.0.0", "OpenMetricsText0.0.1",
                                                    "PrometheusText1.0.0", "PrometheusText0.0.4"};
  return kDefault;
}

bool IsSupportedScrapeProtocol(const std::string& name) {
  const auto& d = DefaultScrapeProtocols();
  return std::find(d.begin(), d.end(), name) != d.end();
}

}  // namespace tidemark::ingest

namespace tidemark::ingest::scrape {

namespace {

std::string ProtocolHeader(const std::string& p) {
  if (p == "OpenMetricsText1.0.0") return "application/openmetrics-text;version=1.0.0";
  if (p == "OpenMetricsText0.0.1") return "application/openmetrics-text;version=0.0.1";
  if (p == "PrometheusText1.0.0") return "text/plain;version=1.0.0";
  return "text/plain;version=0.0.4";
}

uint64_t Fnv64a(std::string_view s, uint64_t h = 14695981039346656037ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

std::string ProtocolMediaType(const std::string& protocol) {
  std::string h = ProtocolHeader(protocol);
  return h.substr(0, h.find(';'));
}

std::string AcceptHeader(const std::vector<std::string>& protocols) {
  // Prometheus: weights count down from (number of known protocols + 1); the 1.0.0 text formats
  // carry the escaping scheme (allow-utf-8: names outside the legacy charset come quoted).
  int weight = 6;
  std::string out;
  for (const std::string& p : protocols) {
    out += ProtocolHeader(p);
    if (p == "PrometheusText1.0.0" || p == "OpenMetricsText1.0.0") out += ";escaping=allow-utf-8";
    out += ";q=0." + std::to_string(weight--) + ",";
  }
  out += "*/*;q=0." + std::to_string(weight);
  return out;
}

int64_t FirstScrapeDelayMs(uint64_t hash, uint64_t seed, int64_t interval_ms, int64_t now_ms) {
  const int64_t base = interval_ms - ((now_ms % interval_ms) + interval_ms) % interval_ms;
  const int64_t offset = static_cast<int64_t>((hash ^ seed) % static_cast<uint64_t>(interval_ms));
  int64_t next = base + offset;
  if (next > interval_ms) next -= interval_ms;
  return next;
}

Result<std::optional<Target>> PopulateTarget(const ScrapeConfig& cfg, const std::string& address,
                                             const std::vector<std::pair<std::string, std::string>>& group_labels,
                                             Labels* discovered) {
  LabelsBuilder lb;
  lb.Set("__address__", address);
  for (const auto& [n, v] : group_labels) {
    if (n != "__address__" || address.empty()) lb.Set(n, v);
  }
  auto set_default = [&lb](std::string_view n, std::string_view v) {
    if (lb.Get(n).empty()) lb.Set(n, v);
  };
  set_default("job", cfg.job_name);
  set_default("__scrape_interval__", FormatDuration(cfg.scrape_interval_ms));
  set_default("__scrape_timeout__", FormatDuration(cfg.scrape_timeout_ms));
  set_default("__metrics_path__", cfg.metrics_path);
  set_default("__scheme__", cfg.scheme);
  for (const auto& [k, vs] : cfg.params) {
    if (!vs.empty()) set_default("__param_" + k, vs[0]);
  }
  *discovered = lb.Build();
  if (cfg.relabel && !cfg.relabel->Apply(lb)) return std::optional<Target>();

  const std::string addr(lb.Get("__address__"));
  if (addr.empty()) return Status::InvalidArgument("no address");
  if (addr.find('/') != std::string::npos) {
    return Status::InvalidArgument("\"" + addr + "\" is not a valid hostname");
  }
  Target t;
  t.discovered = *discovered;
  auto interval = ParseDuration(lb.Get("__scrape_interval__"));
  if (!interval.ok()) return Status::InvalidArgument("error parsing scrape interval: " + interval.status().message());
  if (*interval == 0) return Status::InvalidArgument("scrape interval cannot be 0");
  auto timeout = ParseDuration(lb.Get("__scrape_timeout__"));
  if (!timeout.ok()) return Status::InvalidArgument("error parsing scrape timeout: " + timeout.status().message());
  if (*timeout == 0) return Status::InvalidArgument("scrape timeout cannot be 0");
  if (*timeout > *interval) {
    return Status::InvalidArgument("scrape timeout cannot be greater than scrape interval (\"" +
                                   std::string(lb.Get("__scrape_timeout__")) + "\" > \"" +
                                   std::string(lb.Get("__scrape_interval__")) + "\")");
  }
  t.interval_ms = *interval;
  t.timeout_ms = *timeout;
  // Meta labels go after relabelling; other internal labels stay on the target.
  Labels relabelled = lb.Build();
  for (const Label& l : relabelled) {
    if (l.name.starts_with("__meta_")) lb.Del(l.name);
  }
  if (lb.Get("instance").empty()) lb.Set("instance", addr);
  t.labels = lb.Build();
  for (const Label& l : t.labels) {
    if (!ValidUtf8(l.value)) return Status::InvalidArgument("invalid label value for \"" + l.name + "\"");
  }
  std::vector<Label> pub;
  for (const Label& l : t.labels) {
    if (!l.name.starts_with("__")) pub.push_back(l);
  }
  t.public_labels = Labels(std::move(pub));

  // URL: scheme://address/path?params, the __param_* labels overriding the first value of each
  // configured parameter (url.Values.Encode: keys sorted, values query-escaped).
  std::map<std::string, std::vector<std::string>> params(cfg.params.begin(), cfg.params.end());
  for (const Label& l : t.labels) {
    if (!l.name.starts_with("__param_")) continue;
    auto& vs = params[l.name.substr(8)];
    if (vs.empty()) vs.push_back(l.value); else vs[0] = l.value;
  }
  std::string path(t.labels.Get("__metrics_path__"));
  if (path.empty() || path[0] != '/') path = "/" + path;
  t.url = std::string(t.labels.Get("__scheme__")) + "://" + addr + path;
  char sep = path.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [k, vs] : params) {
    for (const std::string& v : vs) {
      t.url += sep + UrlEscape(k, true) + "=" + UrlEscape(v, true);
      sep = '&';
    }
  }
  t.hash = Fnv64a(t.url, t.labels.Hash());
  return std::optional<Target>(std::move(t));
}

}  // namespace tidemark::ingest::scrape
