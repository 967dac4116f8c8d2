// Folding aggregations (sum, avg, count, min, max, group, stddev, stdvar) over a plain vector
// selector, or over a one-argument range function of a matrix selector (`sum by (le)
// (rate(x[5m]))`), at the query's steps, computed while the selector's series stream from
// storage: only per-step group state and one series' samples are held, never every series'
// samples and labels. `count({__name__=~".+"})` over 100k series then needs a few KiB instead
// of ~1.4 KiB per series. The values are those of the per-step path: the same samples per step
// go to the same functions, and series reach the groups in the same (label) order.
#include <algorithm>

#include "eval/agg_acc.h"
#include "eval/evaluator.h"

namespace tidemark::promql::eval {

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// What one series adds at step k: `inputs` samples of the selector's vector (or of the range
// function's window) and, if `has_value`, `v` to its group.
struct StepInput {
  uint32_t k;
  uint32_t inputs;
  double v;
  bool has_value;
};

// Step ranges folded in parallel: a few per thread, so uneven ranges even out.
constexpr size_t kStepRanges = 16;

// A selected series whose step inputs are being computed on the worker pool.
struct StreamedSeries {
  std::unique_ptr<SeriesIterator> it;
  uint32_t group = 0;
  std::string odd_counter_name;  // rate()/increase() of a name that does not look like a counter
  std::vector<StepInput> out;
};

// Everything the per-series work reads; shared, read-only, by the workers.
struct StepGrid {
  size_t nsteps;
  Timestamp first_t;  // step k is at first_t + k * step (storage time)
  Timestamp start;    // step k's evaluation time is start + k * step
  int64_t step;
  int64_t lookback;
  Timestamp mint, maxt;
  const std::string* fn;  // the range function, or null for a plain vector selector
  int64_t range_ms;

  Timestamp StepTime(size_t k) const { return first_t + static_cast<Timestamp>(k) * step; }

  // Windows (T - range, T] slide forward with the steps.
  // `points` is the thread's scratch space for the series' samples (reused: long series would
  // otherwise fault fresh pages in for every series).
  void RangeFunctionSteps(StreamedSeries& s, std::vector<Point>& points) const {
    points.clear();
    SeriesIterator& it = *s.it;
    for (ValueType vt = it.Seek(mint); vt == ValueType::kFloat; vt = it.Next()) {
      const Sample smp = it.At();
      if (smp.t > maxt) break;
      if (!IsStaleNaN(smp.v)) points.push_back({smp.t, smp.v});
    }
    if (!it.status().ok()) throw EvalError{it.status()};
    RangeCtx ctx;
    ctx.range_ms = range_ms;
    size_t b = 0, e = 0;
    for (size_t k = 0; k < nsteps; ++k) {
      const Timestamp t = StepTime(k);
      while (e < points.size() && points[e].t <= t) ++e;
      while (b < e && points[b].t <= t - range_ms) ++b;
      if (b == e) continue;
      ctx.points = std::span<const Point>(points.data() + b, e - b);
      ctx.range_end = t;
      ctx.range_start = t - range_ms;
      ctx.ts = start + static_cast<Timestamp>(k) * step;
      double v = 0;
      const bool has = RangeFunction(*fn, ctx, &v);
      s.out.push_back({static_cast<uint32_t>(k), static_cast<uint32_t>(e - b), v, has});
    }
  }

  // A step T takes the last sample at or before it if that is newer than T - lookback and not a
  // stale marker (as EvalVectorSelector does on preloaded points).
  void VectorSteps(StreamedSeries& s) const {
    const bool sparse = step > lookback && lookback > 0;
    size_t k = 0;
    bool have_prev = false;
    Sample prev;
    auto steps_before = [&](Timestamp limit) {
      for (; k < nsteps; ++k) {
        const Timestamp t = StepTime(k);
        if (t >= limit) break;
        if (have_prev && t - prev.t < lookback && !IsStaleNaN(prev.v)) {
          s.out.push_back({static_cast<uint32_t>(k), 1, prev.v, true});
        }
      }
    };
    SeriesIterator& it = *s.it;
    for (ValueType vt = it.Seek(mint); vt == ValueType::kFloat;) {
      const Sample smp = it.At();
      if (smp.t > maxt) break;
      steps_before(smp.t);
      prev = smp;
      have_prev = true;
      // Steps further apart than the lookback: jump over samples no step can see (step k is
      // now the first at or after this sample).
      if (sparse && k < nsteps) {
        const Timestamp next_t = StepTime(k);
        if (next_t - smp.t >= lookback) {
          vt = it.Seek(next_t - lookback + 1);
          continue;
        }
      }
      vt = it.Next();
    }
    if (!it.status().ok()) throw EvalError{it.status()};
    steps_before(kMaxTimestamp);
  }
};

}  // namespace

void Evaluator::StreamAggregate(const AggregateExpr& a, const VectorSelector& vs, const Call* call,
                                int64_t range_ms, SeriesSet& set, Timestamp mint, Timestamp maxt) {
  StreamedAgg& sa = streamed_aggs_[&a];
  const size_t nsteps = step_ms_ > 0 ? static_cast<size_t>((end_ - start_) / step_ms_) + 1 : 1;
  sa.steps.assign(nsteps, {});
  sa.cell_of_group.assign(nsteps, {});
  sa.inputs.assign(nsteps, 0);
  const AggGrouping grouping(a, std::string());
  const std::string fn = call ? call->func->name : std::string();
  const bool counter_check = fn == "rate" || fn == "increase";
  sa.drop_name = call && fn != "last_over_time" && fn != "first_over_time";
  const StepGrid grid{nsteps, start_ - vs.offset_ms, start_, step_ms_, options_.lookback_delta_ms,
                      mint, maxt, call ? &fn : nullptr, range_ms};
  auto emit = [&](uint32_t group, size_t k, double v) {
    std::vector<uint32_t>& index = sa.cell_of_group[k];
    if (index.size() <= group) index.resize(sa.group_labels.size(), UINT32_MAX);
    uint32_t& cell = index[group];
    if (cell == UINT32_MAX) {
      cell = static_cast<uint32_t>(sa.steps[k].size());
      sa.steps[k].push_back({group, AggAcc()});
      AggStart(a.op, v, sa.steps[k].back().acc);
    } else {
      AggAdd(a.op, v, sa.steps[k][cell].acc);
    }
  };
  // Series are taken from the set in batches whose step inputs are computed on the worker pool,
  // then folded into the groups in select order (so floating-point sums are the serial ones).
  std::vector<StreamedSeries> batch(kSeriesBatch);
  std::vector<std::vector<Point>> points(threads());  // per thread
  std::vector<Status> errors;
  size_t nseries = 0, pending = 0;
  auto flush = [&] {
    ParallelForSeries(pending, [&](size_t i, size_t thread) {
      StreamedSeries& s = batch[i];
      s.out.clear();
      if (call) {
        grid.RangeFunctionSteps(s, points[thread]);
      } else {
        grid.VectorSteps(s);
      }
    }, &errors);
    for (size_t i = 0; i < pending; ++i) {
      if (!errors[i].ok()) throw EvalError{errors[i]};
      const StreamedSeries& s = batch[i];
      if (s.odd_counter_name.empty()) continue;
      if (std::any_of(s.out.begin(), s.out.end(), [](const StepInput& in) { return in.has_value; })) {
        Info("PromQL info: metric might not be a counter, name does not end in "
             "_total/_sum/_count/_bucket: \"" + s.odd_counter_name + "\"" +
             Pos(*call->args[0]));
      }
    }
    // Steps are independent: workers fold step ranges, each visiting the series in select order
    // (so floating-point sums are the serial ones).
    const size_t parts = std::min(nsteps, kStepRanges);
    ParallelForSeries(parts, [&](size_t part, size_t) {
      const uint32_t k0 = static_cast<uint32_t>(nsteps * part / parts);
      const uint32_t k1 = static_cast<uint32_t>(nsteps * (part + 1) / parts);
      for (size_t i = 0; i < pending; ++i) {
        const StreamedSeries& s = batch[i];
        auto in = std::lower_bound(s.out.begin(), s.out.end(), k0,
                                   [](const StepInput& x, uint32_t k) { return x.k < k; });
        for (; in != s.out.end() && in->k < k1; ++in) {
          sa.inputs[in->k] += in->inputs;
          if (in->has_value) emit(s.group, in->k, in->v);
        }
      }
    }, &errors);
    for (size_t part = 0; part < parts; ++part) {
      if (!errors[part].ok()) throw EvalError{errors[part]};
    }
    pending = 0;
    CheckInterrupt();
  };
  while (set.Next()) {
    ++nseries;
    if (options_.max_series_per_selector > 0 && nseries > options_.max_series_per_selector) {
      Fail(StatusCode::kResourceExhausted,
           "query selects too many series: the limit is " +
               std::to_string(options_.max_series_per_selector) + " series per selector");
    }
    const Series& series = set.At();
    StreamedSeries& s = batch[pending++];
    s.it = series.Iterator(std::move(s.it));
    const uint64_t key = grouping.Key(series.labels());
    auto [g, inserted] = sa.group_of_key.emplace(key, static_cast<uint32_t>(sa.group_labels.size()));
    if (inserted) sa.group_labels.push_back(Intern(grouping.GroupLabels(series.labels())));
    s.group = g->second;
    s.odd_counter_name.clear();
    if (counter_check) {
      std::string_view name = series.labels().MetricName();
      if (!name.empty() && !EndsWith(name, "_total") && !EndsWith(name, "_sum") &&
          !EndsWith(name, "_count") && !EndsWith(name, "_bucket")) {
        s.odd_counter_name = name;
      }
    }
    if (pending == kSeriesBatch) flush();
  }
  if (!set.status().ok()) throw EvalError{set.status()};
  flush();
  sa.cell_of_group = {};
}

EValue Evaluator::StreamedAggregateAt(const AggregateExpr& a, const StreamedAgg& sa,
                                      Timestamp ts) {
  size_t k = 0;
  if (step_ms_ > 0) {
    if (ts < start_ || ts > end_ || (ts - start_) % step_ms_ != 0) {
      Fail(StatusCode::kInternal, "streamed aggregation evaluated off the query's steps");
    }
    k = static_cast<size_t>((ts - start_) / step_ms_);
  } else if (ts != start_) {
    Fail(StatusCode::kInternal, "streamed aggregation evaluated off the query's time");
  }
  if (k >= sa.steps.size()) Fail(StatusCode::kInternal, "streamed aggregation step out of range");
  // The selector's vector at this step would have held this many samples.
  AddSamples(sa.inputs[k]);
  ReleaseSamples(sa.inputs[k]);
  EValue out;
  out.kind = ValueKind::kVector;
  out.vec.reserve(sa.steps[k].size());
  for (const StreamedAgg::Cell& c : sa.steps[k]) {
    out.vec.push_back({sa.group_labels[c.group], AggResult(a.op, c.acc), ts, sa.drop_name});
  }
  return out;
}

}  // namespace tidemark::promql::eval
