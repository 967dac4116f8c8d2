// scrape_configs parsing and checks, with Prometheus' defaults (config.ScrapeConfig.Validate).
#include "scrape_config.h"

#include <filesystem>
#include <set>

#include "relabel_yaml.h"
#include "tidemark/httpclient/config.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::app {

namespace {

// Prometheus' scrape_configs keys that are not the inline http_config's.
const std::set<std::string> kScrapeKeys = {
    "job_name", "scrape_interval", "scrape_timeout", "metrics_path", "scheme", "params",
    "honor_labels", "honor_timestamps", "enable_compression", "static_configs", "file_sd_configs",
    "relabel_configs", "metric_relabel_configs", "sample_limit", "label_limit",
    "label_name_length_limit", "label_value_length_limit", "body_size_limit", "scrape_protocols",
    "fallback_scrape_protocol"};

Status Bad(const std::string& where, const std::string& msg) {
  return Status::InvalidArgument("config: " + where + ": " + msg);
}

Result<int64_t> Duration(const YAML::Node& n, const std::string& where) {
  auto d = ParseDuration(n.as<std::string>());
  if (!d.ok()) return Bad(where, "not a duration: \"" + n.as<std::string>() + "\"");
  return *d;
}

Result<uint64_t> Count(const YAML::Node& n, const std::string& where) {
  auto v = ParseInt(n.as<std::string>(), 10);
  if (!v.ok() || *v < 0) return Bad(where, "not a non-negative integer: \"" + n.as<std::string>() + "\"");
  return static_cast<uint64_t>(*v);
}

// Prometheus' units.Base2Bytes: "512MB", "1GB", "0" (B, KB, MB, GB, TB, PB, EB as powers of 1024).
Result<uint64_t> Bytes(const YAML::Node& n, const std::string& where) {
  std::string s = n.as<std::string>();
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  const std::string unit = s.substr(i);
  static const std::pair<const char*, int> kUnits[] = {{"", 0}, {"B", 0}, {"KB", 10}, {"KiB", 10}, {"MB", 20},
                                                       {"MiB", 20}, {"GB", 30}, {"GiB", 30}, {"TB", 40}, {"TiB", 40}};
  if (i == 0) return Bad(where, "not a size: \"" + s + "\"");
  for (const auto& [u, shift] : kUnits) {
    if (unit == u) return std::stoull(s.substr(0, i)) << shift;
  }
  return Bad(where, "not a size: \"" + s + "\"");
}

Result<bool> Bool(const YAML::Node& n, const std::string& where) {
  const std::string s = n.as<std::string>();
  if (s == "true") return true;
  if (s == "false") return false;
  return Bad(where, "not a boolean: \"" + s + "\"");
}

Result<std::vector<std::string>> Protocols(const YAML::Node& n, const std::string& where) {
  if (!n.IsSequence()) return Bad(where, "must be a list");
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& p : n) {
    std::string s = p.as<std::string>();
    if (s == "PrometheusProto") return Bad(where, "PrometheusProto is not supported by Tidemark");
    if (!ingest::IsSupportedScrapeProtocol(s)) return Bad(where, "unknown scrape protocol \"" + s + "\"");
    if (!seen.insert(s).second) return Bad(where, "duplicated protocol in scrape_protocols: \"" + s + "\"");
    out.push_back(s);
  }
  if (out.empty()) return Bad(where, "scrape_protocols cannot be empty");
  return out;
}

std::string Join(const std::string& base, const std::string& path) {
  if (base.empty() || path.empty() || path[0] == '/') return path;
  return (std::filesystem::path(base) / path).string();
}

Status ParseGroup(const YAML::Node& g, const std::string& where, ingest::TargetGroup* out) {
  if (!g.IsMap()) return Bad(where, "must be a mapping");
  for (const auto& kv : g) {
    const std::string k = kv.first.as<std::string>();
    if (k != "targets" && k != "labels") return Bad(where, "unknown field \"" + k + "\"");
  }
  if (g["targets"]) {
    if (!g["targets"].IsSequence()) return Bad(where + ".targets", "must be a list");
    for (const auto& t : g["targets"]) out->targets.push_back(t.as<std::string>());
  }
  if (g["labels"]) {
    if (!g["labels"].IsMap()) return Bad(where + ".labels", "must be a mapping");
    for (const auto& kv : g["labels"]) {
      const std::string name = kv.first.as<std::string>();
      if (!IsValidLabelName(name)) return Bad(where + ".labels", "\"" + name + "\" is not a valid label name");
      out->labels.emplace_back(name, kv.second.as<std::string>());
    }
  }
  out->source = where;
  return Status::OK();
}

Result<std::shared_ptr<const relabel::Relabeler>> Relabel(const YAML::Node& n, const std::string& where) {
  TM_ASSIGN_OR_RETURN(std::vector<relabel::Config> rules, ParseRelabelConfigs(n, where));
  if (rules.empty()) return std::shared_ptr<const relabel::Relabeler>();
  auto compiled = relabel::Relabeler::Compile(std::move(rules));
  if (!compiled.ok()) return Bad(where, compiled.status().message());
  return std::make_shared<const relabel::Relabeler>(std::move(*compiled));
}

Result<ingest::ScrapeConfig> ParseOne(const YAML::Node& n, const std::string& where, const ScrapeGlobals& g,
                                      const std::string& base_dir) {
  if (!n.IsMap()) return Bad(where, "must be a mapping");
  std::set<std::string> inline_keys(kScrapeKeys);
  for (const auto& kv : n) {
    const std::string k = kv.first.as<std::string>();
    if (k.ends_with("_sd_configs") && k != "file_sd_configs") {
      return Bad(where + "." + k, "this service discovery is not supported by Tidemark (static_configs and "
                                  "file_sd_configs are)");
    }
  }
  // The http_config fields sit inline; anything else unknown is refused by the client parser.
  auto http = httpclient::ParseClientConfig(n, "config: " + where, base_dir, inline_keys);
  if (!http.ok()) return http.status();
  ingest::ScrapeConfig c;
  c.http = std::move(*http);
  if (!n["job_name"] || n["job_name"].as<std::string>().empty()) return Bad(where, "job_name is empty");
  c.job_name = n["job_name"].as<std::string>();
  const std::string w = "scrape_configs[" + c.job_name + "]";
  c.scrape_interval_ms = g.scrape_interval_ms;
  if (n["scrape_interval"]) {
    TM_ASSIGN_OR_RETURN(c.scrape_interval_ms, Duration(n["scrape_interval"], w + ".scrape_interval"));
  }
  if (c.scrape_interval_ms <= 0) return Bad(w + ".scrape_interval", "must be greater than 0");
  if (n["scrape_timeout"]) {
    TM_ASSIGN_OR_RETURN(c.scrape_timeout_ms, Duration(n["scrape_timeout"], w + ".scrape_timeout"));
    if (c.scrape_timeout_ms > c.scrape_interval_ms) {
      return Bad(w, "scrape timeout greater than scrape interval for scrape config with job name \"" + c.job_name + "\"");
    }
  } else {
    c.scrape_timeout_ms = std::min(g.scrape_timeout_ms, c.scrape_interval_ms);
  }
  if (n["metrics_path"]) c.metrics_path = n["metrics_path"].as<std::string>();
  if (n["scheme"]) c.scheme = n["scheme"].as<std::string>();
  if (c.scheme != "http" && c.scheme != "https") return Bad(w + ".scheme", "must be http or https");
  if (auto p = n["params"]) {
    if (!p.IsMap()) return Bad(w + ".params", "must be a mapping");
    for (const auto& kv : p) {
      std::vector<std::string> vs;
      if (kv.second.IsSequence()) {
        for (const auto& v : kv.second) vs.push_back(v.as<std::string>());
      } else {
        return Bad(w + ".params." + kv.first.as<std::string>(), "must be a list of values");
      }
      c.params.emplace_back(kv.first.as<std::string>(), std::move(vs));
    }
    std::sort(c.params.begin(), c.params.end());
  }
  if (n["honor_labels"]) {
    TM_ASSIGN_OR_RETURN(c.honor_labels, Bool(n["honor_labels"], w + ".honor_labels"));
  }
  if (n["honor_timestamps"]) {
    TM_ASSIGN_OR_RETURN(c.honor_timestamps, Bool(n["honor_timestamps"], w + ".honor_timestamps"));
  }
  if (n["enable_compression"]) {
    TM_ASSIGN_OR_RETURN(c.enable_compression, Bool(n["enable_compression"], w + ".enable_compression"));
  }
  c.sample_limit = g.sample_limit;
  c.label_limit = g.label_limit;
  c.label_name_length_limit = g.label_name_length_limit;
  c.label_value_length_limit = g.label_value_length_limit;
  c.body_size_limit = g.body_size_limit;
  if (n["sample_limit"]) {
    TM_ASSIGN_OR_RETURN(c.sample_limit, Count(n["sample_limit"], w + ".sample_limit"));
  }
  if (n["label_limit"]) {
    TM_ASSIGN_OR_RETURN(c.label_limit, Count(n["label_limit"], w + ".label_limit"));
  }
  if (n["label_name_length_limit"]) {
    TM_ASSIGN_OR_RETURN(c.label_name_length_limit, Count(n["label_name_length_limit"], w + ".label_name_length_limit"));
  }
  if (n["label_value_length_limit"]) {
    TM_ASSIGN_OR_RETURN(c.label_value_length_limit, Count(n["label_value_length_limit"], w + ".label_value_length_limit"));
  }
  if (n["body_size_limit"]) {
    TM_ASSIGN_OR_RETURN(c.body_size_limit, Bytes(n["body_size_limit"], w + ".body_size_limit"));
  }
  c.scrape_protocols = g.scrape_protocols;
  if (n["scrape_protocols"]) {
    TM_ASSIGN_OR_RETURN(c.scrape_protocols, Protocols(n["scrape_protocols"], w + ".scrape_protocols"));
  }
  if (n["fallback_scrape_protocol"]) {
    c.fallback_scrape_protocol = n["fallback_scrape_protocol"].as<std::string>();
    if (!ingest::IsSupportedScrapeProtocol(c.fallback_scrape_protocol)) {
      return Bad(w + ".fallback_scrape_protocol", "unsupported scrape protocol \"" + c.fallback_scrape_protocol + "\"");
    }
  }
  if (auto sc = n["static_configs"]) {
    if (!sc.IsSequence()) return Bad(w + ".static_configs", "must be a list");
    for (size_t i = 0; i < sc.size(); ++i) {
      ingest::TargetGroup tg;
      TM_RETURN_IF_ERROR(ParseGroup(sc[i], w + ".static_configs[" + std::to_string(i) + "]", &tg));
      c.static_configs.push_back(std::move(tg));
    }
  }
  if (auto fs = n["file_sd_configs"]) {
    if (!fs.IsSequence()) return Bad(w + ".file_sd_configs", "must be a list");
    for (size_t i = 0; i < fs.size(); ++i) {
      const std::string fw = w + ".file_sd_configs[" + std::to_string(i) + "]";
      if (!fs[i].IsMap()) return Bad(fw, "must be a mapping");
      ingest::FileSdConfig f;
      for (const auto& kv : fs[i]) {
        const std::string k = kv.first.as<std::string>();
        if (k != "files" && k != "refresh_interval") return Bad(fw, "unknown field \"" + k + "\"");
      }
      if (!fs[i]["files"] || !fs[i]["files"].IsSequence()) return Bad(fw + ".files", "must be a list");
      for (const auto& file : fs[i]["files"]) {
        const std::string path = file.as<std::string>();
        const std::string ext = std::filesystem::path(path).extension().string();
        if (ext != ".json" && ext != ".yml" && ext != ".yaml") {
          return Bad(fw + ".files", "path name \"" + path + "\" is not valid for file discovery (.json, .yml or .yaml)");
        }
        f.files.push_back(Join(base_dir, path));
      }
      if (fs[i]["refresh_interval"]) {
        TM_ASSIGN_OR_RETURN(f.refresh_interval_ms, Duration(fs[i]["refresh_interval"], fw + ".refresh_interval"));
      }
      c.file_sd_configs.push_back(std::move(f));
    }
  }
  if (n["relabel_configs"]) {
    TM_ASSIGN_OR_RETURN(c.relabel, Relabel(n["relabel_configs"], w + ".relabel_configs"));
  }
  if (n["metric_relabel_configs"]) {
    TM_ASSIGN_OR_RETURN(c.metric_relabel, Relabel(n["metric_relabel_configs"], w + ".metric_relabel_configs"));
  }
  // Identity for reloads: the entry as written, the effective defaults and every secret or
  // certificate the files held (so that a rotated one restarts the pool's client).
  YAML::Emitter e;
  e << n;
  c.fingerprint = std::string(e.c_str()) + "\n" + std::to_string(c.scrape_interval_ms) + "/" +
                  std::to_string(c.scrape_timeout_ms) + "/" + std::to_string(c.sample_limit) + "/" +
                  std::to_string(c.label_limit) + "/" + std::to_string(c.body_size_limit) + "/" +
                  c.http.password + "/" + c.http.credentials + "/" + c.http.tls.ca_pem + c.http.tls.cert_pem +
                  c.http.tls.key_pem;
  for (const auto& p : c.scrape_protocols) c.fingerprint += "/" + p;
  return c;
}

}  // namespace

const std::vector<std::string>& ScrapeGlobalKeys() {
  static const std::vector<std::string> kKeys = {"scrape_interval", "scrape_timeout", "scrape_protocols",
                                                 "body_size_limit", "sample_limit", "label_limit",
                                                 "label_name_length_limit", "label_value_length_limit"};
  return kKeys;
}

Status ParseScrapeGlobals(const YAML::Node& g, ScrapeGlobals* out) {
  ScrapeGlobals s;
  if (g["scrape_interval"]) {
    TM_ASSIGN_OR_RETURN(s.scrape_interval_ms, Duration(g["scrape_interval"], "global.scrape_interval"));
  }
  if (s.scrape_interval_ms <= 0) return Bad("global.scrape_interval", "must be greater than 0");
  if (g["scrape_timeout"]) {
    TM_ASSIGN_OR_RETURN(s.scrape_timeout_ms, Duration(g["scrape_timeout"], "global.scrape_timeout"));
    if (s.scrape_timeout_ms > s.scrape_interval_ms) {
      return Bad("global", "global scrape timeout greater than scrape interval");
    }
  } else {
    s.scrape_timeout_ms = std::min<int64_t>(10'000, s.scrape_interval_ms);
  }
  if (g["scrape_protocols"]) {
    TM_ASSIGN_OR_RETURN(s.scrape_protocols, Protocols(g["scrape_protocols"], "global.scrape_protocols"));
  }
  if (g["body_size_limit"]) {
    TM_ASSIGN_OR_RETURN(s.body_size_limit, Bytes(g["body_size_limit"], "global.body_size_limit"));
  }
  if (g["sample_limit"]) {
    TM_ASSIGN_OR_RETURN(s.sample_limit, Count(g["sample_limit"], "global.sample_limit"));
  }
  if (g["label_limit"]) {
    TM_ASSIGN_OR_RETURN(s.label_limit, Count(g["label_limit"], "global.label_limit"));
  }
  if (g["label_name_length_limit"]) {
    TM_ASSIGN_OR_RETURN(s.label_name_length_limit, Count(g["label_name_length_limit"], "global.label_name_length_limit"));
  }
  if (g["label_value_length_limit"]) {
    TM_ASSIGN_OR_RETURN(s.label_value_length_limit, Count(g["label_value_length_limit"], "global.label_value_length_limit"));
  }
  *out = std::move(s);
  return Status::OK();
}

Result<std::vector<ingest::ScrapeConfig>> ParseScrapeConfigs(const YAML::Node& list, const ScrapeGlobals& globals,
                                                             const std::string& base_dir) {
  std::vector<ingest::ScrapeConfig> out;
  if (list.IsNull()) return out;
  if (!list.IsSequence()) return Bad("scrape_configs", "must be a list");
  std::set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    TM_ASSIGN_OR_RETURN(ingest::ScrapeConfig c,
                        ParseOne(list[i], "scrape_configs[" + std::to_string(i) + "]", globals, base_dir));
    if (!names.insert(c.job_name).second) {
      return Bad("scrape_configs", "found multiple scrape configs with job name \"" + c.job_name + "\"");
    }
    out.push_back(std::move(c));
  }
  return out;
}

void EmitScrapeGlobals(YAML::Emitter& e, const ScrapeGlobals& g) {
  e << YAML::Key << "scrape_interval" << YAML::Value << FormatDuration(g.scrape_interval_ms);
  e << YAML::Key << "scrape_timeout" << YAML::Value << FormatDuration(g.scrape_timeout_ms);
}

void EmitScrapeConfigs(YAML::Emitter& e, const std::vector<ingest::ScrapeConfig>& configs) {
  if (configs.empty()) return;
  e << YAML::Key << "scrape_configs" << YAML::Value << YAML::BeginSeq;
  for (const ingest::ScrapeConfig& c : configs) {
    e << YAML::BeginMap;
    e << YAML::Key << "job_name" << YAML::Value << c.job_name;
    e << YAML::Key << "honor_labels" << YAML::Value << c.honor_labels;
    e << YAML::Key << "honor_timestamps" << YAML::Value << c.honor_timestamps;
    e << YAML::Key << "scrape_interval" << YAML::Value << FormatDuration(c.scrape_interval_ms);
    e << YAML::Key << "scrape_timeout" << YAML::Value << FormatDuration(c.scrape_timeout_ms);
    e << YAML::Key << "metrics_path" << YAML::Value << c.metrics_path;
    e << YAML::Key << "scheme" << YAML::Value << c.scheme;
    e << YAML::Key << "enable_compression" << YAML::Value << c.enable_compression;
    if (c.sample_limit) e << YAML::Key << "sample_limit" << YAML::Value << c.sample_limit;
    if (c.label_limit) e << YAML::Key << "label_limit" << YAML::Value << c.label_limit;
    if (c.label_name_length_limit) e << YAML::Key << "label_name_length_limit" << YAML::Value << c.label_name_length_limit;
    if (c.label_value_length_limit) e << YAML::Key << "label_value_length_limit" << YAML::Value << c.label_value_length_limit;
    if (c.body_size_limit) e << YAML::Key << "body_size_limit" << YAML::Value << c.body_size_limit;
    httpclient::EmitClientConfig(e, c.http);
    if (!c.static_configs.empty()) {
      e << YAML::Key << "static_configs" << YAML::Value << YAML::BeginSeq;
      for (const auto& g : c.static_configs) {
        e << YAML::BeginMap << YAML::Key << "targets" << YAML::Value << g.targets;
        if (!g.labels.empty()) {
          e << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
          for (const auto& [k, v] : g.labels) e << YAML::Key << k << YAML::Value << v;
          e << YAML::EndMap;
        }
        e << YAML::EndMap;
      }
      e << YAML::EndSeq;
    }
    if (!c.file_sd_configs.empty()) {
      e << YAML::Key << "file_sd_configs" << YAML::Value << YAML::BeginSeq;
      for (const auto& f : c.file_sd_configs) {
        e << YAML::BeginMap << YAML::Key << "files" << YAML::Value << f.files;
        e << YAML::Key << "refresh_interval" << YAML::Value << FormatDuration(f.refresh_interval_ms) << YAML::EndMap;
      }
      e << YAML::EndSeq;
    }
    e << YAML::EndMap;
  }
  e << YAML::EndSeq;
}

}  // namespace tidemark::app
