// The rule manager's options from the serve configuration, and its log sink on the server log.
#include <filesystem>

#include "external_url.h"
#include "serve_wiring.h"

namespace tidemark::app {

Labels ToLabels(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::vector<Label> v;
  for (const auto& [k, val] : kv) v.push_back({k, val});
  return Labels(std::move(v));
}

namespace {

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

}  // namespace

alerting::RuleManager::Options RuleManagerOptions(const ServeConfig& cfg, Storage& storage,
                                                  http::Logger& log) {
  alerting::RuleManager::Options o;
  o.rule_files = cfg.rule_files;
  o.slo_files = cfg.slo_files;
  o.evaluation_interval_ms = cfg.evaluation_interval_ms;
  o.external_labels = ToLabels(cfg.external_labels);
  o.external_url = ExternalUrl(cfg);
  o.alertmanagers = cfg.alertmanagers;
  o.alert_relabel = cfg.alert_relabel;
  o.outage_tolerance_ms = cfg.for_outage_tolerance_ms;
  o.for_grace_period_ms = cfg.for_grace_period_ms;
  o.resend_delay_ms = cfg.resend_delay_ms;
  o.notification_config_yaml = cfg.notifications_yaml;
  if (!cfg.config_file.empty()) {
    o.config_dir = std::filesystem::path(cfg.config_file).parent_path().string();
  }
  o.data_dir = cfg.storage == "memory" ? "" : cfg.data_dir;
  o.restore_source = &storage;
  o.slo_bucket_source = &storage;
  o.state_store = &storage.State();
  o.log = LogTo(log);
  return o;
}

}  // namespace tidemark::app
