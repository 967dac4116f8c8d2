// /api/v1/query, /api/v1/query_range, /api/v1/format_query, /api/v1/query_exemplars.
#include <cmath>

#include "api_common.h"

namespace tidemark::http::api {

namespace {

// Cancels `token` if the request's client disconnects while the guard lives.
class CancelOnDisconnect {
 public:
  CancelOnDisconnect(DisconnectSignal* signal, query::CancelToken* token) : signal_(signal) {
    if (signal_) signal_->OnSet([token] { token->canceled.store(true); });
  }
  ~CancelOnDisconnect() {
    if (signal_) signal_->Clear();
  }
  CancelOnDisconnect(const CancelOnDisconnect&) = delete;
  CancelOnDisconnect& operator=(const CancelOnDisconnect&) = delete;

 private:
  DisconnectSignal* signal_;
};

// Effective timeout: the `timeout` parameter, capped by the server's query timeout.
Result<int64_t> TimeoutParam(const Context& c, const HttpRequest& r) {
  int64_t t = c.b.query_timeout_ms;
  std::string v = r.Param("timeout");
  if (!v.empty()) {
    auto d = ParseApiDuration(v);
    if (!d.ok()) return Status::InvalidArgument("invalid parameter \"timeout\": " + d.status().message());
    if (*d > 0 && (t <= 0 || *d < t)) t = *d;
  }
  return t;
}

Result<size_t> LimitParam(const HttpRequest& r) {
  std::string v = r.Param("limit");
  if (v.empty()) return size_t{0};
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (end != v.c_str() + v.size() || n < 0) {
    return Status::InvalidArgument("invalid parameter \"limit\": cannot parse \"" + v +
                                   "\" to a valid limit");
  }
  return static_cast<size_t>(n);
}

// Runs `fn` with a cancel token armed for `timeout_ms` and for the client going away, and maps
// its outcome.
template <typename Fn>
HttpResponse RunQuery(Context& c, const HttpRequest& r, const char* type, int64_t timeout_ms,
                      size_t limit, Fn fn) {
  // The deadline and the client's disconnect apply from here on, also while the query waits for
  // a slot (as Prometheus' timeout covers its query queue).
  query::CancelToken token;
  uint64_t wid = 0;
  if (timeout_ms > 0) {
    wid = c.watchdog->Add(std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms),
                          &token);
  }
  auto start = std::chrono::steady_clock::now();
  const char* stage = "expression evaluation";
  Result<query::QueryValue> res = [&]() -> Result<query::QueryValue> {
    CancelOnDisconnect on_disconnect(r.disconnect.get(), &token);
    query::QuerySlot slot(c.b.query_gate, token);
    if (!slot.status().ok()) {
      stage = "query queue";
      return slot.status();
    }
    return fn(&token);
  }();
  if (wid) c.watchdog->Remove(wid);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (c.b.metrics) {
    c.b.metrics->GetHistogram("tidemark_query_duration_seconds", "PromQL query latency by type.",
                              DefaultLatencyBuckets(), {"type"}, {type})->Observe(secs);
    // Our engine does not split a query into Prometheus' slices: the whole evaluation
    // (selection included) is its inner_eval (docs/metrics.md).
    c.b.metrics->GetSummary("prometheus_engine_query_duration_seconds", "Query timings",
                            {"slice"}, {"inner_eval"})->Observe(secs);
  }
  if (!res.ok()) {
    Status s = res.status();
    const bool client_gone =
        s.code() == StatusCode::kCanceled && r.disconnect && r.disconnect->is_set();
    if (c.b.metrics) {
      std::string reason =
          client_gone ? "client_disconnected" : std::string(StatusCodeName(s.code()));
      c.b.metrics->GetCounter("tidemark_queries_failed_total", "Failed PromQL queries by reason.",
                              {"type", "reason"}, {type, reason})->Inc();
    }
    // Nobody reads this answer; 499 is what Prometheus records for a closed client connection.
    if (client_gone) {
      return ErrorResponse("canceled", std::string("query was canceled in ") + stage +
                                           ": client disconnected");
    }
    // Our watchdog cancels on timeout: report it as Prometheus does.
    if (s.code() == StatusCode::kCanceled && token.canceled.load()) {
      return ErrorResponse("timeout", std::string("query timed out in ") + stage);
    }
    return StatusResponse(s);
  }
  query::QueryValue& v = *res;
  std::vector<std::string> warnings = v.warnings;
  if (limit > 0) {
    if (v.kind == query::ValueKind::kVector && v.vector.size() > limit) {
      v.vector.resize(limit);
      warnings.push_back("results truncated due to limit");
    } else if (v.kind == query::ValueKind::kMatrix && v.matrix.size() > limit) {
      v.matrix.resize(limit);
      warnings.push_back("results truncated due to limit");
    }
  }
  return Success(QueryDataJson(v), warnings);
}

HttpResponse Query(Context& c, HttpRequest& r) {
  auto t = TimeParam(r, "time", NowMs());
  if (!t.ok()) return BadData(t.status().message());
  auto timeout = TimeoutParam(c, r);
  if (!timeout.ok()) return BadData(timeout.status().message());
  auto limit = LimitParam(r);
  if (!limit.ok()) return BadData(limit.status().message());
  if (!c.b.engine) return ErrorResponse("unavailable", "query engine not available");
  std::string q = r.Param("query");
  return RunQuery(c, r, "instant", *timeout, *limit, [&](const query::CancelToken* tok) {
    return c.b.engine->InstantQuery(q, *t, tok);
  });
}

HttpResponse QueryRange(Context& c, HttpRequest& r) {
  auto start = ParseApiTime(r.Param("start"));
  if (!start.ok()) return BadData("invalid parameter \"start\": " + start.status().message());
  auto end = ParseApiTime(r.Param("end"));
  if (!end.ok()) return BadData("invalid parameter \"end\": " + end.status().message());
  if (*end < *start) return BadData("invalid parameter \"end\": end timestamp must not be before start time");
  auto step = ParseApiDuration(r.Param("step"));
  if (!step.ok()) return BadData("invalid parameter \"step\": " + step.status().message());
  if (*step <= 0) {
    return BadData("invalid parameter \"step\": zero or negative query resolution step widths are "
                   "not accepted. Try a positive integer");
  }
  if ((*end - *start) / *step > static_cast<int64_t>(c.b.max_points_per_series)) {
    return BadData("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing "
                   "the query resolution (?step=XX)");
  }
  auto timeout = TimeoutParam(c, r);
  if (!timeout.ok()) return BadData(timeout.status().message());
  auto limit = LimitParam(r);
  if (!limit.ok()) return BadData(limit.status().message());
  if (!c.b.engine) return ErrorResponse("unavailable", "query engine not available");
  std::string q = r.Param("query");
  return RunQuery(c, r, "range", *timeout, *limit, [&](const query::CancelToken* tok) {
    return c.b.engine->RangeQuery(q, *start, *end, *step, tok);
  });
}

HttpResponse FormatQuery(Context&, HttpRequest& r) {
  auto e = query::ParseExpr(r.Param("query"));
  if (!e.ok()) return BadData(e.status().message());
  std::string data;
  AppendJsonString(data, query::FormatExpr(**e));
  return Success(data);
}

HttpResponse QueryExemplars(Context&, HttpRequest& r) {
  auto start = TimeParam(r, "start", kApiMinTime);
  if (!start.ok()) return BadData(start.status().message());
  auto end = TimeParam(r, "end", kApiMaxTime);
  if (!end.ok()) return BadData(end.status().message());
  if (*end < *start) return BadData("end timestamp must not be before start timestamp");
  // The query must still be valid PromQL; exemplars themselves are not stored (empty answer).
  auto e = query::ParseExpr(r.Param("query"));
  if (!e.ok()) return BadData(e.status().message());
  return Success("[]");
}

}  // namespace

void RegisterQueryRoutes(Router& router, std::shared_ptr<Context> ctx) {
  auto wrap = [ctx](HttpResponse (*fn)(Context&, HttpRequest&)) {
    return [ctx, fn](HttpRequest& r) { return fn(*ctx, r); };
  };
  router.Add({{"GET", "POST"}, "/api/v1/query", "query", Pool::kQuery, false, wrap(&Query)});
  router.Add({{"GET", "POST"}, "/api/v1/query_range", "query_range", Pool::kQuery, false,
              wrap(&QueryRange)});
  router.Add({{"GET", "POST"}, "/api/v1/format_query", "format_query", Pool::kInline, false,
              wrap(&FormatQuery)});
  router.Add({{"GET", "POST"}, "/api/v1/query_exemplars", "query_exemplars", Pool::kInline, false,
              wrap(&QueryExemplars)});
}

}  // namespace tidemark::http::api
