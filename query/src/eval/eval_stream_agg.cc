// Folding aggregations (sum, avg, count, min, max, group, stddev, stdvar) over a plain vector
// selector, or over a one-argument range function of a matrix selector (`sum by (le)
// (rate(x[5m]))`), at the query's steps, computed while the selector's series stream from
// storage: only per-step group state and one series' samples are held, never every series'
// samples and labels. `count({__name__=~".+"})` over 100k series then needs a few KiB instead
// of ~1.4 KiB per series. The values are those of the per-step path: the same samples per step
// go to the same functions, and series reach the groups in the same (label) order. Range
// queries grouped by labels fold on two threads, each group on one of them (Lane).
#include <algorithm>
#include <tuple>

#include "eval/agg_acc.h"
#include "eval/batched_reads.h"
#include "eval/evaluator.h"
#include "eval/linear_regression.h"

namespace tidemark::query::eval {

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// rate/increase of a series so named gets Prometheus' "might not be a counter" info.
bool NotNamedLikeACounter(std::string_view name) {
  return !name.empty() && !EndsWith(name, "_total") && !EndsWith(name, "_sum") &&
         !EndsWith(name, "_count") && !EndsWith(name, "_bucket");
}

std::string NotACounterInfo(std::string_view name, const std::string& pos) {
  return "PromQL info: metric might not be a counter, name does not end in "
         "_total/_sum/_count/_bucket: \"" + std::string(name) + "\"" + pos;
}

// Window functions whose arithmetic per window (a regression, a deviation, a median) outweighs
// handing a series to a worker, so their windows are computed on the worker pool at any range.
// For rate and the cheap *_over_time functions the hand-off cost what it saved
// (docs/architecture.md, "Parallel reads within a query").
bool IsCostlyWindowFunction(std::string_view fn) {
  return fn == "deriv" || fn == "stddev_over_time" || fn == "stdvar_over_time" ||
         fn == "mad_over_time";
}

// One series' window at step k: the samples in it (the sample accounting counts them) and the
// function's value, when it gives one.
struct WindowValue {
  uint32_t k;
  uint32_t n : 31;
  uint32_t ok : 1;
  double v;
};

// A selected series as the batched reads carry it: its labels and, for a costly window
// function, the windows a worker computed.
struct RangeSeries {
  Labels labels;
  std::vector<WindowValue> windows;
};

// Adds v at step k to a group's accumulators (`row`); true when it is the group's first value
// at that step.
bool Accumulate(AggOp op, std::vector<StreamedAgg::Block>& row, size_t k, double v) {
  StreamedAgg::Block& block = row[k / StreamedAgg::kStepBlock];
  if (!block) block = std::make_unique<AggAcc[]>(StreamedAgg::kStepBlock);
  AggAcc& acc = block[k % StreamedAgg::kStepBlock];
  if (acc.count != 0) {
    AggAdd(op, v, acc);
    return false;
  }
  AggStart(op, v, acc);
  return true;
}

// The accumulators of some of an aggregation's groups, filled by one thread. Each group belongs
// to one lane, which folds its series in select order, so every group sees the values of the
// one-thread fold in the same order.
struct Lane {
  std::vector<std::vector<StreamedAgg::Block>> blocks;   // per group of the lane, per block
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> firsts;  // per step: (series, group)
  std::vector<size_t> inputs;                            // per step: samples in the windows
  std::vector<std::string> not_counters;                 // names for the "not a counter" info
  Status error;                                          // the lane's first, at `error_series`
  uint32_t error_series = 0;
  std::vector<Point> points;                             // one series' samples
};

// A selected series on its way to its lane.
struct LaneItem {
  std::unique_ptr<SeriesIterator> it;
  uint32_t series = 0;  // select order
  uint32_t group = 0;
  uint32_t local = 0;   // the group's index in its lane
  uint8_t lane = 0;
  std::string not_counter;  // the metric name, when rate/increase would give the info for it
};

}  // namespace

void Evaluator::StreamAggregate(const AggregateExpr& a, StreamedAgg& sa, const VectorSelector& vs,
                                const Call* call, int64_t range_ms, SeriesSet& set,
                                Timestamp mint, Timestamp maxt, SelectDeferred* deferred) {
  const size_t nsteps = step_ms_ > 0 ? static_cast<size_t>((end_ - start_) / step_ms_) + 1 : 1;
  sa.order.assign(nsteps, {});
  sa.inputs.assign(nsteps, 0);
  const size_t nblocks = (nsteps + StreamedAgg::kStepBlock - 1) / StreamedAgg::kStepBlock;
  const AggGrouping grouping(a, std::string());
  const int64_t lookback = options_.lookback_delta_ms;
  const Timestamp first_t = start_ - vs.offset_ms;  // step k is at first_t + k * step (storage time)
  const int64_t step = step_ms_;
  const bool sparse = step > lookback && lookback > 0;
  const std::string fn = call ? call->func->name : std::string();
  const bool counter_check = fn == "rate" || fn == "increase";
  sa.drop_name = call && fn != "last_over_time" && fn != "first_over_time";
  // The group of a series with these labels, and whether this call made it.
  auto find_group = [&](const Labels& labels) -> std::pair<uint32_t, bool> {
    auto [g, inserted] = sa.group_of_key.emplace(grouping.Key(labels),
                                                 static_cast<uint32_t>(sa.group_labels.size()));
    if (inserted) {
      if (deferred) {
        deferred->group_labels.push_back(grouping.GroupLabels(labels));
        sa.group_labels.push_back(nullptr);
      } else {
        sa.group_labels.push_back(Intern(grouping.GroupLabels(labels)));
      }
    }
    return {g->second, inserted};
  };
  auto not_a_counter = [&](std::string_view name) {
    std::string info = NotACounterInfo(name, Pos(*call->args[0]));
    if (deferred) {
      deferred->infos.push_back(std::move(info));
    } else {
      Info(std::move(info));
    }
  };
  // Adds v to the series' group at step k; `group` is resolved at the series' first value.
  auto emit = [&](uint32_t& group, const Labels& labels, size_t k, double v) {
    if (group == UINT32_MAX) {
      bool made;
      std::tie(group, made) = find_group(labels);
      if (made) sa.blocks.emplace_back(nblocks);
    }
    if (Accumulate(a.op, sa.blocks[group], k, v)) sa.order[k].push_back(group);
  };
  // One series' samples (stale markers left out) through the range function: windows
  // (T - range, T] slide forward with the steps; on_window(k, samples, ok, value) sees each
  // non-empty one. Touches nothing but its arguments, so workers may run it.
  const bool is_rate = fn == "rate", is_deriv = fn == "deriv";
  auto for_each_window = [&](const std::vector<Point>& points, auto&& on_window) {
    RangeCtx ctx;
    ctx.range_ms = range_ms;
    size_t b = 0, e = 0;
    // rate/increase: a series without a counter reset anywhere has none in any window, so the
    // windows skip the reset scan (one pass here instead of one per step).
    bool resets = false;
    for (size_t i = 1; counter_check && !resets && i < points.size(); ++i) {
      resets = points[i].v < points[i - 1].v;
    }
    // deriv: every window's slope at once (DerivSlopes), then the windows in step order.
    std::vector<std::pair<uint32_t, PointRange>> windows;  // step, points
    std::vector<PointRange> lines;                          // the windows with two points or more
    for (size_t step_k = 0; step_k < nsteps; ++step_k) {
      const Timestamp t = first_t + static_cast<Timestamp>(step_k) * step;
      while (e < points.size() && points[e].t <= t) ++e;
      while (b < e && points[b].t <= t - range_ms) ++b;
      if (b == e) continue;
      if (is_deriv) {
        const PointRange w{static_cast<uint32_t>(b), static_cast<uint32_t>(e)};
        windows.emplace_back(static_cast<uint32_t>(step_k), w);
        if (e - b >= 2) lines.push_back(w);
        continue;
      }
      ctx.points = std::span<const Point>(points.data() + b, e - b);
      ctx.range_end = t;
      ctx.range_start = t - range_ms;
      ctx.ts = start_ + static_cast<Timestamp>(step_k) * step;
      double v;
      const bool ok = counter_check ? ExtrapolatedRate(ctx, true, is_rate, resets, &v)
                                    : RangeFunction(fn, ctx, &v);
      on_window(step_k, e - b, ok, v);
    }
    if (windows.empty()) return;
    std::vector<double> slopes(lines.size());
    DerivSlopes(points, lines, slopes.data());
    size_t line = 0;
    for (const auto& [k, w] : windows) {
      const bool ok = w.end - w.begin >= 2;
      on_window(k, w.end - w.begin, ok, ok ? slopes[line++] : 0.0);
    }
  };
  auto fold_range_series = [&](const Labels& labels, const std::vector<Point>& points) {
    uint32_t group = UINT32_MAX;
    bool any_output = false;
    for_each_window(points, [&](size_t k, size_t n, bool ok, double v) {
      sa.inputs[k] += n;
      if (!ok) return;
      any_output = true;
      emit(group, labels, k, v);
    });
    if (any_output && counter_check && NotNamedLikeACounter(labels.MetricName())) {
      not_a_counter(labels.MetricName());
    }
  };
  auto read_points = [mint, maxt](SeriesIterator& it, std::vector<Point>* out) {
    ReadPoints(it, mint, maxt, /*drop_stale=*/true, out);
  };
  const bool costly = call && IsCostlyWindowFunction(fn);
  // A range query grouped by labels: the groups are shared out between this thread and a
  // worker, each reading, windowing and folding the series of its own groups (a batch at a
  // time, handed over as this thread selects), so no decoded sample crosses cores and each
  // group's values are folded in select order. Costly window functions keep the path below,
  // where the worker computes every series' windows and this thread only adds them up.
  if (call && !costly && step_ms_ > 0 && !a.grouping.empty() && pool_.threads() > 1) {
    Lane lanes[2];
    for (Lane& lane : lanes) {
      lane.firsts.assign(nsteps, {});
      lane.inputs.assign(nsteps, 0);
    }
    auto run_lane = [&](Lane& lane, uint8_t lane_no, std::vector<LaneItem>& batch, size_t count) {
      uint32_t series = 0;
      Status st = CatchStatus([&] {
        for (size_t i = 0; i < count && lane.error.ok(); ++i) {
          LaneItem& item = batch[i];
          if (item.lane != lane_no) continue;
          series = item.series;
          if (item.local == lane.blocks.size()) lane.blocks.emplace_back(nblocks);
          std::vector<StreamedAgg::Block>& row = lane.blocks[item.local];
          lane.points.clear();
          read_points(*item.it, &lane.points);
          if (!item.it->status().ok()) throw EvalError{item.it->status()};
          bool any_output = false;
          for_each_window(lane.points, [&](size_t k, size_t n, bool ok, double v) {
            lane.inputs[k] += n;
            if (!ok) return;
            any_output = true;
            if (Accumulate(a.op, row, k, v)) lane.firsts[k].emplace_back(item.series, item.group);
          });
          if (any_output && !item.not_counter.empty()) {
            lane.not_counters.push_back(item.not_counter);
          }
        }
      });
      if (!st.ok() && lane.error.ok()) {
        lane.error = std::move(st);
        lane.error_series = series;
      }
    };
    std::vector<LaneItem> batches[2];
    for (auto& b : batches) b.resize(kSeriesBatch);
    size_t count = 0, cur = 0;
    WorkerPool::Task other;  // lane 1 on the previous batch
    auto dispatch = [&] {
      other.Wait();
      other = pool_.Hand([&run_lane, &lanes, batch = &batches[cur], count](size_t) {
        run_lane(lanes[1], 1, *batch, count);
      });
      run_lane(lanes[0], 0, batches[cur], count);
      cur = 1 - cur;
      count = 0;
    };
    // The error a one-thread fold would have met first.
    auto first_error = [&]() -> const Lane* {
      other.Wait();
      const Lane* first = nullptr;
      for (const Lane& lane : lanes) {
        if (!lane.error.ok() && (!first || lane.error_series < first->error_series)) first = &lane;
      }
      return first;
    };
    std::vector<std::pair<uint8_t, uint32_t>> place;  // per group: lane, index in the lane
    uint32_t lane_groups[2] = {0, 0};
    uint32_t nseries = 0;
    while (set.Next()) {
      ++nseries;
      if (options_.max_series_per_selector > 0 && nseries > options_.max_series_per_selector) {
        dispatch();
        if (const Lane* failed = first_error()) throw EvalError{failed->error};
        Fail(StatusCode::kResourceExhausted,
             "query selects too many series: the limit is " +
                 std::to_string(options_.max_series_per_selector) + " series per selector");
      }
      if ((nseries & 255) == 0) {
        CheckInterrupt();
        if (!lanes[0].error.ok()) break;  // the rest could only report later errors
      }
      const Series& s = set.At();
      LaneItem& item = batches[cur][count++];
      item.it = s.Iterator(std::move(item.it));
      item.series = nseries - 1;
      bool made;
      std::tie(item.group, made) = find_group(s.labels());
      if (made) {
        // This thread also selects, which costs about what folding a third of the series does.
        const uint8_t lane = item.group % 3 == 0 ? 0 : 1;
        place.emplace_back(lane, lane_groups[lane]++);
      }
      std::tie(item.lane, item.local) = place[item.group];
      item.not_counter.clear();
      if (counter_check && NotNamedLikeACounter(s.labels().MetricName())) {
        item.not_counter = s.labels().MetricName();
      }
      if (count == kSeriesBatch) dispatch();
    }
    if (count > 0) dispatch();
    if (const Lane* failed = first_error()) throw EvalError{failed->error};
    if (!set.status().ok()) throw EvalError{set.status()};
    // Back to one set of groups: each group's blocks, and per step the groups in the order
    // their first values came in select order (the two lanes' lists, merged).
    sa.blocks.resize(place.size());
    for (size_t g = 0; g < place.size(); ++g) {
      sa.blocks[g] = std::move(lanes[place[g].first].blocks[place[g].second]);
    }
    for (size_t k = 0; k < nsteps; ++k) {
      const auto& x = lanes[0].firsts[k];
      const auto& y = lanes[1].firsts[k];
      std::vector<uint32_t>& order = sa.order[k];
      order.reserve(x.size() + y.size());
      size_t i = 0, j = 0;
      while (i < x.size() || j < y.size()) {
        const bool take_x = j == y.size() || (i < x.size() && x[i].first < y[j].first);
        order.push_back(take_x ? x[i++].second : y[j++].second);
      }
      sa.inputs[k] = lanes[0].inputs[k] + lanes[1].inputs[k];
    }
    for (const Lane& lane : lanes) {
      for (const std::string& name : lane.not_counters) {
        not_a_counter(name);
      }
    }
    return;
  }
  // Long selections of a range function are read on the worker pool (labels copied, since the
  // set moves on), then folded here in select order. A costly window function's windows are
  // computed there as well, whatever the range, and only added to the groups here: the groups
  // see the same values in the same order as the one-thread fold.
  BatchedReads<RangeSeries>::ConsumeFn compute_windows;
  if (costly) {
    compute_windows = [&](RangeSeries& rs, std::vector<Point>& points) {
      rs.windows.clear();
      for_each_window(points, [&rs](size_t k, size_t n, bool ok, double v) {
        rs.windows.push_back({static_cast<uint32_t>(k), static_cast<uint32_t>(n), ok, v});
      });
    };
  }
  BatchedReads<RangeSeries> reads(
      *this, /*use_workers=*/true, read_points,
      [&](RangeSeries& rs, std::vector<Point>& points) {
        if (!costly) return fold_range_series(rs.labels, points);
        uint32_t group = UINT32_MAX;
        for (const WindowValue& w : rs.windows) {
          sa.inputs[w.k] += w.n;
          if (w.ok) emit(group, rs.labels, w.k, w.v);
        }
      },
      std::move(compute_windows));
  const bool batched = call && (costly || maxt - mint >= kParallelReadMinRangeMs);
  std::vector<Point> points;  // one series' samples (range functions, one thread)
  std::unique_ptr<SeriesIterator> it;
  size_t nseries = 0;
  while (set.Next()) {
    ++nseries;
    if (options_.max_series_per_selector > 0 && nseries > options_.max_series_per_selector) {
      reads.Drain();
      Fail(StatusCode::kResourceExhausted,
           "query selects too many series: the limit is " +
               std::to_string(options_.max_series_per_selector) + " series per selector");
    }
    if ((nseries & 255) == 0) CheckInterrupt();
    const Series& s = set.At();
    if (batched) {
      auto& slot = reads.Add();
      slot.it = s.Iterator(std::move(slot.it));
      slot.info.labels = s.labels();
      continue;
    }
    it = s.Iterator(std::move(it));
    if (call) {
      points.clear();
      read_points(*it, &points);
      if (!it->status().ok()) throw EvalError{it->status()};
      fold_range_series(s.labels(), points);
      continue;
    }
    // A step T takes the last sample at or before it if that is newer than T - lookback and
    // not a stale marker (as EvalVectorSelector does on preloaded points).
    uint32_t group = UINT32_MAX;
    size_t k = 0;
    bool have_prev = false;
    Sample prev;
    auto steps_before = [&](Timestamp limit) {
      for (; k < nsteps; ++k) {
        const Timestamp t = first_t + static_cast<Timestamp>(k) * step;
        if (t >= limit) break;
        if (have_prev && t - prev.t < lookback && !IsStaleNaN(prev.v)) {
          ++sa.inputs[k];
          emit(group, s.labels(), k, prev.v);
        }
      }
    };
    for (ValueType vt = it->Seek(mint); vt == ValueType::kFloat;) {
      const Sample smp = it->At();
      if (smp.t > maxt) break;
      steps_before(smp.t);
      prev = smp;
      have_prev = true;
      // Steps further apart than the lookback: jump over samples no step can see (step k is
      // now the first at or after this sample).
      if (sparse && k < nsteps) {
        const Timestamp next_t = first_t + static_cast<Timestamp>(k) * step;
        if (next_t - smp.t >= lookback) {
          vt = it->Seek(next_t - lookback + 1);
          continue;
        }
      }
      vt = it->Next();
    }
    if (!it->status().ok()) throw EvalError{it->status()};
    steps_before(kMaxTimestamp);
  }
  reads.Drain();
  if (!set.status().ok()) throw EvalError{set.status()};
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
  if (k >= sa.order.size()) Fail(StatusCode::kInternal, "streamed aggregation step out of range");
  // The selector's vector at this step would have held this many samples.
  AddSamples(sa.inputs[k]);
  ReleaseSamples(sa.inputs[k]);
  EValue out;
  out.kind = ValueKind::kVector;
  out.vec.reserve(sa.order[k].size());
  for (uint32_t g : sa.order[k]) {
    out.vec.push_back({sa.group_labels[g], AggResult(a.op, sa.At(g, k)), ts, sa.drop_name});
  }
  return out;
}

}  // namespace tidemark::query::eval
