// RangeCache: splices cached steps of a range query with an evaluation of the steps after them.
#include "tidemark/query/range_cache.h"

#include <algorithm>
#include <atomic>
#include <list>
#include <mutex>
#include <unordered_map>

namespace tidemark::query {

namespace {

// Floor division, so grid arithmetic also holds before the epoch.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Accounting size of a result: what its allocations hold, roughly.
size_t MatrixBytes(const Matrix& m) {
  size_t n = 0;
  for (const MatrixSeries& s : m) {
    n += sizeof(MatrixSeries) + s.points.size() * sizeof(Point);
    for (const Label& l : s.metric) n += sizeof(Label) + l.name.size() + l.value.size();
  }
  return n;
}

// The steps of `m` in [from, to], series without any dropped.
Matrix Slice(const Matrix& m, Timestamp from, Timestamp to) {
  Matrix out;
  for (const MatrixSeries& s : m) {
    auto lo = std::lower_bound(s.points.begin(), s.points.end(), from,
                               [](const Point& p, Timestamp t) { return p.t < t; });
    auto hi = std::upper_bound(lo, s.points.end(), to,
                               [](Timestamp t, const Point& p) { return t < p.t; });
    if (lo == hi) continue;
    out.push_back({s.metric, std::vector<Point>(lo, hi)});
  }
  return out;
}

// Both sorted by labels (as the engine returns them), every point of `head` before every point
// of `tail`: the series of both, in label order, a series' points concatenated.
Matrix Splice(Matrix head, Matrix tail) {
  Matrix out;
  out.reserve(std::max(head.size(), tail.size()));
  size_t i = 0, j = 0;
  while (i < head.size() || j < tail.size()) {
    if (j == tail.size() || (i < head.size() && head[i].metric < tail[j].metric)) {
      out.push_back(std::move(head[i++]));
    } else if (i == head.size() || tail[j].metric < head[i].metric) {
      out.push_back(std::move(tail[j++]));
    } else {
      MatrixSeries s = std::move(head[i++]);
      s.points.insert(s.points.end(), tail[j].points.begin(), tail[j].points.end());
      ++j;
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace

struct RangeCache::State {
  struct Entry {
    Timestamp first = 0;  // first and last cached step
    Timestamp last = 0;
    uint64_t generation = 0;
    std::shared_ptr<const Matrix> result;  // steps [first, last]
    size_t bytes = 0;
    std::list<std::string>::iterator lru;
  };
  mutable std::mutex mu;
  std::unordered_map<std::string, Entry> entries;
  std::list<std::string> lru;  // most recently used first
  size_t bytes = 0;
  std::atomic<uint64_t> hits{0}, misses{0};
  Counter* hits_metric = nullptr;
  Counter* misses_metric = nullptr;
  Gauge* bytes_metric = nullptr;

  void EraseLocked(std::unordered_map<std::string, Entry>::iterator it) {
    bytes -= it->second.bytes;
    lru.erase(it->second.lru);
    entries.erase(it);
  }
  void PublishLocked() {
    if (bytes_metric) bytes_metric->Set(static_cast<double>(bytes));
  }
};

RangeCache::RangeCache(Engine& engine, ChangeTracker& changes, RangeCacheOptions options,
                       std::function<Timestamp()> now, MetricsRegistry* metrics)
    : engine_(engine),
      changes_(changes),
      options_(options),
      now_(std::move(now)),
      state_(std::make_unique<State>()) {
  if (metrics) {
    state_->hits_metric = metrics->GetCounter(
        "tidemark_query_range_cache_hits_total",
        "Range queries answered partly or wholly from cached steps.", {}, {});
    state_->misses_metric = metrics->GetCounter(
        "tidemark_query_range_cache_misses_total",
        "Cacheable range queries that found no usable cached steps.", {}, {});
    state_->bytes_metric = metrics->GetGauge(
        "tidemark_query_range_cache_bytes", "Memory held by cached range query results.", {}, {});
  }
}

RangeCache::~RangeCache() = default;

Result<QueryValue> RangeCache::InstantQuery(std::string_view query, Timestamp t,
                                            const CancelToken* cancel) {
  return engine_.InstantQuery(query, t, cancel);
}

Result<QueryValue> RangeCache::RangeQuery(std::string_view query, Timestamp start, Timestamp end,
                                          int64_t step_ms, const CancelToken* cancel) {
  if (options_.max_bytes == 0 || step_ms <= 0 || end < start) {
    return engine_.RangeQuery(query, start, end, step_ms, cancel);
  }
  auto parsed = ParseExpr(query);
  if (!parsed.ok()) return parsed.status();
  const Expr& expr = **parsed;
  if (!RangeCacheable(expr)) return engine_.RangeQueryExpr(expr, query, start, end, step_ms, cancel);

  // The newest step that may be kept: the grid's last point at or before now - window and end.
  const Timestamp steps_end = start + (end - start) / step_ms * step_ms;
  const Timestamp keep_until =
      std::min(steps_end, start + FloorDiv(now_() - options_.recent_window_ms - start, step_ms) *
                                      step_ms);
  // Watch before reading the generation, and both before reading data (change_tracker.h).
  if (keep_until >= start) changes_.Watch(keep_until);
  const uint64_t generation = changes_.Generation();

  std::string key = FormatExpr(expr);
  key.push_back('\0');
  key += std::to_string(step_ms) + ':' + std::to_string(start - FloorDiv(start, step_ms) * step_ms) +
         ':' + std::to_string(engine_.options().lookback_delta_ms);

  State& st = *state_;
  std::shared_ptr<const Matrix> cached;
  Timestamp cached_last = 0;
  {
    std::lock_guard lock(st.mu);
    auto it = st.entries.find(key);
    if (it != st.entries.end()) {
      const State::Entry& e = it->second;
      if (e.generation != generation) {
        st.EraseLocked(it);
        st.PublishLocked();
      } else if (e.first <= start && start <= e.last + step_ms) {
        cached = e.result;
        cached_last = e.last;
        st.lru.splice(st.lru.begin(), st.lru, e.lru);
      }
    }
  }
  if (cached) {
    st.hits.fetch_add(1);
    if (st.hits_metric) st.hits_metric->Inc();
  } else {
    st.misses.fetch_add(1);
    if (st.misses_metric) st.misses_metric->Inc();
  }

  const Timestamp tail_start = cached ? std::max(start, cached_last + step_ms) : start;
  Matrix head = cached ? Slice(*cached, start, std::min(end, cached_last)) : Matrix();
  if (tail_start > end) {  // all from the cache
    QueryValue v;
    v.kind = ValueKind::kMatrix;
    v.matrix = std::move(head);
    return v;
  }
  auto tail = engine_.RangeQueryExpr(expr, query, tail_start, end, step_ms, cancel);
  if (!tail.ok()) return tail.status();
  // Annotations of the tail alone need not be those of the whole range: evaluate it whole.
  const bool annotated = !tail->warnings.empty() || !tail->infos.empty();
  if (cached && annotated) return engine_.RangeQueryExpr(expr, query, start, end, step_ms, cancel);
  QueryValue result = std::move(*tail);
  if (cached) result.matrix = Splice(std::move(head), std::move(result.matrix));
  if (annotated || keep_until < start) return result;

  auto kept = std::make_shared<const Matrix>(Slice(result.matrix, start, keep_until));
  const size_t bytes = MatrixBytes(*kept) + key.size() + sizeof(State::Entry);
  std::lock_guard lock(st.mu);
  if (auto it = st.entries.find(key); it != st.entries.end()) st.EraseLocked(it);
  if (bytes <= options_.max_bytes) {
    st.lru.push_front(key);
    st.entries.emplace(key, State::Entry{start, keep_until, generation, std::move(kept), bytes,
                                         st.lru.begin()});
    st.bytes += bytes;
    while (st.bytes > options_.max_bytes) st.EraseLocked(st.entries.find(st.lru.back()));
  }
  st.PublishLocked();
  return result;
}

RangeCache::Stats RangeCache::stats() const {
  std::lock_guard lock(state_->mu);
  return {state_->hits.load(), state_->misses.load(), state_->bytes, state_->entries.size()};
}

}  // namespace tidemark::query
