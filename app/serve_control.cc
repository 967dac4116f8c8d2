// ServeControl: configuration reload (SIGHUP, /-/reload) and the configuration in effect, as the
// HTTP API's status endpoints show it.
#include <signal.h>
#include <unistd.h>

#include "serve_wiring.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::app {

namespace {

constexpr const char* kReloadOkName = "tidemark_config_last_reload_successful";
constexpr const char* kReloadOkHelp =
    "Whether the last configuration reload attempt was successful.";

}  // namespace

ServeControl::ServeControl(std::vector<std::string> args, ServeConfig initial, Storage& storage,
                           alerting::RuleManager& rules, ingest::Ingester& ingester,
                           ingest::ScrapeManager& scraper, const alerting::Clock& clock,
                           http::ApiState& state, MetricsRegistry& metrics, http::Logger& log,
                           ingest::RemoteWriteSender* remote_write)
    : args_(std::move(args)),
      storage_(storage),
      rules_(rules),
      ingester_(ingester),
      scraper_(scraper),
      clock_(clock),
      state_(state),
      metrics_(metrics),
      log_(log),
      remote_write_(remote_write),
      current_(std::move(initial)) {
  metrics_.GetGauge(kReloadOkName, kReloadOkHelp)->Set(1);
}

Status ServeControl::Reload() {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  bool help = false;
  auto next = ParseServeArgs(args_, &help);
  Status s = next.ok() ? rules_.Reload(RuleManagerOptions(*next, storage_, log_)) : next.status();
  if (s.ok() && remote_write_ != nullptr) {
    ingest::SenderOptions so;
    auto configs = RemoteWriteConfigs(*next, rules_, &so, log_);
    s = remote_write_->Apply(std::move(configs), std::move(so));
  }
  state_.last_reload_ms = clock_.Now();
  state_.last_reload_ok = s.ok();
  metrics_.GetGauge(kReloadOkName, kReloadOkHelp)->Set(s.ok() ? 1 : 0);
  if (!s.ok()) {
    log_.Error("reload failed; keeping the previous configuration", {{"err", s.ToString()}});
    metrics_.GetCounter("tidemark_config_reload_failures_total", "Failed configuration reloads.")
        ->Inc();
    return s;
  }
  std::lock_guard<std::mutex> lock(mu_);
  http::LogLevel l = http::LogLevel::kInfo;
  http::ParseLogLevel(next->log_level, &l);
  log_.set_level(l);
  ingester_.SetOtlpConfig(next->otlp);
  scraper_.ApplyConfig(next->scrape_configs);
  for (const auto& w : next->warnings) log_.Warn(w);
  current_ = std::move(*next);
  // Cached range results go too: recording and alerting rules may now write differently.
  storage_.Changes().NoteChange();
  log_.Info("configuration reloaded", {{"rule_files", std::to_string(current_.rule_files.size())},
                                       {"slo_files", std::to_string(current_.slo_files.size())}});
  return Status::OK();
}

bool ServeControl::Quit() {
  if (quit_requested_.exchange(true)) return false;
  // The signal loop in ServeMain owns shutdown; the request's answer is written before the
  // server stops (in-flight requests get a grace period).
  log_.Info("termination requested over HTTP (/-/quit)");
  ::kill(::getpid(), SIGTERM);
  return true;
}

std::string ServeControl::ConfigYaml() {
  std::lock_guard<std::mutex> lock(mu_);
  return EffectiveConfigYaml(current_);
}

std::vector<std::pair<std::string, std::string>> ServeControl::Flags() {
  std::lock_guard<std::mutex> lock(mu_);
  return EffectiveFlags(current_);
}

std::string ServeControl::NotificationConfigYaml() {
  std::lock_guard<std::mutex> lock(mu_);
  return current_.notifications_yaml.empty() ? "" : MaskNotificationSecrets(current_.notifications_yaml);
}

Labels ServeControl::ExternalLabels() {
  std::lock_guard<std::mutex> lock(mu_);
  return ToLabels(current_.external_labels);
}

std::string ServeControl::StorageRetention() {
  std::lock_guard<std::mutex> lock(mu_);
  std::string r = current_.retention_ms ? FormatDuration(current_.retention_ms) : "";
  if (current_.retention_bytes) {
    r += (r.empty() ? "" : " or ") + std::to_string(current_.retention_bytes) + "B";
  }
  return r;
}

}  // namespace tidemark::app
