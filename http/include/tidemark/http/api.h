// The Prometheus HTTP API (/api/v1/*, /-/*, /metrics) as routes over injected module hooks.
// http/ only adapts requests to these calls; the modules own the behaviour.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tidemark/alerting/slo_status.h"
#include "tidemark/http/router.h"
#include "tidemark/query/engine.h"
#include "tidemark/storage/matcher.h"
#include "tidemark/storage/model/metrics.h"
#include "tidemark/storage/storage.h"

namespace tidemark::http {

// What an ingest handler answers (mirrors ingest::IngestResponse without depending on it).
struct RawResponse {
  int status = 204;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct MetadataEntry {
  std::string metric, type, help, unit;
};

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

// Every hook is optional unless stated; a missing hook makes its endpoint answer
// 503 "unavailable" (or an empty list where Prometheus would answer one).
struct ApiBackends {
  Storage* storage = nullptr;  // required: index reads, tsdb status, admin delete

  // PromQL. `timeout_ms` is the effective timeout; the hook must honour `cancel`.
  std::function<Result<promql::QueryValue>(std::string_view q, Timestamp t,
                                           const promql::CancelToken* cancel)>
      instant_query;
  std::function<Result<promql::QueryValue>(std::string_view q, Timestamp start, Timestamp end,
                                           int64_t step_ms, const promql::CancelToken* cancel)>
      range_query;
  std::function<Result<Matchers>(std::string_view selector)> parse_selector;
  std::function<Result<std::string>(std::string_view query)> format_query;

  // Ingest (body as received, Content-Type, Content-Encoding).
  std::function<RawResponse(std::string_view, std::string_view, std::string_view)> remote_write;
  std::function<RawResponse(std::string_view, std::string_view, std::string_view)> otlp;
  std::function<std::vector<MetadataEntry>(std::string_view metric, size_t limit)> metadata;

  // Alerting: return the JSON text of the "data" object for /api/v1/rules and /api/v1/alerts.
  // The request's params (type, rule_name[], group_name[], file[]) are passed through.
  std::function<Result<std::string>(const std::multimap<std::string, std::string>& params)> rules;
  std::function<Result<std::string>()> alerts;
  // /api/v1/slos: every running SLO's state (RuleManager::Slos()).
  std::function<std::vector<alerting::SloStatus>()> slos;

  // Lifecycle and status.
  std::function<Status()> reload;                 // POST/PUT /-/reload
  std::function<bool()> ready;                    // /-/ready (defaults to true)
  std::function<std::string()> config_yaml;       // /api/v1/status/config
  std::function<std::vector<std::pair<std::string, std::string>>()> flags;  // status/flags
  std::function<std::string()> storage_retention;  // runtimeinfo storageRetention

  MetricsRegistry* metrics = nullptr;  // /metrics exposition and query latency
  BuildInfo build_info;
  int64_t query_timeout_ms = 2 * 60 * 1000;  // upper bound for the `timeout` parameter
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  size_t max_concurrent_queries = 20;  // 503 beyond
  size_t max_points_per_series = 11000;
  bool enable_admin_api = false;
  std::string data_dir;
};

// Shared counters for runtimeinfo.
struct ApiState {
  std::atomic<int64_t> start_time_ms{0};
  std::atomic<int64_t> last_reload_ms{0};
  std::atomic<bool> last_reload_ok{true};
  std::atomic<int64_t> inflight_queries{0};
};

// Registers every route on `router`. `backends` is copied; `state` must outlive the router.
void RegisterPrometheusApi(Router& router, const ApiBackends& backends, ApiState* state);
// Only the ingest routes on a separate OTLP listener: POST /v1/metrics.
void RegisterOtlpRoutes(Router& router, const ApiBackends& backends);

}  // namespace tidemark::http
