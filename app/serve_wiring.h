// Glue between `tidemark serve` and the modules: the rules service (alerting) and the
// collectors that export module counters on /metrics.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "serve_config.h"
#include "tidemark/alerting/slo_status.h"
#include "tidemark/http/log.h"
#include "tidemark/ingest/ingester.h"
#include "tidemark/query/engine.h"
#include "tidemark/storage/model/metrics.h"
#include "tidemark/storage/storage.h"

namespace tidemark::app {

// Rule evaluation and notification as the server sees it.
class RulesService {
 public:
  virtual ~RulesService() = default;
  virtual Status Start() = 0;                         // loads rules, starts evaluating
  virtual Status Reload(const ServeConfig& cfg) = 0;  // keeps the old rules on error
  virtual void Stop() = 0;
  // JSON "data" objects of /api/v1/rules and /api/v1/alerts.
  virtual Result<std::string> RulesJson(const std::multimap<std::string, std::string>& params) = 0;
  virtual Result<std::string> AlertsJson() = 0;
  virtual std::vector<alerting::SloStatus> Slos() = 0;  // /api/v1/slos
  virtual std::string MetricsText() = 0;
};

std::unique_ptr<RulesService> MakeRules(const ServeConfig& cfg, promql::Engine& engine,
                                        Storage& storage, http::Logger& log);

// Exposes storage, ingest and rule counters through `metrics`.
void RegisterServerMetrics(MetricsRegistry& metrics, Storage& storage, ingest::Ingester& ingester,
                           RulesService& rules);

}  // namespace tidemark::app
