// The PromQL evaluator: instant and range queries over a Queryable, with limits.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/query/ast.h"
#include "tidemark/storage/querier.h"

namespace tidemark::query {

namespace eval {
class WorkerPool;
}

struct EngineOptions {
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  int64_t timeout_ms = 2 * 60 * 1000;
  size_t max_samples = 50'000'000;        // samples held in memory at once per query
  // Memory one query may hold, as the evaluator accounts it (samples, preloaded points, label
  // sets); ResourceExhausted naming --query.max-bytes beyond. 0 = no limit.
  size_t max_bytes = 0;
  size_t max_series_per_selector = 0;     // 0 = unlimited
  int64_t default_subquery_step_ms = 60 * 1000;  // default evaluation interval
  bool enable_experimental_functions = false;
  // Threads one query may use, its own included, to read selections of 6 h or more, to fold
  // range queries' grouped aggregations of range functions on two threads, to run a range
  // query's selections side by side and to compute costly window functions' windows; 0 = one
  // per CPU core. Results do not depend on it.
  size_t workers_per_query = 0;
};

// Result values.
struct Point {
  Timestamp t = 0;
  double v = 0;
};
struct VectorSample {
  Labels metric;
  Timestamp t = 0;
  double v = 0;
};
using Vector = std::vector<VectorSample>;
struct MatrixSeries {
  Labels metric;
  std::vector<Point> points;
};
using Matrix = std::vector<MatrixSeries>;

struct QueryValue {
  ValueKind kind = ValueKind::kNone;
  double scalar = 0;         // kScalar
  Timestamp t = 0;           // kScalar/kString: evaluation time
  std::string str;           // kString
  Vector vector;             // kVector
  Matrix matrix;             // kMatrix (range queries always return kMatrix)
  std::vector<std::string> warnings;
  std::vector<std::string> infos;
};

// Cooperative cancellation; set from another thread.
struct CancelToken {
  std::atomic<bool> canceled{false};
};

// What the HTTP API needs of an engine (Prometheus' promql.QueryEngine): PromQL text in, a
// value or a Status out. Abstract so API tests can stand in an engine with scripted behaviour.
class QueryEngine {
 public:
  virtual ~QueryEngine() = default;
  // Errors: InvalidArgument (parse/type; Prometheus "bad_data"), DeadlineExceeded (timeout),
  // Canceled, ResourceExhausted (too many samples/series; "execution"), Internal.
  virtual Result<QueryValue> InstantQuery(std::string_view query, Timestamp t,
                                          const CancelToken* cancel = nullptr) = 0;
  virtual Result<QueryValue> RangeQuery(std::string_view query, Timestamp start, Timestamp end,
                                        int64_t step_ms, const CancelToken* cancel = nullptr) = 0;
};

class Engine : public QueryEngine {
 public:
  Engine(Queryable& storage, EngineOptions options);
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Result<QueryValue> InstantQuery(std::string_view query, Timestamp t,
                                  const CancelToken* cancel = nullptr) override;
  Result<QueryValue> RangeQuery(std::string_view query, Timestamp start, Timestamp end,
                                int64_t step_ms, const CancelToken* cancel = nullptr) override;

  // Evaluate an already parsed expression; `text` is its source (for annotation positions).
  // Used by the promql-test runner for its @-pinned step-invariance variants.
  Result<QueryValue> InstantQueryExpr(const Expr& expr, std::string_view text, Timestamp t,
                                      const CancelToken* cancel = nullptr);
  Result<QueryValue> RangeQueryExpr(const Expr& expr, std::string_view text, Timestamp start,
                                    Timestamp end, int64_t step_ms,
                                    const CancelToken* cancel = nullptr);

  const EngineOptions& options() const { return options_; }

 private:
  Queryable& storage_;
  EngineOptions options_;
  std::unique_ptr<eval::WorkerPool> pool_;  // shared by the queries that run at once
};

}  // namespace tidemark::query
