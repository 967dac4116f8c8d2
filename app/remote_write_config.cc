// Parsing of `remote_write:` (see remote_write_config.h). Field names and defaults are
// Prometheus' (config.RemoteWriteConfig, QueueConfig); max_backlog_age and send_rule_series are
// Tidemark's.
#include "remote_write_config.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "config_keys.h"
#include "relabel_yaml.h"
#include "tidemark/httpclient/config.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::app {

namespace {

Status Bad(const std::string& msg) { return Status::InvalidArgument("config: " + msg); }

Result<int64_t> Dur(const YAML::Node& n, const std::string& where) {
  auto d = ParseDuration(n.as<std::string>());
  if (!d.ok()) return Bad(where + ": not a duration: \"" + n.as<std::string>() + "\"");
  return *d;
}

Result<int> Int(const YAML::Node& n, const std::string& where) {
  int v = 0;
  try {
    v = n.as<int>();
  } catch (const YAML::Exception&) {
    return Bad(where + ": not an integer");
  }
  return v;
}

Result<bool> Bool(const YAML::Node& n, const std::string& where) {
  try {
    return n.as<bool>();
  } catch (const YAML::Exception&) {
    return Bad(where + ": not a boolean");
  }
}

// Prometheus' reserved headers (config.reservedHeaders), lower case.
const std::set<std::string>& ReservedHeaders() {
  static const std::set<std::string> k{
      "host", "content-encoding", "content-length", "content-type", "user-agent", "connection",
      "keep-alive", "proxy-authenticate", "proxy-authorization", "www-authenticate",
      "accept-encoding", "x-prometheus-remote-write-version", "x-prometheus-remote-read-version",
      "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"};
  return k;
}

// A stable default remote_name (the cursor is stored under it): 6 hex digits of FNV-1a(url).
std::string DefaultName(const std::string& url) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : url) h = (h ^ c) * 1099511628211ULL;
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return std::string(buf, 6);
}

Status ParseQueue(const YAML::Node& q, const std::string& where, ingest::QueueConfig* out,
                  int64_t* sample_age_limit_ms) {
  TM_RETURN_IF_ERROR(UnknownKeys(q, where, {"capacity", "max_shards", "min_shards",
                                          "max_samples_per_send", "batch_send_deadline",
                                          "min_backoff", "max_backoff", "retry_on_http_429",
                                          "sample_age_limit"}));
  if (q["capacity"]) {
    TM_ASSIGN_OR_RETURN(out->capacity, Int(q["capacity"], where + ".capacity"));
  }
  if (q["max_shards"]) {
    TM_ASSIGN_OR_RETURN(out->max_shards, Int(q["max_shards"], where + ".max_shards"));
  }
  if (q["min_shards"]) {
    TM_ASSIGN_OR_RETURN(out->min_shards, Int(q["min_shards"], where + ".min_shards"));
  }
  if (q["max_samples_per_send"]) {
    TM_ASSIGN_OR_RETURN(out->max_samples_per_send,
                        Int(q["max_samples_per_send"], where + ".max_samples_per_send"));
  }
  if (q["batch_send_deadline"]) {
    TM_ASSIGN_OR_RETURN(out->batch_send_deadline_ms, Dur(q["batch_send_deadline"], where + ".batch_send_deadline"));
  }
  if (q["min_backoff"]) {
    TM_ASSIGN_OR_RETURN(out->min_backoff_ms, Dur(q["min_backoff"], where + ".min_backoff"));
  }
  if (q["max_backoff"]) {
    TM_ASSIGN_OR_RETURN(out->max_backoff_ms, Dur(q["max_backoff"], where + ".max_backoff"));
  }
  if (q["retry_on_http_429"]) {
    TM_ASSIGN_OR_RETURN(out->retry_on_http_429, Bool(q["retry_on_http_429"], where + ".retry_on_http_429"));
  }
  if (q["sample_age_limit"]) {
    TM_ASSIGN_OR_RETURN(*sample_age_limit_ms, Dur(q["sample_age_limit"], where + ".sample_age_limit"));
  }
  // Prometheus' QueueConfig.Validate, same messages.
  if (out->max_shards <= 0) return Bad("remote write queue max_shards must be positive");
  if (out->min_shards <= 0) return Bad("remote write queue min_shards must be positive");
  if (out->min_shards > out->max_shards) {
    return Bad("remote write queue min_shards must not be greater than max_shards");
  }
  if (out->max_samples_per_send <= 0) return Bad("remote write queue max_samples_per_send must be positive");
  if (out->capacity <= 0) return Bad("remote write queue capacity must be positive");
  if (out->max_backoff_ms < out->min_backoff_ms) {
    return Bad("remote write queue max_backoff must not be less than min_backoff");
  }
  return Status::OK();
}

Result<ingest::RemoteWriteConfig> ParseEntry(const YAML::Node& n, const std::string& where,
                                             const std::string& base_dir) {
  if (!n.IsMap()) return Bad(where + " must be a mapping");
  for (const char* k : {"sigv4", "azuread", "google_iam"}) {
    if (n[k]) return Bad(where + "." + k + " is not supported by Tidemark");
  }
  const std::set<std::string> own{"url", "remote_timeout", "headers", "write_relabel_configs",
                                  "name", "send_exemplars", "send_native_histograms",
                                  "round_robin_dns", "protobuf_message", "failed_request_logging",
                                  "queue_config", "metadata_config", "max_backlog_age",
                                  "send_rule_series"};
  ingest::RemoteWriteConfig c;
  TM_ASSIGN_OR_RETURN(c.http, httpclient::ParseClientConfig(n, "config: " + where, base_dir, own));
  if (!n["url"] || n["url"].as<std::string>().empty()) return Bad("url for remote_write is empty");
  c.url = n["url"].as<std::string>();
  if (c.url.rfind("http://", 0) != 0 && c.url.rfind("https://", 0) != 0) {
    return Bad(where + ".url: scheme must be http or https");
  }
  c.name = n["name"] ? n["name"].as<std::string>() : DefaultName(c.url);
  if (c.name.empty()) c.name = DefaultName(c.url);
  if (n["remote_timeout"]) {
    TM_ASSIGN_OR_RETURN(c.remote_timeout_ms, Dur(n["remote_timeout"], where + ".remote_timeout"));
  }
  if (auto h = n["headers"]) {
    if (!h.IsMap()) return Bad(where + ".headers must be a mapping");
    for (const auto& kv : h) {
      std::string k = kv.first.as<std::string>(), lower = k;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (lower == "authorization") {
        return Bad("authorization header must be changed via the basic_auth, authorization, "
                   "oauth2, sigv4, azuread or google_iam parameter");
      }
      if (ReservedHeaders().count(lower) != 0) return Bad(k + " is a reserved header. It must not be changed");
      c.headers.emplace_back(k, kv.second.as<std::string>());
    }
  }
  if (auto r = n["write_relabel_configs"]) {
    TM_ASSIGN_OR_RETURN(c.write_relabel_configs, ParseRelabelConfigs(r, where + ".write_relabel_configs"));
  }
  // What Tidemark cannot send is refused rather than silently not sent.
  for (const char* k : {"send_exemplars", "send_native_histograms", "round_robin_dns",
                        "failed_request_logging"}) {
    if (!n[k]) continue;
    TM_ASSIGN_OR_RETURN(bool on, Bool(n[k], where + "." + k));
    if (on) return Bad(where + "." + k + ": true is not supported by Tidemark");
  }
  if (auto pm = n["protobuf_message"]) {
    const std::string m = pm.as<std::string>();
    c.write_v2 = m == "io.prometheus.write.v2.Request";
    if (!c.write_v2 && m != "prometheus.WriteRequest") {
      return Bad("invalid protobuf_message value: unknown remote write protobuf message " + m +
                 ", supported: prometheus.WriteRequest, io.prometheus.write.v2.Request");
    }
  }
  if (auto md = n["metadata_config"]) {
    TM_RETURN_IF_ERROR(UnknownKeys(md, where + ".metadata_config", {"send", "send_interval", "max_samples_per_send"}));
    bool send = true;
    if (md["send"]) {
      TM_ASSIGN_OR_RETURN(send, Bool(md["send"], where + ".metadata_config.send"));
    }
    if (send) {
      return Bad(where + ".metadata_config.send: true is not supported by Tidemark (metadata is "
                 "not forwarded); set send: false");
    }
  }
  int64_t sample_age_limit_ms = 0;
  if (auto q = n["queue_config"]) {
    TM_RETURN_IF_ERROR(ParseQueue(q, where + ".queue_config", &c.queue, &sample_age_limit_ms));
  }
  if (n["max_backlog_age"]) {
    TM_ASSIGN_OR_RETURN(c.max_backlog_age_ms, Dur(n["max_backlog_age"], where + ".max_backlog_age"));
    if (c.max_backlog_age_ms <= 0) return Bad(where + ".max_backlog_age must be positive");
  }
  // Prometheus' sample_age_limit drops what is older at send time: the same bound, tighter.
  if (sample_age_limit_ms > 0) c.max_backlog_age_ms = std::min(c.max_backlog_age_ms, sample_age_limit_ms);
  if (n["send_rule_series"]) {
    TM_ASSIGN_OR_RETURN(c.send_rule_series, Bool(n["send_rule_series"], where + ".send_rule_series"));
  }
  // A reload restarts the queue only when the entry (or a file it read) changed.
  c.fingerprint = YAML::Dump(n) + '\0' + c.http.credentials + '\0' + c.http.password + '\0' +
                  c.http.tls.ca_pem + c.http.tls.cert_pem + c.http.tls.key_pem;
  return c;
}

}  // namespace

Result<std::vector<ingest::RemoteWriteConfig>> ParseRemoteWriteSection(const YAML::Node& node,
                                                                        const std::string& base_dir) {
  std::vector<ingest::RemoteWriteConfig> out;
  if (node.IsNull()) return out;
  if (!node.IsSequence()) return Bad("remote_write must be a list");
  std::set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    TM_ASSIGN_OR_RETURN(auto c, ParseEntry(node[i], "remote_write[" + std::to_string(i) + "]", base_dir));
    if (!names.insert(c.name).second) {
      return Bad("found multiple remote write configs with job name \"" + c.name + "\"");
    }
    out.push_back(std::move(c));
  }
  return out;
}

void EmitRemoteWriteSection(YAML::Emitter& e, const std::vector<ingest::RemoteWriteConfig>& rws) {
  if (rws.empty()) return;
  e << YAML::Key << "remote_write" << YAML::Value << YAML::BeginSeq;
  for (const auto& c : rws) {
    e << YAML::BeginMap;
    e << YAML::Key << "url" << YAML::Value << httpclient::RedactUrlPassword(c.url);
    e << YAML::Key << "name" << YAML::Value << c.name;
    e << YAML::Key << "remote_timeout" << YAML::Value << FormatDuration(c.remote_timeout_ms);
    if (!c.headers.empty()) {
      e << YAML::Key << "headers" << YAML::Value << YAML::BeginMap;
      for (const auto& [k, v] : c.headers) e << YAML::Key << k << YAML::Value << "<secret>";
      e << YAML::EndMap;
    }
    e << YAML::Key << "protobuf_message" << YAML::Value
      << (c.write_v2 ? "io.prometheus.write.v2.Request" : "prometheus.WriteRequest");
    httpclient::EmitClientConfig(e, c.http);
    const auto& q = c.queue;
    e << YAML::Key << "queue_config" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "capacity" << YAML::Value << q.capacity;
    e << YAML::Key << "max_shards" << YAML::Value << q.max_shards;
    e << YAML::Key << "min_shards" << YAML::Value << q.min_shards;
    e << YAML::Key << "max_samples_per_send" << YAML::Value << q.max_samples_per_send;
    e << YAML::Key << "batch_send_deadline" << YAML::Value << FormatDuration(q.batch_send_deadline_ms);
    e << YAML::Key << "min_backoff" << YAML::Value << FormatDuration(q.min_backoff_ms);
    e << YAML::Key << "max_backoff" << YAML::Value << FormatDuration(q.max_backoff_ms);
    e << YAML::Key << "retry_on_http_429" << YAML::Value << q.retry_on_http_429;
    e << YAML::EndMap;
    e << YAML::Key << "metadata_config" << YAML::Value << YAML::BeginMap << YAML::Key << "send"
      << YAML::Value << false << YAML::EndMap;
    e << YAML::Key << "max_backlog_age" << YAML::Value << FormatDuration(c.max_backlog_age_ms);
    e << YAML::Key << "send_rule_series" << YAML::Value << c.send_rule_series;
    e << YAML::EndMap;
  }
  e << YAML::EndSeq;
}

}  // namespace tidemark::app
