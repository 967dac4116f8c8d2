// A results cache for range queries (dashboard refresh): step-aligned results are kept and a
// later request evaluates only the steps the cache cannot vouch for, spliced onto the rest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tidemark/query/ast.h"
#include "tidemark/query/engine.h"
#include "tidemark/storage/change_tracker.h"
#include "tidemark/storage/model/metrics.h"

namespace tidemark::query {

struct RangeCacheOptions {
  // Memory the cached results may take, as the cache accounts it (labels, points, keys).
  // 0 disables the cache: every request goes straight to the engine.
  size_t max_bytes = 0;
  // Steps newer than now minus this are never cached: their samples may still arrive.
  int64_t recent_window_ms = 5 * 60 * 1000;
};

// True when the value of `expr` at a step depends only on data at or before that step, whatever
// the query's start and end: no `@`, no negative offsets, no duration expressions (step(),
// range()), no subqueries, no extended range selectors (`anchored`, `smoothed`).
bool RangeCacheable(const Expr& expr);

// A QueryEngine in front of an Engine: instant queries pass through; range queries of cacheable
// expressions are answered from cached steps plus an evaluation of the rest, equal (same points,
// same series, same order) to evaluating the whole range. Entries are keyed by the formatted
// expression, step, start modulo step and lookback delta, and are valid while the store's
// ChangeTracker generation is unchanged: the cache watches the newest step it keeps, so an
// append at or before it, a delete or retention drops every entry at its next use. Thread-safe.
class RangeCache final : public QueryEngine {
 public:
  // `now` gives wall time in ms (injectable for tests); `metrics` may be null.
  RangeCache(Engine& engine, ChangeTracker& changes, RangeCacheOptions options,
             std::function<Timestamp()> now, MetricsRegistry* metrics);
  ~RangeCache() override;
  RangeCache(const RangeCache&) = delete;
  RangeCache& operator=(const RangeCache&) = delete;

  Result<QueryValue> InstantQuery(std::string_view query, Timestamp t,
                                  const CancelToken* cancel = nullptr) override;
  Result<QueryValue> RangeQuery(std::string_view query, Timestamp start, Timestamp end,
                                int64_t step_ms, const CancelToken* cancel = nullptr) override;

  struct Stats {
    uint64_t hits = 0;    // requests that used cached steps
    uint64_t misses = 0;  // cacheable requests evaluated whole
    size_t bytes = 0;
    size_t entries = 0;
  };
  Stats stats() const;

 private:
  struct State;
  Engine& engine_;
  ChangeTracker& changes_;
  const RangeCacheOptions options_;
  std::function<Timestamp()> now_;
  std::unique_ptr<State> state_;
};

}  // namespace tidemark::query
