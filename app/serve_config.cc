// Flag and YAML parsing for `tidemark serve`.
#include "serve_config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>

#include "config_keys.h"
#include "otlp_config.h"
#include "remote_write_config.h"
#include "relabel_yaml.h"
#include "tidemark/alerting/config_check.h"
#include "tidemark/http/params.h"
#include "tidemark/httpclient/config.h"
#include "tidemark/storage/model/closest_name.h"

namespace tidemark::app {

namespace {


Status Bad(const std::string& flag, const std::string& v, const std::string& why) {
  return Status::InvalidArgument("invalid value \"" + v + "\" for --" + flag + ": " + why);
}

Result<int64_t> Dur(const std::string& flag, const std::string& v) {
  auto d = ParseDuration(v);
  if (!d.ok()) return Bad(flag, v, "not a duration (e.g. 30s, 5m, 15d)");
  return *d;
}

Result<uint64_t> Uint(const std::string& flag, const std::string& v) {
  char* e = nullptr;
  unsigned long long n = std::strtoull(v.c_str(), &e, 10);
  if (v.empty() || e != v.c_str() + v.size() || v[0] == '-') return Bad(flag, v, "not a number");
  return static_cast<uint64_t>(n);
}

// Kingpin's int flags parse as floats ("5e7" is the sample limit's default), then truncate.
Result<uint64_t> FloatCount(const std::string& flag, const std::string& v) {
  char* e = nullptr;
  double d = std::strtod(v.c_str(), &e);
  if (v.empty() || e != v.c_str() + v.size() || !(d >= 0) || d > 9e18) {
    return Bad(flag, v, "expected a non-negative number");
  }
  return static_cast<uint64_t>(d);
}

Result<bool> Bool(const std::string& flag, const std::string& v) {
  if (v == "true" || v == "1" || v.empty()) return true;
  if (v == "false" || v == "0") return false;
  return Bad(flag, v, "expected true or false");
}

Status CheckListen(const std::string& flag, const std::string& v) {
  size_t c = v.rfind(':');
  if (c == std::string::npos || c + 1 >= v.size()) return Bad(flag, v, "expected HOST:PORT");
  auto p = Uint(flag, v.substr(c + 1));
  if (!p.ok() || *p > 65535) return Bad(flag, v, "invalid port");
  return Status::OK();
}

using Setter = std::function<Status(ServeConfig&, const std::string&)>;

struct FlagDef {
  FlagInfo info;
  bool is_bool = false;
  Setter set;
};

const std::vector<FlagDef>& Defs() {
  static const std::vector<FlagDef> defs = {
      {{"config.file", "FILE", "YAML configuration file (Prometheus-shaped; flags override it)", "",
        "config"},
       false, [](ServeConfig& c, const std::string& v) { c.config_file = v; return Status::OK(); }},
      {{"storage.tsdb.path", "DIR", "data directory", "./data",
        "data-dir"}, false,
       [](ServeConfig& c, const std::string& v) {
         if (v.empty()) return Bad("storage.tsdb.path", v, "must not be empty");
         c.data_dir = v;
         return Status::OK();
       }},
      {{"web.listen-address", "HOST:PORT", "Prometheus HTTP API listen address", "127.0.0.1:9090",
        "listen"}, false,
       [](ServeConfig& c, const std::string& v) {
         TM_RETURN_IF_ERROR(CheckListen("web.listen-address", v));
         c.listen = v;
         return Status::OK();
       }},
      {{"otlp-listen", "HOST:PORT", "OTLP/HTTP listen address (\"none\" disables)",
        "127.0.0.1:4318"},
       false,
       [](ServeConfig& c, const std::string& v) {
         if (v != "none") TM_RETURN_IF_ERROR(CheckListen("otlp-listen", v));
         c.otlp_listen = v;
         return Status::OK();
       }},
      {{"rules", "GLOB", "rule files to load (repeatable)", ""}, false,
       [](ServeConfig& c, const std::string& v) {
         c.rule_files.push_back(v);
         return Status::OK();
       }},
      {{"slo", "GLOB", "Sloth SLO files to run (repeatable)", ""}, false,
       [](ServeConfig& c, const std::string& v) {
         c.slo_files.push_back(v);
         return Status::OK();
       }},
      {{"storage.tsdb.retention.time", "DURATION", "how long to keep samples (0 = forever)", "15d",
        "retention-time"}, false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.retention_ms, Dur("storage.tsdb.retention.time", v));
         return Status::OK();
       }},
      {{"storage.tsdb.retention.size", "BYTES", "maximum bytes on disk, e.g. 10GB (0 = unlimited)",
        "0", "retention-size"}, false,
       [](ServeConfig& c, const std::string& v) {
         auto b = ParseByteSize(v);
         if (!b.ok()) {
           return Bad("storage.tsdb.retention.size", v, "expected bytes like 512MB or 10GB");
         }
         c.retention_bytes = *b;
         return Status::OK();
       }},
      {{"query.timeout", "DURATION", "maximum time a query may take", "2m",
        "query-timeout"}, false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.query_timeout_ms, Dur("query.timeout", v));
         return Status::OK();
       }},
      {{"query.max-samples", "N", "maximum samples a query may hold in memory", "50000000",
        "query-max-samples"}, false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.query_max_samples, Uint("query.max-samples", v));
         return Status::OK();
       }},
      {{"query-workers", "N",
        "threads a query may use to read selections of 6 h or more, to fold grouped "
        "aggregations of range functions, to run a range query's selections side by side and "
        "to compute costly windows (deriv, stddev_over_time...) (0 = one per CPU core)", "0"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.query_workers, Uint("query-workers", v));
         return Status::OK();
       }},
      {{"query.max-concurrency", "N", "queries evaluated at once; more wait in a queue", "20",
        "query-max-concurrency"}, false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.query_max_concurrency, Uint("query.max-concurrency", v));
         return Status::OK();
       }},
      {{"query.max-queue-length", "N",
        "API queries that wait for a slot beyond --query.max-concurrency; 503 beyond (0 = none)", "64"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.query_max_queue_length, Uint("query.max-queue-length", v));
         return Status::OK();
       }},
      {{"query.max-bytes", "BYTES",
        "memory one query may hold (samples and label sets, estimated); 422 above (0 = no limit)",
        "2GB"},
       false,
       [](ServeConfig& c, const std::string& v) {
         auto b = ParseByteSize(v);
         if (!b.ok()) return Bad("query.max-bytes", v, "expected bytes like 512MB or 2GB");
         c.query_max_bytes = *b;
         return Status::OK();
       }},
      {{"query.range-cache-size", "BYTES",
        "memory for cached range query results, reused by later refreshes (0 = no cache)",
        "128MB"},
       false,
       [](ServeConfig& c, const std::string& v) {
         auto b = ParseByteSize(v);
         if (!b.ok()) return Bad("query.range-cache-size", v, "expected bytes like 128MB or 1GB");
         c.query_range_cache_bytes = *b;
         return Status::OK();
       }},
      {{"query.range-cache-recent-window", "DURATION",
        "range query steps newer than this are never cached (late samples may still arrive)",
        "5m"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.query_range_cache_recent_window_ms,
                             Dur("query.range-cache-recent-window", v));
         return Status::OK();
       }},
      {{"query.lookback-delta", "DURATION", "how far back an instant selector looks", "5m",
        "lookback-delta"}, false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.lookback_delta_ms, Dur("query.lookback-delta", v));
         if (c.lookback_delta_ms <= 0) return Bad("query.lookback-delta", v, "must be positive");
         return Status::OK();
       }},
      {{"log.level", "LEVEL", "debug, info, warn or error", "info",
        "log-level"}, false,
       [](ServeConfig& c, const std::string& v) {
         if (v != "debug" && v != "info" && v != "warn" && v != "error") {
           return Bad("log.level", v, "expected debug, info, warn or error");
         }
         c.log_level = v;
         return Status::OK();
       }},
      // Kept under its Tidemark name (status/flags shows it so); Prometheus' name is the alias.
      {{"enable-admin-api", "", "enable /api/v1/admin/* endpoints", "false",
        "web.enable-admin-api"},
       true,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.enable_admin_api, Bool("enable-admin-api", v));
         return Status::OK();
       }},
      {{"web.enable-lifecycle", "", "enable shutdown and reload over HTTP (/-/quit, /-/reload)",
        "false"},
       true,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.enable_lifecycle, Bool("web.enable-lifecycle", v));
         return Status::OK();
       }},
      {{"web.enable-remote-write-receiver", "",
        "accepted as Prometheus spells it; /api/v1/write is always enabled", "false"},
       true,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.enable_remote_write_receiver,
                             Bool("web.enable-remote-write-receiver", v));
         return Status::OK();
       }},
      {{"web.config.file", "FILE",
        "web configuration (Prometheus/exporter-toolkit format): TLS, basic auth, headers", ""},
       false,
       [](ServeConfig& c, const std::string& v) {
         c.web_config_file = v;
         return Status::OK();
       }},
      {{"sync", "wal|fsync", "durability: wal (survives kill -9) or fsync (survives power loss)",
        "wal"},
       false,
       [](ServeConfig& c, const std::string& v) {
         if (v != "wal" && v != "fsync") return Bad("sync", v, "expected wal or fsync");
         c.sync = v;
         return Status::OK();
       }},
      {{"storage", "rocksdb|memory", "storage engine; memory keeps nothing across restarts",
        "rocksdb"},
       false,
       [](ServeConfig& c, const std::string& v) {
         if (v != "rocksdb" && v != "memory") return Bad("storage", v, "expected rocksdb or memory");
         c.storage = v;
         return Status::OK();
       }},
      {{"max-body-size", "BYTES", "maximum request body as received (413 above)", "32MB"}, false,
       [](ServeConfig& c, const std::string& v) {
         auto b = ParseByteSize(v);
         if (!b.ok() || *b == 0) return Bad("max-body-size", v, "expected bytes like 32MB");
         c.max_body_bytes = *b;
         return Status::OK();
       }},
      {{"web.read-timeout", "DURATION",
        "maximum time to read a request, and to keep an idle connection open", "5m"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.web_read_timeout_ms, Dur("web.read-timeout", v));
         if (c.web_read_timeout_ms <= 0) return Bad("web.read-timeout", v, "must be positive");
         return Status::OK();
       }},
      {{"web.max-connections", "N", "maximum simultaneous connections per listener (0 = no limit)",
        "512"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.web_max_connections, Uint("web.max-connections", v));
         return Status::OK();
       }},
      {{"ingest.label-limit", "N", "labels per series, __name__ included (0 = no limit)", "64"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.ingest_label_limit, Uint("ingest.label-limit", v));
         return Status::OK();
       }},
      {{"ingest.label-name-length-limit", "BYTES", "length of a label name (0 = no limit)", "1024"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.ingest_label_name_length_limit,
                             Uint("ingest.label-name-length-limit", v));
         return Status::OK();
       }},
      {{"ingest.label-value-length-limit", "BYTES", "length of a label value (0 = no limit)", "4096"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.ingest_label_value_length_limit,
                             Uint("ingest.label-value-length-limit", v));
         return Status::OK();
       }},
      {{"ingest.series-limit", "N", "series in memory before new ones are refused (0 = no limit)",
        "0"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.ingest_series_limit, Uint("ingest.series-limit", v));
         return Status::OK();
       }},
      {{"ingest.series-limit-per-metric", "N",
        "series in memory per metric name before new ones are refused (0 = no limit)", "0"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.ingest_series_limit_per_metric,
                             Uint("ingest.series-limit-per-metric", v));
         return Status::OK();
       }},
      {{"web.external-url", "URL",
        "URL under which Tidemark is reachable (links in notifications; its path is the default "
        "route prefix)", "", "external-url"},
       false,
       [](ServeConfig& c, const std::string& v) {
         c.external_url = v;
         return Status::OK();
       }},
      {{"web.route-prefix", "PATH",
        "prefix of every HTTP route, UI and API (default: the path of --web.external-url)", ""},
       false,
       [](ServeConfig& c, const std::string& v) {
         c.route_prefix = v;
         return Status::OK();
       }},
      {{"storage.remote.read-sample-limit", "N",
        "maximum samples one remote-read query may return (0 = no limit)", "5e7"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.remote_read_sample_limit, FloatCount("storage.remote.read-sample-limit", v));
         return Status::OK();
       }},
      {{"storage.remote.read-concurrent-limit", "N",
        "maximum concurrent remote-read requests; more wait (0 = no limit)", "10"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.remote_read_concurrent_limit,
                             FloatCount("storage.remote.read-concurrent-limit", v));
         return Status::OK();
       }},
      {{"storage.remote.read-max-bytes-in-frame", "BYTES",
        "bytes of labels and chunks per streamed remote-read frame", "1048576"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.remote_read_max_bytes_in_frame,
                             FloatCount("storage.remote.read-max-bytes-in-frame", v));
         return Status::OK();
       }},
      {{"rules.alert.for-outage-tolerance", "DURATION",
        "max time Tidemark may have been down for an alert's `for` state to be restored", "1h"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.for_outage_tolerance_ms, Dur("rules.alert.for-outage-tolerance", v));
         return Status::OK();
       }},
      {{"rules.alert.for-grace-period", "DURATION",
        "minimum time between a restart and an alert firing with a restored `for`", "10m"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.for_grace_period_ms, Dur("rules.alert.for-grace-period", v));
         return Status::OK();
       }},
      {{"rules.alert.resend-delay", "DURATION",
        "minimum time before a firing alert is sent to Alertmanager again", "1m"},
       false,
       [](ServeConfig& c, const std::string& v) {
         TM_ASSIGN_OR_RETURN(c.resend_delay_ms, Dur("rules.alert.resend-delay", v));
         return Status::OK();
       }},
  };
  return defs;
}

const FlagDef* FindDef(const std::string& name) {
  for (const auto& d : Defs()) {
    if (d.info.name == name || (!d.info.alias.empty() && d.info.alias == name)) return &d;
  }
  return nullptr;
}

Status UnknownFlag(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& d : Defs()) {
    names.push_back(d.info.name);
    if (!d.info.alias.empty()) names.push_back(d.info.alias);
  }
  names.push_back("help");
  std::string near = ClosestName(name, names);
  if (const FlagDef* d = FindDef(near)) near = d->info.name;  // suggest the Prometheus spelling
  return Status::InvalidArgument("unknown flag --" + name +
                                 (near.empty() ? "" : ", did you mean --" + near + "?") +
                                 " (see tidemark serve --help)");
}

}  // namespace

const std::vector<FlagInfo>& ServeFlags() {
  static const std::vector<FlagInfo> infos = [] {
    std::vector<FlagInfo> v;
    for (const auto& d : Defs()) v.push_back(d.info);
    return v;
  }();
  return infos;
}

Result<uint64_t> ParseByteSize(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == 0) return Status::InvalidArgument("bad size");
  // By hand rather than std::stoull, which throws past 2^64; a product past it is refused too.
  uint64_t n = 0;
  for (size_t k = 0; k < i; ++k) {
    if (__builtin_mul_overflow(n, uint64_t{10}, &n) || __builtin_add_overflow(n, uint64_t(s[k] - '0'), &n)) {
      return Status::InvalidArgument("size out of range");
    }
  }
  std::string unit = s.substr(i);
  static const std::map<std::string, uint64_t> kUnits = {
      {"", 1},           {"B", 1},         {"KB", 1ULL << 10}, {"MB", 1ULL << 20},
      {"GB", 1ULL << 30}, {"TB", 1ULL << 40}, {"PB", 1ULL << 50}, {"KiB", 1ULL << 10},
      {"MiB", 1ULL << 20}, {"GiB", 1ULL << 30}, {"TiB", 1ULL << 40}};
  auto it = kUnits.find(unit);
  if (it == kUnits.end()) return Status::InvalidArgument("bad size unit");
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(n, it->second, &bytes)) return Status::InvalidArgument("size out of range");
  return bytes;
}

std::string ServeUsage() {
  std::ostringstream out;
  out << "usage: tidemark serve [flags]\n\nflags (every flag also accepts --name=value):\n";
  for (const auto& f : ServeFlags()) {
    std::string left = "  --" + f.name + (f.value_hint.empty() ? "" : " " + f.value_hint);
    if (left.size() < 34) left.resize(34, ' ');
    out << left << " " << f.help;
    out << " (default: " << (f.dflt.empty() ? "none" : f.dflt) << ")";
    if (!f.alias.empty()) out << " (alias: --" << f.alias << ")";
    out << "\n";
  }
  out << "  --help                             show this help\n";
  return out.str();
}

namespace {

std::string ConfigDir(const ServeConfig& cfg) {
  return cfg.config_file.empty() ? "" : std::filesystem::path(cfg.config_file).parent_path().string();
}

Result<int64_t> YamlDur(const YAML::Node& n, const std::string& where) {
  std::string s = n.as<std::string>();
  auto d = ParseDuration(s);
  if (!d.ok()) return Status::InvalidArgument("config: " + where + ": not a duration: \"" + s + "\"");
  return *d;
}

std::vector<std::string> YamlStrings(const YAML::Node& n) {
  std::vector<std::string> out;
  if (n.IsSequence()) {
    for (const auto& x : n) out.push_back(x.as<std::string>());
  } else if (n.IsScalar()) {
    out.push_back(n.as<std::string>());
  }
  return out;
}

// The text of top-level section `value` (a node of `root`) with every other line blanked, so that
// parsing it alone reports the config file's own line numbers.
std::string SectionText(const std::string& text, const YAML::Node& root, const YAML::Node& value) {
  const YAML::Mark start = value.Mark();
  if (start.is_null()) {
    YAML::Emitter e;
    e << value;
    return e.c_str();
  }
  int end = std::numeric_limits<int>::max();  // the next top-level key's line
  for (const auto& kv : root) {
    if (kv.first.Mark().line > start.line) end = std::min(end, kv.first.Mark().line);
  }
  std::istringstream in(text);
  std::string out;
  int n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    if (n == start.line) {
      const size_t col = std::min<size_t>(static_cast<size_t>(start.column), line.size());
      out += std::string(col, ' ') + line.substr(col);
    } else if (n > start.line && n < end) {
      out += line;
    }
    out += '\n';
  }
  return out;
}

Status ApplyYamlInner(const std::string& text, const YAML::Node& root, ServeConfig& cfg) {
  if (root.IsNull()) return Status::OK();
  TM_RETURN_IF_ERROR(UnknownKeys(root, "", {"global", "rule_files", "alerting", "remote_write",
                                            "remote_read", "scrape_configs", "storage", "query",
                                            "notifications", "slo_files", "tracing", "otlp"}));
  if (root["otlp"]) TM_RETURN_IF_ERROR(ParseOtlpSection(root["otlp"], &cfg.otlp));
  if (auto g = root["global"]) {
    std::set<std::string> global_keys = {"evaluation_interval", "external_labels", "query_log_file"};
    global_keys.insert(ScrapeGlobalKeys().begin(), ScrapeGlobalKeys().end());
    TM_RETURN_IF_ERROR(UnknownKeys(g, "global", global_keys));
    TM_RETURN_IF_ERROR(ParseScrapeGlobals(g, &cfg.scrape_globals));
    if (g["evaluation_interval"]) {
      TM_ASSIGN_OR_RETURN(cfg.evaluation_interval_ms,
                          YamlDur(g["evaluation_interval"], "global.evaluation_interval"));
    }
    if (auto el = g["external_labels"]) {
      if (!el.IsMap()) return Status::InvalidArgument("config: global.external_labels must be a mapping");
      cfg.external_labels.clear();
      for (const auto& kv : el) {
        cfg.external_labels.emplace_back(kv.first.as<std::string>(), kv.second.as<std::string>());
      }
    }
  }
  if (auto rf = root["rule_files"]) {
    for (auto& f : YamlStrings(rf)) cfg.rule_files.push_back(f);
  }
  if (auto a = root["alerting"]) {
    TM_RETURN_IF_ERROR(UnknownKeys(a, "alerting", {"alertmanagers", "alert_relabel_configs"}));
    TM_ASSIGN_OR_RETURN(cfg.alert_relabel_configs,
                        ParseRelabelConfigs(a["alert_relabel_configs"], "alerting.alert_relabel_configs"));
    TM_ASSIGN_OR_RETURN(cfg.alert_relabel, relabel::Relabeler::Compile(cfg.alert_relabel_configs));
    if (auto ams = a["alertmanagers"]) {
      if (!ams.IsSequence()) return Status::InvalidArgument("config: alerting.alertmanagers must be a list");
      for (size_t i = 0; i < ams.size(); ++i) {
        const YAML::Node am = ams[i];
        std::string where = "alerting.alertmanagers[" + std::to_string(i) + "]";
        if (!am.IsMap()) return Status::InvalidArgument("config: " + where + " must be a mapping");
        // The http_config fields sit inline in each entry, as in Prometheus.
        auto http = httpclient::ParseClientConfig(
            am, "config: " + where, ConfigDir(cfg),
            {"static_configs", "scheme", "path_prefix", "timeout", "api_version", "relabel_configs",
             "alert_relabel_configs"});
        if (!http.ok()) return http.status();
        int64_t timeout_ms = 10'000;
        if (am["timeout"]) {
          TM_ASSIGN_OR_RETURN(timeout_ms, YamlDur(am["timeout"], where + ".timeout"));
        }
        if (am["api_version"] && am["api_version"].as<std::string>() != "v2") {
          return Status::InvalidArgument("config: " + where + ".api_version: only v2 is supported");
        }
        std::string scheme = am["scheme"] ? am["scheme"].as<std::string>() : "http";
        if (scheme != "http" && scheme != "https") {
          return Status::InvalidArgument("config: " + where + ".scheme must be http or https");
        }
        const std::string prefix = am["path_prefix"] ? am["path_prefix"].as<std::string>() : "";
        TM_ASSIGN_OR_RETURN(auto target_rules,
                            ParseRelabelConfigs(am["relabel_configs"], where + ".relabel_configs"));
        TM_ASSIGN_OR_RETURN(auto alert_rules, ParseRelabelConfigs(am["alert_relabel_configs"],
                                                                  where + ".alert_relabel_configs"));
        TM_ASSIGN_OR_RETURN(auto target_relabel, relabel::Relabeler::Compile(std::move(target_rules)));
        TM_ASSIGN_OR_RETURN(auto alert_relabel, relabel::Relabeler::Compile(std::move(alert_rules)));
        if (auto sc = am["static_configs"]) {
          for (size_t j = 0; j < sc.size(); ++j) {
            const std::string where_j = where + ".static_configs[" + std::to_string(j) + "]";
            TM_RETURN_IF_ERROR(UnknownKeys(sc[j], where_j, {"targets", "labels"}));
            Labels group_labels;
            if (auto gl = sc[j]["labels"]) {
              if (!gl.IsMap()) return Status::InvalidArgument("config: " + where_j + ".labels must be a mapping");
              std::vector<Label> ls;
              for (const auto& kv : gl) ls.push_back({kv.first.as<std::string>(), kv.second.as<std::string>()});
              group_labels = Labels(std::move(ls));
            }
            for (auto& t : YamlStrings(sc[j]["targets"])) {
              const alerting::AlertmanagerTargetLabels target{t, scheme, prefix, group_labels};
              auto url = alerting::RelabelAlertmanagerTarget(target, target_relabel);
              if (!url.ok()) {
                return Status::InvalidArgument("config: " + where_j + ": " + url.status().message());
              }
              if (!url->has_value()) continue;  // dropped by relabel_configs
              cfg.alertmanagers.push_back({**url, timeout_ms, *http, alert_relabel});
            }
          }
        }
      }
    }
  }
  if (auto rw = root["remote_write"]) {
    TM_ASSIGN_OR_RETURN(cfg.remote_write, ParseRemoteWriteSection(rw, ConfigDir(cfg)));
  }
  if (root["remote_read"]) cfg.warnings.push_back("remote_read is not supported by Tidemark; ignored");
  if (root["scrape_configs"]) {
    TM_ASSIGN_OR_RETURN(cfg.scrape_configs,
                        ParseScrapeConfigs(root["scrape_configs"], cfg.scrape_globals, ConfigDir(cfg)));
  }
  if (root["tracing"]) cfg.warnings.push_back("tracing is not supported; ignored");
  if (auto s = root["storage"]) {
    TM_RETURN_IF_ERROR(UnknownKeys(s, "storage", {"data_dir", "retention_time", "retention_size",
                                                  "sync", "out_of_order_time_window", "tsdb"}));
    if (s["data_dir"]) cfg.data_dir = s["data_dir"].as<std::string>();
    if (s["retention_time"]) {
      TM_ASSIGN_OR_RETURN(cfg.retention_ms, YamlDur(s["retention_time"], "storage.retention_time"));
    }
    if (s["retention_size"]) {
      auto b = ParseByteSize(s["retention_size"].as<std::string>());
      if (!b.ok()) return Status::InvalidArgument("config: storage.retention_size: bad size");
      cfg.retention_bytes = *b;
    }
    if (s["sync"]) {
      std::string v = s["sync"].as<std::string>();
      if (v != "wal" && v != "fsync") return Status::InvalidArgument("config: storage.sync must be wal or fsync");
      cfg.sync = v;
    }
    if (s["out_of_order_time_window"]) {
      TM_ASSIGN_OR_RETURN(cfg.out_of_order_window_ms,
                          YamlDur(s["out_of_order_time_window"], "storage.out_of_order_time_window"));
    }
    if (auto t = s["tsdb"]) {  // Prometheus' own spelling
      TM_RETURN_IF_ERROR(UnknownKeys(t, "storage.tsdb", {"out_of_order_time_window"}));
      if (t["out_of_order_time_window"]) {
        TM_ASSIGN_OR_RETURN(cfg.out_of_order_window_ms,
                            YamlDur(t["out_of_order_time_window"], "storage.tsdb.out_of_order_time_window"));
      }
    }
  }
  if (auto q = root["query"]) {
    TM_RETURN_IF_ERROR(UnknownKeys(q, "query", {"timeout", "max_samples", "lookback_delta", "max_concurrency", "workers"}));
    if (q["timeout"]) {
      TM_ASSIGN_OR_RETURN(cfg.query_timeout_ms, YamlDur(q["timeout"], "query.timeout"));
    }
    if (q["lookback_delta"]) {
      TM_ASSIGN_OR_RETURN(cfg.lookback_delta_ms, YamlDur(q["lookback_delta"], "query.lookback_delta"));
    }
    if (q["max_samples"]) cfg.query_max_samples = q["max_samples"].as<uint64_t>();
    if (q["max_concurrency"]) cfg.query_max_concurrency = q["max_concurrency"].as<uint64_t>();
    if (q["workers"]) cfg.query_workers = q["workers"].as<uint64_t>();
  }
  if (auto n = root["notifications"]) {
    cfg.notifications_yaml = SectionText(text, root, n);
    // Checked now, like every other section: a mistake is a config error (exit 2) with the
    // file's line, not a failure later when the rules load.
    if (Status s = alerting::CheckNotificationConfig(cfg.notifications_yaml, ConfigDir(cfg)); !s.ok()) {
      return Status::InvalidArgument("config: " + s.message());
    }
  }
  if (auto s = root["slo_files"]) cfg.slo_files = YamlStrings(s);
  return Status::OK();
}

}  // namespace

Status ApplyYamlConfig(const std::string& yaml_text, ServeConfig& cfg) {
  try {
    YAML::Node root = YAML::Load(yaml_text);
    return ApplyYamlInner(yaml_text, root, cfg);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("config: ") + e.what());
  }
}

Result<ServeConfig> ParseServeArgs(const std::vector<std::string>& args, bool* help) {
  *help = false;
  // First pass: split into (flag, value) pairs so --config can be applied before the others.
  std::vector<std::pair<const FlagDef*, std::string>> given;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      *help = true;
      return ServeConfig{};
    }
    if (!a.starts_with("--")) {
      return Status::InvalidArgument("unexpected argument \"" + a + "\" (see tidemark serve --help)");
    }
    std::string name = a.substr(2);
    std::string value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const FlagDef* def = FindDef(name);
    if (!def && name.starts_with("no-") && !has_value) {  // kingpin's negated boolean
      def = FindDef(name.substr(3));
      if (def && def->is_bool) {
        given.emplace_back(def, "false");
        continue;
      }
      def = nullptr;
    }
    if (!def) return UnknownFlag(name);
    if (!has_value && !def->is_bool) {
      if (i + 1 >= args.size()) return Status::InvalidArgument("flag --" + name + " needs a value");
      value = args[++i];
    }
    given.emplace_back(def, value);
  }
  ServeConfig cfg;
  for (const auto& [def, value] : given) {
    if (def->info.name == "config.file") cfg.config_file = value;
  }
  if (!cfg.config_file.empty()) {
    std::ifstream in(cfg.config_file);
    if (!in) return Status::InvalidArgument("cannot read config file " + cfg.config_file);
    std::stringstream ss;
    ss << in.rdbuf();
    Status s = ApplyYamlConfig(ss.str(), cfg);
    if (!s.ok()) return Status::InvalidArgument(cfg.config_file + ": " + s.message());
    // As Prometheus does, the file's relative paths are relative to the file's directory.
    const std::filesystem::path dir = std::filesystem::path(cfg.config_file).parent_path();
    for (auto* files : {&cfg.rule_files, &cfg.slo_files}) {
      for (auto& f : *files) {
        if (!f.empty() && std::filesystem::path(f).is_relative()) f = (dir / f).string();
      }
    }
  }
  bool rules_from_flags = false, slos_from_flags = false;
  for (const auto& [def, value] : given) {
    // --rules/--slo replace the file's rule_files/slo_files rather than appending (flags win).
    if (def->info.name == "rules" && !rules_from_flags) {
      cfg.rule_files.clear();
      rules_from_flags = true;
    }
    if (def->info.name == "slo" && !slos_from_flags) {
      cfg.slo_files.clear();
      slos_from_flags = true;
    }
    TM_RETURN_IF_ERROR(def->set(cfg, value));
  }
  return cfg;
}

std::vector<std::pair<std::string, std::string>> EffectiveFlags(const ServeConfig& c) {
  std::string rules, slos;
  for (const auto& r : c.rule_files) rules += (rules.empty() ? "" : ",") + r;
  for (const auto& r : c.slo_files) slos += (slos.empty() ? "" : ",") + r;
  // Keyed by the flags' primary (Prometheus) names, as Prometheus' /api/v1/status/flags is.
  return {{"config.file", c.config_file},
          {"storage.tsdb.path", c.data_dir},
          {"web.listen-address", c.listen},
          {"otlp-listen", c.otlp_listen},
          {"rules", rules},
          {"slo", slos},
          {"storage.tsdb.retention.time", FormatDuration(c.retention_ms)},
          {"storage.tsdb.retention.size", std::to_string(c.retention_bytes)},
          {"query.timeout", FormatDuration(c.query_timeout_ms)},
          {"query.max-samples", std::to_string(c.query_max_samples)},
          {"query.max-concurrency", std::to_string(c.query_max_concurrency)},
          {"query.max-queue-length", std::to_string(c.query_max_queue_length)},
          {"query.max-bytes", std::to_string(c.query_max_bytes)},
          {"query-workers", std::to_string(c.query_workers)},
          {"query.range-cache-size", std::to_string(c.query_range_cache_bytes)},
          {"query.range-cache-recent-window", FormatDuration(c.query_range_cache_recent_window_ms)},
          {"query.lookback-delta", FormatDuration(c.lookback_delta_ms)},
          {"log.level", c.log_level},
          {"enable-admin-api", c.enable_admin_api ? "true" : "false"},
          {"web.enable-lifecycle", c.enable_lifecycle ? "true" : "false"},
          {"web.enable-remote-write-receiver", c.enable_remote_write_receiver ? "true" : "false"},
          {"web.config.file", c.web_config_file},
          {"sync", c.sync},
          {"storage", c.storage},
          {"max-body-size", std::to_string(c.max_body_bytes)},
          {"web.read-timeout", FormatDuration(c.web_read_timeout_ms)},
          {"web.max-connections", std::to_string(c.web_max_connections)},
          {"ingest.label-limit", std::to_string(c.ingest_label_limit)},
          {"ingest.label-name-length-limit", std::to_string(c.ingest_label_name_length_limit)},
          {"ingest.label-value-length-limit", std::to_string(c.ingest_label_value_length_limit)},
          {"ingest.series-limit", std::to_string(c.ingest_series_limit)},
          {"ingest.series-limit-per-metric", std::to_string(c.ingest_series_limit_per_metric)},
          {"web.external-url", httpclient::RedactUrlPassword(c.external_url)},
          {"web.route-prefix", c.route_prefix},
          {"rules.alert.for-outage-tolerance", FormatDuration(c.for_outage_tolerance_ms)},
          {"rules.alert.for-grace-period", FormatDuration(c.for_grace_period_ms)},
          {"rules.alert.resend-delay", FormatDuration(c.resend_delay_ms)},
          {"storage.remote.read-sample-limit", std::to_string(c.remote_read_sample_limit)},
          {"storage.remote.read-concurrent-limit", std::to_string(c.remote_read_concurrent_limit)},
          {"storage.remote.read-max-bytes-in-frame", std::to_string(c.remote_read_max_bytes_in_frame)}};
}

namespace {

// Alertmanager's Secret and SecretURL fields, shown as Prometheus shows secrets.
void MaskSecrets(YAML::Node n, bool url_is_secret) {
  static const std::set<std::string> kSecret = {
      "password", "bearer_token", "credentials", "api_url", "slack_api_url", "routing_key",
      "service_key", "api_key", "opsgenie_api_key", "auth_password", "smtp_auth_password",
      "webhook_url"};
  if (n.IsSequence()) {
    for (auto child : n) MaskSecrets(child, url_is_secret);
    return;
  }
  if (!n.IsMap()) return;
  for (auto kv : n) {
    const std::string k = kv.first.Scalar();
    if (kv.second.IsScalar() && (kSecret.count(k) != 0 || (url_is_secret && k == "url"))) {
      kv.second = "<secret>";
    } else {
      MaskSecrets(kv.second, k == "webhook_configs" || (url_is_secret && k != "http_config"));
    }
  }
}

}  // namespace

std::string MaskNotificationSecrets(const std::string& yaml) {
  try {
    YAML::Node root = YAML::Load(yaml);
    MaskSecrets(root, false);
    YAML::Emitter e;
    e << root;
    return e.c_str();
  } catch (const YAML::Exception&) {
    return "<unparsable>";
  }
}

std::string EffectiveConfigYaml(const ServeConfig& c) {
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "global" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "evaluation_interval" << YAML::Value << FormatDuration(c.evaluation_interval_ms);
  EmitScrapeGlobals(e, c.scrape_globals);
  if (!c.external_labels.empty()) {
    e << YAML::Key << "external_labels" << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : c.external_labels) e << YAML::Key << k << YAML::Value << v;
    e << YAML::EndMap;
  }
  e << YAML::EndMap;
  if (!c.rule_files.empty()) {
    e << YAML::Key << "rule_files" << YAML::Value << YAML::BeginSeq;
    for (const auto& r : c.rule_files) e << r;
    e << YAML::EndSeq;
  }
  if (!c.alertmanagers.empty() || !c.alert_relabel_configs.empty()) {
    e << YAML::Key << "alerting" << YAML::Value << YAML::BeginMap;
    if (!c.alert_relabel_configs.empty()) {
      e << YAML::Key << "alert_relabel_configs" << YAML::Value;
      EmitRelabelConfigs(e, c.alert_relabel_configs);
    }
    e << YAML::Key << "alertmanagers" << YAML::Value << YAML::BeginSeq;
    for (const auto& am : c.alertmanagers) {
      e << YAML::BeginMap << YAML::Key << "url" << YAML::Value
        << httpclient::RedactUrlPassword(am.url);
      e << YAML::Key << "timeout" << YAML::Value << FormatDuration(am.timeout_ms);
      httpclient::EmitClientConfig(e, am.http);
      e << YAML::EndMap;
    }
    e << YAML::EndSeq << YAML::EndMap;
  }
  EmitRemoteWriteSection(e, c.remote_write);
  EmitScrapeConfigs(e, c.scrape_configs);
  e << YAML::Key << "storage" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "data_dir" << YAML::Value << c.data_dir;
  e << YAML::Key << "retention_time" << YAML::Value << FormatDuration(c.retention_ms);
  e << YAML::Key << "retention_size" << YAML::Value << std::to_string(c.retention_bytes);
  e << YAML::Key << "sync" << YAML::Value << c.sync;
  e << YAML::EndMap;
  e << YAML::Key << "query" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "timeout" << YAML::Value << FormatDuration(c.query_timeout_ms);
  e << YAML::Key << "max_samples" << YAML::Value << c.query_max_samples;
  e << YAML::Key << "lookback_delta" << YAML::Value << FormatDuration(c.lookback_delta_ms);
  e << YAML::Key << "max_concurrency" << YAML::Value << c.query_max_concurrency;
  e << YAML::Key << "workers" << YAML::Value << c.query_workers;
  e << YAML::EndMap;
  EmitOtlpSection(e, c.otlp);
  if (!c.slo_files.empty()) {
    e << YAML::Key << "slo_files" << YAML::Value << YAML::BeginSeq;
    for (const auto& s : c.slo_files) e << s;
    e << YAML::EndSeq;
  }
  e << YAML::EndMap;
  std::string out = e.c_str();
  if (!c.notifications_yaml.empty()) {
    out += "\nnotifications:\n";
    std::istringstream in(MaskNotificationSecrets(c.notifications_yaml));
    for (std::string line; std::getline(in, line);) out += "  " + line + "\n";
  }
  return out + "\n";
}

}  // namespace tidemark::app
