// The Prometheus HTTP API (/api/v1/*, /-/*, /metrics) as routes over the modules' typed
// interfaces. http/ adapts requests to their calls and renders JSON; the modules own the behaviour.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tidemark/http/router.h"
#include "tidemark/http/ui.h"
#include "tidemark/query/engine.h"
#include "tidemark/query/query_gate.h"
#include "tidemark/storage/matcher.h"
#include "tidemark/storage/model/metrics.h"
#include "tidemark/storage/storage.h"

namespace tidemark::ingest {
class Ingester;
class RemoteReader;
class RemoteWriteSender;
class ScrapeManager;
}
namespace tidemark::alerting {
class RulesReader;
class AlertmanagerApi;
struct TestNotificationRequest;
struct TestNotificationAnswer;
}

namespace tidemark::http {

struct BuildInfo {
  // Grafana reads `version` (semver) to decide which Prometheus features to use; we report the
  // Prometheus release whose API we implement.
  std::string version = "2.42.0";
  std::string revision = "tidemark";
  std::string branch = "main";
  std::string build_user = "tidemark";
  std::string build_date = "";
  std::string go_version = "n/a (C++20)";
};

// App concerns the API exposes: configuration reload, readiness and the effective config.
// Implemented by the binary's wiring; thread-safe (called from request threads).
class ServerControl {
 public:
  virtual ~ServerControl() = default;
  virtual Status Reload() = 0;           // POST/PUT /-/reload; keeps the old config on error
  // POST/PUT /-/quit: starts a graceful shutdown and returns at once; false if one had begun.
  virtual bool Quit() = 0;
  virtual bool Ready() = 0;              // /-/ready
  virtual std::string ConfigYaml() = 0;  // /api/v1/status/config
  virtual std::vector<std::pair<std::string, std::string>> Flags() = 0;  // status/flags
  virtual std::string StorageRetention() = 0;  // runtimeinfo storageRetention
  // The notification (Alertmanager-schema) config with secrets masked: /api/v2/status'
  // config.original.
  virtual std::string NotificationConfigYaml() { return ""; }
  // global.external_labels of the current config (federation and remote read add them).
  virtual Labels ExternalLabels() { return {}; }
};

// The modules behind the routes, by their typed interfaces. Only `storage` is required; a missing
// module makes its endpoints answer 503 "unavailable" (or an empty list where Prometheus would
// answer one). Nothing is owned: every pointer must outlive the router.
struct ApiBackends {
  Storage* storage = nullptr;  // index reads, tsdb status, admin delete

  query::QueryEngine* engine = nullptr;  // query, query_range (must honour the cancel token)
  ingest::Ingester* ingester = nullptr;   // remote write, OTLP, metadata
  ingest::RemoteReader* remote_reader = nullptr;  // remote read
  ingest::RemoteWriteSender* remote_write = nullptr;  // /api/v1/status/remote_write
  const ingest::ScrapeManager* scraper = nullptr;  // targets, scrape pools, target metadata
  const alerting::RulesReader* rules = nullptr;  // rules, alerts, slos
  alerting::AlertmanagerApi* alertmanager = nullptr;  // /api/v2: router alerts, silences
  ServerControl* control = nullptr;              // reload, ready, status config/flags/runtimeinfo
  // POST /api/v1/notifications/test (empty: 503). Sends synchronously.
  std::function<Result<std::vector<alerting::TestNotificationAnswer>>(const alerting::TestNotificationRequest&)>
      test_notification;

  MetricsRegistry* metrics = nullptr;  // /metrics exposition and query latency
  // The web UI's files (webui::EmbeddedAssets() in the binary); empty: "/" answers 404.
  std::span<const UiAsset> ui_assets;
  BuildInfo build_info;
  int64_t query_timeout_ms = 2 * 60 * 1000;  // upper bound for the `timeout` parameter
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  // Admission of /api/v1/query and query_range (--query.max-concurrency and
  // --query.max-queue-length; the binary shares it with the rule manager). Null: no limit.
  query::QueryGate* query_gate = nullptr;
  size_t max_points_per_series = 11000;
  bool enable_admin_api = false;
  bool enable_lifecycle = false;  // /-/reload and /-/quit; 403 otherwise, as Prometheus
  std::string data_dir;
};

// Shared counters for runtimeinfo.
struct ApiState {
  std::atomic<int64_t> start_time_ms{0};
  std::atomic<int64_t> last_reload_ms{0};
  std::atomic<bool> last_reload_ok{true};
};

// Registers every route on `router`. `backends` is copied; `state` must outlive the router.
void RegisterPrometheusApi(Router& router, const ApiBackends& backends, ApiState* state);
// Only the ingest routes on a separate OTLP listener: POST /v1/metrics.
void RegisterOtlpRoutes(Router& router, const ApiBackends& backends);

}  // namespace tidemark::http
