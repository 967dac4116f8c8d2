// Range-query fast path for range functions over a plain matrix selector (`rate(x[5m])`,
// `max_over_time(y[15m])`, ...): instead of binary-searching every series' window at every
// step, the values of a block of consecutive steps are computed in one forward pass per series
// with a sliding window, and each step then only copies its column out. Results are exactly
// those of the per-step path (the same window spans go to the same functions).
#include <algorithm>
#include <cmath>
#include <optional>

#include "eval/evaluator.h"
#include "eval/linear_regression.h"
#include "eval/sliding_extremum.h"
#include "eval/sliding_quantile.h"

namespace tidemark::query::eval {
namespace {

// Values held per block: series × steps doubles. Small enough to stay cache-resident and to be
// reused across blocks without fresh pages (page faults showed up in profiles at 4 MiB blocks);
// the per-series cursors carry the windows from block to block.
constexpr size_t kBlockEntries = size_t{1} << 15;
constexpr size_t kMaxBlockSteps = 64;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsCounterish(std::string_view metric_name) {
  return metric_name.empty() || EndsWith(metric_name, "_total") ||
         EndsWith(metric_name, "_sum") || EndsWith(metric_name, "_count") ||
         EndsWith(metric_name, "_bucket");
}

}  // namespace

bool Evaluator::EvalRangeCallFast(const Call& c, Timestamp ts, EValue* out) {
  // Only on the range query's own step grid: the cache is keyed by step index.
  if (step_ms_ <= 0 || ts < start_ || ts > end_ || (ts - start_) % step_ms_ != 0) return false;
  const std::string& name = c.func->name;
  if (name == "absent_over_time") return false;
  size_t matrix_idx = 0;
  for (size_t i = 0; i < c.args.size(); ++i) {
    NodeKind k = Unwrap(*c.args[i]).kind;
    if (k == NodeKind::kMatrixSelector || k == NodeKind::kSubquery) matrix_idx = i;
  }
  const Expr& marg = Unwrap(*c.args[matrix_idx]);
  if (marg.kind != NodeKind::kMatrixSelector) return false;
  const auto& ms = static_cast<const MatrixSelector&>(marg);
  if (ms.vs->at.kind != AtKind::kNone) return false;
  // Scalar parameters must be literals, so one value holds for every step of a block.
  std::vector<double> scalars;
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (i == matrix_idx) continue;
    const Expr& a = Unwrap(*c.args[i]);
    if (a.kind != NodeKind::kNumber) return false;
    scalars.push_back(static_cast<const NumberLiteral&>(a).value);
  }

  RangeCallCache& cache = range_calls_[&c];
  const size_t step_idx = static_cast<size_t>((ts - start_) / step_ms_);
  if (!cache.valid || step_idx < cache.first_step ||
      step_idx >= cache.first_step + cache.steps) {
    BuildRangeBlock(c, *c.args[matrix_idx], ms, scalars, step_idx, cache);
  }
  out->kind = ValueKind::kVector;
  const size_t k = step_idx - cache.first_step;
  const bool keeps_name = name == "last_over_time" || name == "first_over_time";
  const size_t nseries = cache.metrics.size();
  size_t n = 0;
  for (size_t s = 0; s < nseries; ++s) n += cache.present[s * cache.steps + k];
  out->vec.reserve(n);
  for (size_t s = 0; s < nseries; ++s) {
    const size_t i = s * cache.steps + k;
    if (cache.present[i]) out->vec.push_back({cache.metrics[s], cache.values[i], ts, !keeps_name});
  }
  AddSamples(cache.points[k]);
  ReleaseSamples(cache.points[k]);
  return true;
}

void Evaluator::BuildRangeBlock(const Call& c, const Expr& matrix_arg, const MatrixSelector& ms,
                                const std::vector<double>& scalars, size_t step_idx,
                                RangeCallCache& cache) {
  const std::string& name = c.func->name;
  const size_t total_steps = static_cast<size_t>((end_ - start_) / step_ms_) + 1;
  auto found = data_.find(&ms);
  static const SelectorData kEmpty;
  const SelectorData& data = found == data_.end() ? kEmpty : found->second;
  const size_t nseries = data.series.size();

  if (!cache.valid) {
    // Once per node: the quantile warning and the counter-name info, as the per-step path
    // would raise them (annotations are a set, so once is the same as at every step).
    if (name == "quantile_over_time") {
      double q = scalars.at(0);
      if (std::isnan(q) || q < 0 || q > 1) {
        Warn("PromQL warning: quantile value should be between 0 and 1, got " + FormatFloat(q, 'g', -1) +
             Pos(*c.args[0]));
      }
    }
    cache.metrics.reserve(nseries);
    for (const auto& s : data.series) cache.metrics.push_back(s.metric);
    cache.is_counter_fn = name == "rate" || name == "increase";
    cache.is_rate_family = cache.is_counter_fn || name == "delta";
    if (cache.is_counter_fn) {
      // Indexes of counter resets per series, so windows without one skip the reset scan.
      cache.reset_offsets.assign(nseries + 1, 0);
      for (size_t s = 0; s < nseries; ++s) {
        const auto& p = data.series[s].points;
        for (size_t i = 1; i < p.size(); ++i) {
          if (p[i].v < p[i - 1].v) cache.resets.push_back(static_cast<uint32_t>(i));
        }
        cache.reset_offsets[s + 1] = cache.resets.size();
      }
    }
    cache.cursors.assign(nseries, RangeCallCache::Cursor{});
    cache.name_checked.assign(nseries, 0);
    cache.valid = true;
  }
  // Cursors only move forward; a jump back (a subquery re-visiting an earlier step) restarts them.
  if (step_idx < cache.next_step) cache.cursors.assign(nseries, RangeCallCache::Cursor{});

  size_t block =
      std::clamp<size_t>(kBlockEntries / std::max<size_t>(nseries, 1), 1, kMaxBlockSteps);
  block = std::min(block, total_steps - step_idx);
  cache.first_step = step_idx;
  cache.steps = block;
  cache.next_step = step_idx + block;
  cache.values.assign(nseries * block, 0);
  cache.present.assign(nseries * block, 0);
  cache.points.assign(block, 0);

  const VectorSelector& vs = *ms.vs;
  RangeCtx ctx;
  ctx.scalars = scalars;
  ctx.range_ms = ms.range_ms;
  auto after = [](Timestamp x, const Point& p) { return x < p.t; };
  std::string_view last_info_name;  // per-step path raises the info once per metric name
  bool any_info = false;
  const bool is_rate = name == "rate";
  const bool is_counter = cache.is_counter_fn;
  std::optional<SlidingExtremum> extremum = SlidingExtremum::For(name);
  std::optional<SlidingQuantile> quantile;
  if (name == "quantile_over_time") quantile.emplace(scalars.at(0));
  // deriv: a series' windows are collected, then their slopes computed together (DerivSlopes).
  const bool is_deriv = name == "deriv";
  std::vector<PointRange> lines;       // windows of two points or more
  std::vector<uint32_t> line_steps;    // their steps in the block
  std::vector<double> slopes;
  for (size_t s = 0; s < nseries; ++s) {
    if ((s & 255) == 255) CheckInterrupt();
    const auto& pts = data.series[s].points;
    const Point* base = pts.data();
    const Point* end_ptr = base + pts.size();
    RangeCallCache::Cursor& cur = cache.cursors[s];
    const uint32_t* rs_begin = cache.resets.data() + (is_counter ? cache.reset_offsets[s] : 0);
    const uint32_t* rs_end = cache.resets.data() + (is_counter ? cache.reset_offsets[s + 1] : 0);
    const uint32_t* rs = rs_begin + cur.reset;
    // Window (t - range, t] as [b, e); both ends only move forward from step to step.
    Timestamp t0 = start_ + static_cast<Timestamp>(step_idx) * step_ms_ - vs.offset_ms;
    const Point* b = base + cur.b;
    const Point* e = base + cur.e;
    if (!cur.started) {
      b = std::upper_bound(base, end_ptr, t0 - ms.range_ms, after);
      e = std::upper_bound(b, end_ptr, t0, after);
      cur.started = true;
    }
    if (extremum) extremum->Reset(base, static_cast<size_t>(b - base));
    if (quantile) quantile->Reset(base);
    bool any_output = false;
    for (size_t k = 0; k < block; ++k) {
      const Timestamp t = t0 + static_cast<Timestamp>(k) * step_ms_;
      const Timestamp lo = t - ms.range_ms;
      while (b < end_ptr && b->t <= lo) ++b;
      if (e < b) e = b;
      while (e < end_ptr && e->t <= t) ++e;
      if (b == e) continue;
      ctx.points = std::span<const Point>(b, static_cast<size_t>(e - b));
      ctx.range_end = t;
      ctx.range_start = lo;
      ctx.ts = t + vs.offset_ms;
      cache.points[k] += ctx.points.size();
      double v;
      bool ok;
      if (is_deriv) {
        if (e - b >= 2) {
          lines.push_back({static_cast<uint32_t>(b - base), static_cast<uint32_t>(e - base)});
          line_steps.push_back(static_cast<uint32_t>(k));
        }
        continue;
      } else if (cache.is_rate_family) {
        bool resets_inside = false;
        if (is_counter) {
          // A reset at index i matters when b < i < e.
          const auto bi = static_cast<uint32_t>(b - base), ei = static_cast<uint32_t>(e - base);
          while (rs != rs_end && *rs <= bi) ++rs;
          resets_inside = rs != rs_end && *rs < ei;
        }
        ok = ExtrapolatedRate(ctx, is_counter, is_rate, resets_inside, &v);
      } else if (extremum) {
        v = extremum->Slide(static_cast<size_t>(b - base), static_cast<size_t>(e - base));
        ok = true;
      } else if (quantile) {
        v = quantile->Slide(static_cast<size_t>(b - base), static_cast<size_t>(e - base));
        ok = true;
      } else {
        ok = RangeFunction(name, ctx, &v);
      }
      if (!ok) continue;
      cache.values[s * block + k] = v;
      cache.present[s * block + k] = 1;
      any_output = true;
    }
    if (!lines.empty()) {
      slopes.resize(lines.size());
      DerivSlopes(pts, lines, slopes.data());
      for (size_t i = 0; i < lines.size(); ++i) {
        cache.values[s * block + line_steps[i]] = slopes[i];
        cache.present[s * block + line_steps[i]] = 1;
      }
      lines.clear();
      line_steps.clear();
    }
    cur.b = static_cast<uint32_t>(b - base);
    cur.e = static_cast<uint32_t>(e - base);
    cur.reset = static_cast<uint32_t>(rs - rs_begin);
    if (any_output && is_counter && !cache.name_checked[s]) {
      cache.name_checked[s] = 1;  // the metric name is the same at every step
      std::string_view metric_name = data.series[s].metric->MetricName();
      if (!IsCounterish(metric_name) && !(any_info && metric_name == last_info_name)) {
        Info("PromQL info: metric might not be a counter, name does not end in "
             "_total/_sum/_count/_bucket: \"" + std::string(metric_name) + "\"" +
             Pos(matrix_arg));
        last_info_name = metric_name;
        any_info = true;
      }
    }
  }
}

}  // namespace tidemark::query::eval
