// RulesService over the alerting module's RuleManager, and the /api/v1/rules and
// /api/v1/alerts JSON (Prometheus' shapes) built from its snapshots.
#include <charconv>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <set>

#include "serve_wiring.h"
#include "tidemark/alerting/manager.h"
#include "tidemark/http/format.h"

namespace tidemark::app {

namespace {

using http::AppendJsonString;
using http::AppendLabelsJson;

std::string Rfc3339(Timestamp ms) {
  if (ms == 0) return "0001-01-01T00:00:00Z";  // Go's zero time, as Prometheus prints it
  return http::FormatRfc3339(ms);
}

// Go's strconv.FormatFloat(v, 'e', -1, 64), used by Prometheus for alert values.
std::string FormatE(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  return std::string(buf, r.ptr);
}

std::string Num(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

void AppendAlert(std::string& out, const alerting::AlertSnapshot& a) {
  out += "{\"labels\":";
  AppendLabelsJson(out, a.labels);
  out += ",\"annotations\":";
  AppendLabelsJson(out, a.annotations);
  out += ",\"state\":\"";
  out += alerting::AlertStateName(a.state);
  out += "\",\"activeAt\":\"" + Rfc3339(a.active_at) + "\"";
  if (a.keep_firing_since) out += ",\"keepFiringSince\":\"" + Rfc3339(a.keep_firing_since) + "\"";
  out += ",\"value\":";
  AppendJsonString(out, FormatE(a.value));
  out += '}';
}

Labels ToLabels(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::vector<Label> v;
  for (const auto& [k, val] : kv) v.push_back({k, val});
  return Labels(std::move(v));
}

// Alerting's log sink on the server's logger.
alerting::LogSink LogTo(http::Logger& log) {
  return [&log](alerting::LogLevel level, std::string_view msg, const alerting::LogFields& fields) {
    const http::LogLevel l = level == alerting::LogLevel::kDebug  ? http::LogLevel::kDebug
                             : level == alerting::LogLevel::kInfo ? http::LogLevel::kInfo
                             : level == alerting::LogLevel::kWarn ? http::LogLevel::kWarn
                                                                  : http::LogLevel::kError;
    log.Log(l, msg, fields);
  };
}

alerting::RuleManager::Options ManagerOptions(const ServeConfig& cfg, Storage& storage,
                                              http::Logger& log) {
  alerting::RuleManager::Options o;
  o.rule_files = cfg.rule_files;
  o.slo_files = cfg.slo_files;
  o.evaluation_interval_ms = cfg.evaluation_interval_ms;
  o.external_labels = ToLabels(cfg.external_labels);
  o.external_url = cfg.external_url.empty() ? "http://" + cfg.listen : cfg.external_url;
  o.alertmanagers = cfg.alertmanagers;
  o.notification_config_yaml = cfg.notifications_yaml;
  if (!cfg.config_file.empty()) {
    o.config_dir = std::filesystem::path(cfg.config_file).parent_path().string();
  }
  o.data_dir = cfg.storage == "memory" ? "" : cfg.data_dir;
  o.restore_source = &storage;
  o.slo_bucket_source = &storage;
  o.log = LogTo(log);
  return o;
}

class ManagedRules : public RulesService {
 public:
  ManagedRules(const ServeConfig& cfg, promql::Engine& engine, Storage& storage, http::Logger& log)
      : log_(log),
        manager_(alerting::EngineQueryFn(engine), storage, clock_, ManagerOptions(cfg, storage, log)),
        storage_(storage) {}

  Status Start() override {
    TM_RETURN_IF_ERROR(manager_.Reload());
    manager_.Start();
    log_.Info("rule manager started",
              {{"rule_files", std::to_string(manager_.options().rule_files.size())},
               {"slo_files", std::to_string(manager_.options().slo_files.size())}});
    return Status::OK();
  }
  Status Reload(const ServeConfig& cfg) override {
    std::lock_guard<std::mutex> lock(mu_);
    return manager_.Reload(ManagerOptions(cfg, storage_, log_));
  }
  void Stop() override { manager_.Stop(); }

  Result<std::string> RulesJson(const std::multimap<std::string, std::string>& p) override {
    std::string type;
    std::set<std::string> names, groups, files;
    for (const auto& [k, v] : p) {
      if (k == "type") type = v;
      if (k == "rule_name[]") names.insert(v);
      if (k == "group_name[]") groups.insert(v);
      if (k == "file[]") files.insert(v);
    }
    bool filtered = !type.empty() || !names.empty() || !groups.empty() || !files.empty();
    std::string out = "{\"groups\":[";
    bool first_group = true;
    for (const auto& g : manager_.Groups()) {
      if (!groups.empty() && !groups.count(g.name)) continue;
      if (!files.empty() && !files.count(g.file)) continue;
      std::string rules;
      for (const auto& r : g.rules) {
        bool alert = r.type == alerting::RuleType::kAlerting;
        if (type == "alert" && !alert) continue;
        if (type == "record" && alert) continue;
        if (!names.empty() && !names.count(r.name)) continue;
        if (!rules.empty()) rules += ',';
        rules += '{';
        if (alert) {
          rules += "\"state\":\"" + std::string(alerting::AlertStateName(r.state)) + "\",";
        }
        rules += "\"name\":";
        AppendJsonString(rules, r.name);
        rules += ",\"query\":";
        AppendJsonString(rules, r.query);
        if (alert) {
          rules += ",\"duration\":" + Num(static_cast<double>(r.for_ms) / 1000);
          rules += ",\"keepFiringFor\":" + Num(static_cast<double>(r.keep_firing_for_ms) / 1000);
        }
        // Prometheus omits empty labels on recording rules (omitempty) but not on alerting rules.
        if (alert || !r.labels.empty()) {
          rules += ",\"labels\":";
          AppendLabelsJson(rules, r.labels);
        }
        if (alert) {
          rules += ",\"annotations\":";
          AppendLabelsJson(rules, r.annotations);
          rules += ",\"alerts\":[";
          for (size_t i = 0; i < r.alerts.size(); ++i) {
            if (i) rules += ',';
            AppendAlert(rules, r.alerts[i]);
          }
          rules += ']';
        }
        rules += ",\"health\":\"" + std::string(alerting::RuleHealthName(r.health)) + "\"";
        if (!r.last_error.empty()) {
          rules += ",\"lastError\":";
          AppendJsonString(rules, r.last_error);
        }
        rules += ",\"evaluationTime\":" + Num(r.evaluation_time_s);
        rules += ",\"lastEvaluation\":\"" + Rfc3339(r.last_evaluation) + "\"";
        rules += std::string(",\"type\":\"") + (alert ? "alerting" : "recording") + "\"}";
      }
      if (filtered && rules.empty()) continue;
      if (!first_group) out += ',';
      first_group = false;
      out += "{\"name\":";
      AppendJsonString(out, g.name);
      out += ",\"file\":";
      AppendJsonString(out, g.file);
      out += ",\"rules\":[" + rules + "]";
      out += ",\"interval\":" + Num(static_cast<double>(g.interval_ms) / 1000);
      out += ",\"limit\":" + std::to_string(g.limit);
      out += ",\"evaluationTime\":" + Num(g.evaluation_time_s);
      out += ",\"lastEvaluation\":\"" + Rfc3339(g.last_evaluation) + "\"}";
    }
    out += "]}";
    return out;
  }

  Result<std::string> AlertsJson() override {
    std::string out = "{\"alerts\":[";
    bool first = true;
    for (const auto& a : manager_.ActiveAlerts()) {
      if (!first) out += ',';
      first = false;
      AppendAlert(out, a);
    }
    out += "]}";
    return out;
  }

  std::vector<alerting::SloStatus> Slos() override { return manager_.Slos(); }

  std::string MetricsText() override { return manager_.MetricsText(); }

 private:
  http::Logger& log_;
  alerting::SystemClock clock_;
  alerting::RuleManager manager_;
  Storage& storage_;
  std::mutex mu_;
};

}  // namespace

std::unique_ptr<RulesService> MakeRules(const ServeConfig& cfg, promql::Engine& engine,
                                        Storage& storage, http::Logger& log) {
  return std::make_unique<ManagedRules>(cfg, engine, storage, log);
}

}  // namespace tidemark::app
