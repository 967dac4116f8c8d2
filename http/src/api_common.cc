// Error mapping, parameter helpers and the deadline watchdog.
#include "api_common.h"

namespace tidemark::http {
namespace api {

HttpResponse ErrorResponse(std::string_view error_type, std::string_view message) {
  HttpResponse r;
  // Status per errorType as in Prometheus' web/api/v1 (returnAPIError).
  if (error_type == "bad_data") r.status = 400;
  else if (error_type == "execution") r.status = 422;
  else if (error_type == "canceled") r.status = 499;
  else if (error_type == "timeout") r.status = 503;
  else if (error_type == "unavailable") r.status = 503;
  else if (error_type == "not_found") r.status = 404;
  else if (error_type == "not_acceptable") r.status = 406;
  else r.status = 500;
  r.body = ErrorJson(error_type, message);
  return r;
}

HttpResponse StatusResponse(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument: return ErrorResponse("bad_data", s.message());
    case StatusCode::kDeadlineExceeded: return ErrorResponse("timeout", s.message());
    case StatusCode::kCanceled: return ErrorResponse("canceled", s.message());
    case StatusCode::kNotFound: return ErrorResponse("not_found", s.message());
    case StatusCode::kUnavailable: return ErrorResponse("unavailable", s.message());
    case StatusCode::kResourceExhausted:
    case StatusCode::kUnprocessable:
    case StatusCode::kOutOfRange:
    case StatusCode::kAlreadyExists: return ErrorResponse("execution", s.message());
    default: return ErrorResponse("internal", s.message());
  }
}

HttpResponse BadData(std::string_view message) { return ErrorResponse("bad_data", message); }

HttpResponse Success(std::string_view data_json, const std::vector<std::string>& warnings) {
  HttpResponse r;
  r.body = SuccessJson(data_json, warnings);
  return r;
}

HttpResponse PlainError(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::string(message) + "\n";
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

HttpResponse PlainError(const Status& s) {
  int status = s.code() == StatusCode::kInvalidArgument ? 400
               : s.code() == StatusCode::kUnavailable   ? 503
                                                        : 500;
  return PlainError(status, s.message());
}

Result<Timestamp> TimeParam(const HttpRequest& r, const std::string& name, Timestamp dflt) {
  std::string v = r.Param(name);
  if (v.empty()) return dflt;
  auto t = ParseApiTime(v);
  if (!t.ok()) {
    return Status::InvalidArgument("invalid parameter \"" + name + "\": " + t.status().message());
  }
  return *t;
}

Timestamp NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::vector<Matchers>> MatchParams(const HttpRequest& r) {
  std::vector<Matchers> out;
  for (const std::string& m : r.ParamAll("match[]")) {
    auto ms = query::ParseMetricSelector(m);
    if (!ms.ok()) return Status::InvalidArgument(ms.status().message());
    out.push_back(std::move(*ms));
  }
  return out;
}

Labels ExternalLabels(const Context& c) {
  return c.b.control ? c.b.control->ExternalLabels() : Labels();
}

Watchdog::Watchdog() : thread_([this] { Loop(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

uint64_t Watchdog::Add(std::chrono::steady_clock::time_point deadline, query::CancelToken* token) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t id = next_++;
  items_[id] = {deadline, token};
  if (deadline < wake_) cv_.notify_all();
  return id;
}

void Watchdog::Remove(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  items_.erase(id);
}

void Watchdog::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    auto now = std::chrono::steady_clock::now();
    auto next = now + std::chrono::seconds(1);
    for (auto& [id, item] : items_) {
      if (item.first <= now) {
        item.second->canceled.store(true);
      } else if (item.first < next) {
        next = item.first;
      }
    }
    wake_ = next;
    cv_.wait_until(lock, next);
  }
}

}  // namespace api

void RegisterPrometheusApi(Router& router, const ApiBackends& backends, ApiState* state) {
  auto ctx = std::make_shared<api::Context>();
  ctx->b = backends;
  ctx->state = state;
  api::RegisterQueryRoutes(router, ctx);
  api::RegisterMetaRoutes(router, ctx);
  api::RegisterStatusRoutes(router, ctx);
  api::RegisterRuleRoutes(router, ctx);
  api::RegisterSloRoutes(router, ctx);
  api::RegisterAlertmanagerRoutes(router, ctx);
  api::RegisterNotificationRoutes(router, ctx);
  api::RegisterIngestRoutes(router, ctx, false);
  api::RegisterFederationRoutes(router, ctx);
  api::RegisterRemoteWriteStatusRoutes(router, ctx);
  api::RegisterTargetRoutes(router, ctx);
  api::RegisterUiRoutes(router, ctx);
}

void RegisterOtlpRoutes(Router& router, const ApiBackends& backends) {
  auto ctx = std::make_shared<api::Context>();
  ctx->b = backends;
  api::RegisterIngestRoutes(router, ctx, true);
}

}  // namespace tidemark::http
