// Glue between `tidemark serve` and the modules: the rule manager's options, the server control
// behind /-/reload and the status endpoints, and the collectors that export module counters on
// /metrics.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "serve_config.h"
#include "tidemark/alerting/manager.h"
#include "tidemark/http/api.h"
#include "tidemark/http/log.h"
#include "tidemark/ingest/ingester.h"
#include "tidemark/ingest/remote_write_sender.h"
#include "tidemark/ingest/scrape.h"
#include "tidemark/storage/model/metrics.h"
#include "tidemark/storage/storage.h"

namespace tidemark::app {

// A config's name/value pairs (external labels) as a label set.
Labels ToLabels(const std::vector<std::pair<std::string, std::string>>& kv);

// The rule manager's options for `cfg`: rule and SLO files, notifications, restore source, logs.
alerting::RuleManager::Options RuleManagerOptions(const ServeConfig& cfg, Storage& storage,
                                                  http::Logger& log);

// The remote-write sender's configs and options for `cfg`: external labels, the recording
// rules' metric names (send_rule_series), warnings to `log`. A queue restarts on reload when its
// entry or these change.
std::vector<ingest::RemoteWriteConfig> RemoteWriteConfigs(const ServeConfig& cfg,
                                                         const alerting::RuleManager& rules,
                                                         ingest::SenderOptions* options,
                                                         http::Logger& log);

// Reloads re-read the command line (and the config file it names) and apply the result to the
// rule manager, the OTLP translation settings, the scrape configs and the log level; the status endpoints show the configuration in effect.
class ServeControl : public http::ServerControl {
 public:
  ServeControl(std::vector<std::string> args, ServeConfig initial, Storage& storage,
               alerting::RuleManager& rules, ingest::Ingester& ingester,
               ingest::ScrapeManager& scraper, const alerting::Clock& clock,
               http::ApiState& state, MetricsRegistry& metrics, http::Logger& log,
               ingest::RemoteWriteSender* remote_write = nullptr);

  Status Reload() override;  // logs and counts its outcome
  bool Quit() override;      // SIGTERM to this process: serve's signal loop shuts down
  bool quit_requested() const { return quit_requested_.load(); }
  bool Ready() override { return true; }
  std::string ConfigYaml() override;
  std::vector<std::pair<std::string, std::string>> Flags() override;
  std::string StorageRetention() override;
  std::string NotificationConfigYaml() override;
  Labels ExternalLabels() override;

 private:
  const std::vector<std::string> args_;
  Storage& storage_;
  alerting::RuleManager& rules_;
  ingest::Ingester& ingester_;
  ingest::ScrapeManager& scraper_;
  const alerting::Clock& clock_;
  http::ApiState& state_;
  MetricsRegistry& metrics_;
  http::Logger& log_;
  ingest::RemoteWriteSender* remote_write_;
  std::atomic<bool> quit_requested_{false};
  std::mutex reload_mu_;  // one reload at a time (SIGHUP and /-/reload)
  std::mutex mu_;         // guards current_
  ServeConfig current_;
};

// Exposes storage, ingest and rule counters through `metrics`.
void RegisterServerMetrics(MetricsRegistry& metrics, Storage& storage, ingest::Ingester& ingester,
                           alerting::RuleManager& rules);
// Exposes Prometheus' own self-monitoring series where Tidemark has the same quantity
// (docs/metrics.md).
void RegisterPrometheusCompatMetrics(MetricsRegistry& metrics, Storage& storage,
                                     alerting::RuleManager& rules);
// tidemark_build_info{<labels>} 1 (label names sorted by the caller).
void RegisterBuildInfo(MetricsRegistry& metrics,
                       const std::vector<std::pair<std::string, std::string>>& labels);

}  // namespace tidemark::app
