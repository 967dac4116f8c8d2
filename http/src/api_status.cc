// Status, lifecycle and admin endpoints, and /metrics.
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "api_common.h"

namespace tidemark::http::api {

namespace {

using nlohmann::json;

HttpResponse Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

HttpResponse BuildInfoH(Context& c, HttpRequest&) {
  const BuildInfo& b = c.b.build_info;
  json j = {{"version", b.version},       {"revision", b.revision},
            {"branch", b.branch},         {"buildUser", b.build_user},
            {"buildDate", b.build_date},  {"goVersion", b.go_version}};
  return Success(j.dump());
}

HttpResponse RuntimeInfo(Context& c, HttpRequest&) {
  char cwd[4096] = "";
  if (getcwd(cwd, sizeof(cwd)) == nullptr) cwd[0] = 0;
  int64_t start = c.state ? c.state->start_time_ms.load() : 0;
  int64_t reload = c.state ? c.state->last_reload_ms.load() : 0;
  json j = {{"startTime", FormatRfc3339(start, Rfc3339Fraction::kMillis)},
            {"CWD", cwd},
            {"reloadConfigSuccess", c.state ? c.state->last_reload_ok.load() : true},
            {"lastConfigTime", FormatRfc3339(reload ? reload : start, Rfc3339Fraction::kMillis)},
            {"corruptionCount", 0},
            {"goroutineCount", 0},
            {"GOMAXPROCS", static_cast<int>(std::thread::hardware_concurrency())},
            {"GOMEMLIMIT", 0},
            {"GOGC", ""},
            {"GODEBUG", ""},
            {"storageRetention", c.b.control ? c.b.control->StorageRetention() : ""}};
  return Success(j.dump());
}

HttpResponse Flags(Context& c, HttpRequest&) {
  json j = json::object();
  if (c.b.control) {
    for (const auto& [k, v] : c.b.control->Flags()) j[k] = v;
  }
  return Success(j.dump());
}

HttpResponse ConfigH(Context& c, HttpRequest&) {
  json j = {{"yaml", c.b.control ? c.b.control->ConfigYaml() : ""}};
  return Success(j.dump());
}

json Cardinalities(const std::vector<MetricCardinality>& v) {
  json a = json::array();
  for (const auto& m : v) a.push_back({{"name", m.name}, {"value", m.value}});
  return a;
}

HttpResponse Tsdb(Context& c, HttpRequest& r) {
  // `limit` as Prometheus' serveTSDBStatus: 1..10000, default 10.
  constexpr long long kMaxLimit = 10'000;
  long long limit = static_cast<long long>(kDefaultStatsTopN);
  if (std::string v = r.Param("limit"); !v.empty()) {
    char* end = nullptr;
    limit = std::strtoll(v.c_str(), &end, 10);
    if (end != v.c_str() + v.size() || limit < 1) return BadData("limit must be a positive number");
    if (limit > kMaxLimit) return BadData("limit must not exceed " + std::to_string(kMaxLimit));
  }
  StorageStats s = c.b.storage->Stats(static_cast<size_t>(limit));
  json head = {{"numSeries", s.head_series ? s.head_series : s.num_series},
               {"numLabelPairs", s.num_label_pairs},
               {"chunkCount", s.head_chunks},
               {"minTime", s.min_time},
               {"maxTime", s.max_time}};
  json j = {{"headStats", head},
            {"seriesCountByMetricName", Cardinalities(s.series_count_by_metric)},
            {"labelValueCountByLabelName", Cardinalities(s.label_value_count_by_name)},
            {"memoryInBytesByLabelName", Cardinalities(s.label_bytes_by_name)},
            {"seriesCountByLabelValuePair", Cardinalities(s.series_count_by_label_pair)}};
  return Success(j.dump());
}

HttpResponse DeleteSeries(Context& c, HttpRequest& r) {
  if (!c.b.enable_admin_api) return ErrorResponse("unavailable", "admin APIs disabled");
  if (r.ParamAll("match[]").empty()) return BadData("no match[] parameter provided");
  auto start = TimeParam(r, "start", kApiMinTime);
  if (!start.ok()) return BadData(start.status().message());
  auto end = TimeParam(r, "end", kApiMaxTime);
  if (!end.ok()) return BadData(end.status().message());
  auto sets = MatchParams(r);
  if (!sets.ok()) return StatusResponse(sets.status());
  for (const Matchers& ms : *sets) {
    Status s = c.b.storage->DeleteSeries(ms, *start, *end);
    if (!s.ok()) return StatusResponse(s);
  }
  HttpResponse ok;
  ok.status = 204;
  ok.content_type.clear();
  return ok;
}

// Prometheus' clean_tombstones and Tidemark's compact: seal the head, re-encode everything as
// cold blocks and rewrite the table files, so deleted and superseded data leaves the disk.
HttpResponse CompactAll(Context& c, HttpRequest&) {
  if (!c.b.enable_admin_api) return ErrorResponse("unavailable", "admin APIs disabled");
  Status s = c.b.storage->Compact(CompactScope::kEverything);
  if (!s.ok()) return StatusResponse(s);
  HttpResponse ok;
  ok.status = 204;
  ok.content_type.clear();
  return ok;
}

HttpResponse Healthy(Context&, HttpRequest&) { return Text(200, "Tidemark Server is Healthy.\n"); }

HttpResponse Ready(Context& c, HttpRequest&) {
  if (c.b.control && !c.b.control->Ready()) return Text(503, "Service Unavailable");
  return Text(200, "Tidemark Server is Ready.\n");
}

// Prometheus answers these without --web.enable-lifecycle.
HttpResponse LifecycleDisabled() { return Text(403, "Lifecycle API is not enabled."); }

HttpResponse Reload(Context& c, HttpRequest&) {
  if (!c.b.enable_lifecycle) return LifecycleDisabled();
  if (!c.b.control) return Text(200, "");
  Status s = c.b.control->Reload();
  if (!s.ok()) return Text(500, "failed to reload config: " + s.message() + "\n");
  return Text(200, "");
}

HttpResponse Quit(Context& c, HttpRequest&) {
  if (!c.b.enable_lifecycle) return LifecycleDisabled();
  if (!c.b.control) return Text(503, "Service Unavailable");
  return Text(200, c.b.control->Quit() ? "Requesting termination... Goodbye!"
                                       : "Termination already in progress.");
}

HttpResponse PostOrPutOnly(Context&, HttpRequest&) {
  return Text(405, "Only POST or PUT requests allowed");
}

HttpResponse Metrics(Context& c, HttpRequest&) {
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  if (c.b.metrics) r.body = c.b.metrics->Expose();
  return r;
}

}  // namespace

void RegisterStatusRoutes(Router& router, std::shared_ptr<Context> ctx) {
  auto wrap = [ctx](HttpResponse (*fn)(Context&, HttpRequest&)) {
    return [ctx, fn](HttpRequest& r) { return fn(*ctx, r); };
  };
  router.Add({{"GET"}, "/api/v1/status/buildinfo", "buildinfo", Pool::kInline, false, wrap(&BuildInfoH)});
  router.Add({{"GET"}, "/api/v1/status/runtimeinfo", "runtimeinfo", Pool::kInline, false,
              wrap(&RuntimeInfo)});
  router.Add({{"GET"}, "/api/v1/status/flags", "flags", Pool::kInline, false, wrap(&Flags)});
  router.Add({{"GET"}, "/api/v1/status/config", "config", Pool::kInline, false, wrap(&ConfigH)});
  router.Add({{"GET"}, "/api/v1/status/tsdb", "tsdb", Pool::kQuery, false, wrap(&Tsdb)});
  router.Add({{"POST", "PUT"}, "/api/v1/admin/tsdb/delete_series", "delete_series",
              Pool::kBlocking, false, wrap(&DeleteSeries)});
  for (const char* path : {"/api/v1/admin/tsdb/clean_tombstones", "/api/v1/admin/tsdb/compact"}) {
    router.Add({{"POST", "PUT"}, path, "compact", Pool::kBlocking, false, wrap(&CompactAll)});
  }
  router.Add({{"GET", "HEAD"}, "/-/healthy", "healthy", Pool::kInline, false, wrap(&Healthy)});
  router.Add({{"GET", "HEAD"}, "/-/ready", "ready", Pool::kInline, false, wrap(&Ready)});
  router.Add({{"POST", "PUT"}, "/-/reload", "reload", Pool::kBlocking, false, wrap(&Reload)});
  router.Add({{"POST", "PUT"}, "/-/quit", "quit", Pool::kInline, false, wrap(&Quit)});
  for (const char* path : {"/-/reload", "/-/quit"}) {
    router.Add({{"GET"}, path, "lifecycle_get", Pool::kInline, false, wrap(&PostOrPutOnly)});
  }
  router.Add({{"GET"}, "/metrics", "metrics", Pool::kBlocking, false, wrap(&Metrics)});
}

}  // namespace tidemark::http::api
