// Selectors and subqueries: data is selected once per selector for the whole query, then every
// step only looks up its lookback or range window in the preloaded series (binary search).
#include <algorithm>

#include "eval/agg_acc.h"
#include "eval/batched_reads.h"
#include "eval/evaluator.h"
#include "eval/step_invariant.h"

namespace tidemark::query::eval {
namespace {

struct PlannedSelect {
  const VectorSelector* vs;
  const Expr* key;  // the node whose data this is (the matrix selector for ranges)
  Timestamp mint, maxt;
  bool matrix;
  int64_t range_ms;
  bool on_query_steps;  // evaluated exactly at the query's steps (no @, not inside a subquery)
  // A folding aggregation directly over this vector selector, at the query's steps: its result
  // is computed while the series stream in (nothing per series is kept).
  const AggregateExpr* streamed_agg = nullptr;
  const Call* streamed_call = nullptr;  // the range function between them, if any
  // The series may come in any order: the streamed aggregation is a count or group that is the
  // whole query, whose result does not depend on input order (counts are exact integers, and a
  // range query's series are sorted at the end; an instant query's only where there is one
  // group). Everything else gets label order, which sums and output order depend on.
  bool any_order = false;
};

// The range function of `agg(f(x[r]))` that the aggregation can stream: one matrix argument
// and no other, not absent_over_time (which reports missing series).
const Call* StreamableRangeCall(const Expr& inner) {
  if (inner.kind != NodeKind::kCall) return nullptr;
  const auto& c = static_cast<const Call&>(inner);
  if (c.args.size() != 1 || !IsRangeFunction(c.func->name) ||
      c.func->name == "absent_over_time" ||
      Unwrap(*c.args[0]).kind != NodeKind::kMatrixSelector) {
    return nullptr;
  }
  return &c;
}

Timestamp CeilDiv(Timestamp a, Timestamp b) {  // b > 0
  Timestamp q = a / b;
  if (a % b != 0 && a > 0) ++q;
  return q;
}

Timestamp FloorDiv(Timestamp a, Timestamp b) {
  Timestamp q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Reads one series' samples for a selector: those in [mint, maxt], skipping (with Seek) those
// in no step's window when steps are sparse; range selectors leave out stale markers.
struct PointReader {
  Timestamp mint, maxt;
  bool sparse;
  Timestamp first_step;  // the first step in storage time (offset applied)
  int64_t step, window;
  bool matrix;

  void Read(SeriesIterator& it, std::vector<Point>* out) const {
    if (!sparse) {
      ReadPoints(it, mint, maxt, /*drop_stale=*/matrix, out);
      return;
    }
    ValueType vt = it.Seek(mint);
    while (vt == ValueType::kFloat) {
      const Sample smp = it.At();
      if (smp.t > maxt) break;
      if (sparse) {
        const Timestamp step_t = first_step + CeilDiv(smp.t - first_step, step) * step;
        if (step_t - smp.t >= window) {  // before the next step's window: jump to it
          vt = it.Seek(step_t - window + 1);
          continue;
        }
      }
      if (!(matrix && IsStaleNaN(smp.v))) out->push_back({smp.t, smp.v});
      vt = it.Next();
    }
  }
};

}  // namespace

void ReadPoints(SeriesIterator& it, Timestamp mint, Timestamp maxt, bool drop_stale,
                std::vector<Point>* out) {
  constexpr size_t kBuf = 256;  // a 120-sample head chunk and a bit: a few calls per series
  Sample buf[kBuf];
  ValueType vt = it.Seek(mint);
  while (vt == ValueType::kFloat) {
    const size_t n = it.ReadBatch(maxt, buf, kBuf, &vt);
    for (size_t i = 0; i < n; ++i) {
      if (!(drop_stale && IsStaleNaN(buf[i].v))) out->push_back({buf[i].t, buf[i].v});
    }
    if (n < kBuf) break;
  }
}

void Evaluator::Prepare(const Expr& root) {
  if (step_ms_ > 0 && end_ > start_) {
    std::vector<const Expr*> invariant;
    FindStepInvariant(root, &invariant);
    for (const Expr* e : invariant) invariant_.emplace(e, std::nullopt);
  }
  std::vector<PlannedSelect> plan;
  // Walk the tree computing, for each selector, the interval of evaluation times it sees.
  struct Walker {
    Evaluator* ev;
    std::vector<PlannedSelect>* plan;
    const Expr* root;  // the query's expression without parentheses
    bool in_subquery = false;
    void Walk(const Expr& e, Timestamp mint, Timestamp maxt) {
      switch (e.kind) {
        case NodeKind::kVectorSelector: {
          const auto& vs = static_cast<const VectorSelector&>(e);
          Timestamp lo = mint, hi = maxt;
          if (vs.at.kind != AtKind::kNone) lo = hi = ev->ResolveAt(vs.at, mint);
          plan->push_back({&vs, &e, lo - vs.offset_ms - ev->options().lookback_delta_ms + 1,
                           hi - vs.offset_ms, false, 0,
                           !in_subquery && vs.at.kind == AtKind::kNone});
          return;
        }
        case NodeKind::kMatrixSelector: {
          const auto& ms = static_cast<const MatrixSelector&>(e);
          const auto& vs = *ms.vs;
          Timestamp lo = mint, hi = maxt;
          if (vs.at.kind != AtKind::kNone) lo = hi = ev->ResolveAt(vs.at, mint);
          plan->push_back({&vs, &e, lo - vs.offset_ms - ms.range_ms + 1, hi - vs.offset_ms, true,
                           ms.range_ms, !in_subquery && vs.at.kind == AtKind::kNone});
          return;
        }
        case NodeKind::kSubquery: {
          const auto& sq = static_cast<const SubqueryExpr&>(e);
          Timestamp lo = mint, hi = maxt;
          if (sq.at.kind != AtKind::kNone) lo = hi = ev->ResolveAt(sq.at, mint);
          const bool outer = in_subquery;
          in_subquery = true;
          Walk(*sq.expr, lo - sq.offset_ms - sq.range_ms, hi - sq.offset_ms);
          in_subquery = outer;
          return;
        }
        case NodeKind::kParen:
          Walk(*static_cast<const ParenExpr&>(e).expr, mint, maxt);
          return;
        case NodeKind::kUnary:
          Walk(*static_cast<const UnaryExpr&>(e).expr, mint, maxt);
          return;
        case NodeKind::kBinary: {
          const auto& b = static_cast<const BinaryExpr&>(e);
          Walk(*b.lhs, mint, maxt);
          Walk(*b.rhs, mint, maxt);
          return;
        }
        case NodeKind::kAggregate: {
          const auto& a = static_cast<const AggregateExpr&>(e);
          if (a.param) Walk(*a.param, mint, maxt);
          const Expr& inner = Unwrap(*a.expr);
          const size_t first = plan->size();
          Walk(*a.expr, mint, maxt);
          // Not for without(): it usually keeps nearly every label, and one group per series
          // costs more per step than the series' points.
          const Call* call = StreamableRangeCall(inner);
          if (!in_subquery && !a.param && !a.without && IsFoldingAggOp(a.op) &&
              (inner.kind == NodeKind::kVectorSelector || call) && plan->size() == first + 1 &&
              (*plan)[first].on_query_steps &&
              // Steps longer than the window: the preloaded path skips unseen samples.
              !(call && ev->step() > (*plan)[first].range_ms)) {
            (*plan)[first].streamed_agg = &a;
            (*plan)[first].streamed_call = call;
            (*plan)[first].any_order =
                &e == root && (a.op == AggOp::kCount || a.op == AggOp::kGroup) &&
                (ev->step() > 0 || a.grouping.empty());
          }
          return;
        }
        case NodeKind::kCall:
          for (const auto& arg : static_cast<const Call&>(e).args) Walk(*arg, mint, maxt);
          return;
        default:
          return;
      }
    }
  } walker{this, &plan, &Unwrap(root)};
  walker.Walk(root, start_, end_);
  if (plan.empty()) return;

  Timestamp qmin = plan[0].mint, qmax = plan[0].maxt;
  for (const auto& p : plan) {
    qmin = std::min(qmin, p.mint);
    qmax = std::max(qmax, p.maxt);
  }
  auto querier = storage_.NewQuerier(qmin, qmax);
  if (!querier.ok()) throw EvalError{querier.status()};
  for (const auto& p : plan) {  // no insertion while a worker looks
    if (p.streamed_agg) {
      streamed_aggs_[p.streamed_agg];
    } else {
      data_[p.key];
    }
  }
  auto select = [&](const PlannedSelect& p, SelectDeferred* deferred) {
    CheckInterrupt();
    SelectHints hints;
    hints.start = p.mint;
    hints.end = p.maxt;
    hints.step_ms = step_ms_;
    hints.range_ms = p.range_ms;
    hints.max_series = options_.max_series_per_selector;
    // An instant query's vector selector looks at one time: only each series' last sample in
    // its lookback window counts (the head often knows it without decoding anything).
    hints.last_sample_only = !p.matrix && p.on_query_steps && step_ms_ == 0;
    auto set = (*querier)->Select(!p.any_order, &hints, p.vs->matchers);
    if (!set.ok()) throw EvalError{set.status()};
    if (p.streamed_agg) {
      StreamAggregate(*p.streamed_agg, streamed_aggs_.find(p.streamed_agg)->second, *p.vs,
                      p.streamed_call, p.range_ms, **set, p.mint, p.maxt, deferred);
      return;
    }
    SelectorData& data = data_.find(p.key)->second;
    // With a step longer than the window, most samples fall in no step's window
    // (T - offset - window, T - offset]: skip them with Seek instead of holding them.
    const int64_t window = p.matrix ? p.range_ms : options_.lookback_delta_ms;
    PointReader reader{p.mint, p.maxt, p.on_query_steps && step_ms_ > window && window > 0,
                       start_ - p.vs->offset_ms, step_ms_, window, p.matrix};
    // On a worker the labels stay uninterned and the points are counted apart; either count
    // alone over a limit fails as the shared one would, and the sum is checked on joining.
    struct Selected {
      LabelsPtr metric = nullptr;
      Labels labels;  // when deferred
    };
    BatchedReads<Selected> reads(
        *this, p.maxt - p.mint >= kParallelReadMinRangeMs,
        [&reader](SeriesIterator& it, std::vector<Point>* out) { reader.Read(it, out); },
        [&](Selected& selected, std::vector<Point>& points) {
          if (points.empty()) return;
          if (!deferred) {
            AddPreloaded(points.size());
            data.series.push_back({selected.metric, std::move(points)});
            return;
          }
          deferred->points += points.size();
          deferred->bytes += points.size() * sizeof(Point) + LabelBytes(selected.labels);
          if (deferred->points > options_.max_samples) FailTooManySamples();
          if (options_.max_bytes > 0 && deferred->bytes > options_.max_bytes) FailTooManyBytes();
          deferred->series.push_back({std::move(selected.labels), std::move(points)});
        });
    size_t nseries = 0;
    while ((*set)->Next()) {
      if (options_.max_series_per_selector > 0 && ++nseries > options_.max_series_per_selector) {
        reads.Drain();
        Fail(StatusCode::kResourceExhausted,
             "query selects too many series: the limit is " +
                 std::to_string(options_.max_series_per_selector) + " series per selector");
      }
      const Series& s = (*set)->At();
      auto& slot = reads.Add();
      slot.it = s.Iterator(std::move(slot.it));
      if (deferred) {
        slot.info.labels = s.labels();
      } else {
        slot.info.metric = Intern(s.labels());
      }
    }
    reads.Drain();
    if (!(*set)->status().ok()) throw EvalError{(*set)->status()};
  };
  // A range query with more than one selection, such as `sum(rate(a[5m])) / sum(rate(b[5m]))`
  // or `a / b`: a worker takes the first while this thread does the others. What comes out is
  // what one thread doing them in order would give: the worker's labels, points and infos are
  // taken in here, and its error, being the first selection's, goes before this thread's.
  if (step_ms_ == 0 || pool_.threads() < 2 || plan.size() < 2) {
    for (const auto& p : plan) select(p, nullptr);
    return;
  }
  SelectDeferred deferred;
  Status first_status, rest_status;
  WorkerPool::Task task = pool_.Hand([&](size_t) {
    first_status = CatchStatus([&] { select(plan[0], &deferred); });
  });
  try {
    for (size_t i = 1; i < plan.size(); ++i) select(plan[i], nullptr);
  } catch (EvalError& e) {
    rest_status = std::move(e.status);
  }
  task.Wait();
  if (!first_status.ok()) throw EvalError{std::move(first_status)};
  if (!rest_status.ok()) throw EvalError{std::move(rest_status)};
  if (const AggregateExpr* a = plan[0].streamed_agg) {
    StreamedAgg& sa = streamed_aggs_.find(a)->second;
    for (size_t g = 0; g < sa.group_labels.size(); ++g) {
      sa.group_labels[g] = Intern(std::move(deferred.group_labels[g]));
    }
  } else {
    SelectorData& data = data_.find(plan[0].key)->second;
    for (SelectDeferred::Series& s : deferred.series) {
      const LabelsPtr metric = Intern(std::move(s.labels));
      AddPreloaded(s.points.size());
      data.series.push_back({metric, std::move(s.points)});
    }
  }
  for (std::string& info : deferred.infos) Info(std::move(info));  // a set: order does not matter
}

EValue Evaluator::EvalVectorSelector(const VectorSelector& vs, Timestamp ts) {
  EValue out;
  out.kind = ValueKind::kVector;
  auto found = data_.find(&vs);
  if (found == data_.end()) return out;
  Timestamp t = ResolveAt(vs.at, ts) - vs.offset_ms;
  Timestamp lo = t - options_.lookback_delta_ms;
  SelectorData& d = found->second;
  const size_t n = d.series.size();
  // A later time than the last evaluation (a range query's next step) continues each series
  // from where it stood; anything else searches afresh. Either way `end` is the first point
  // after t.
  const bool forward = d.cursor.size() == n && t >= d.cursor_t;
  if (!forward) d.cursor.assign(n, 0);
  d.cursor_t = t;
  auto after = [](Timestamp x, const Point& p) { return x < p.t; };
  out.vec.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const auto& s = d.series[i];
    const Point* base = s.points.data();
    const Point* last = base + s.points.size();
    const Point* end = base + d.cursor[i];
    if (!forward) {
      end = std::upper_bound(base, last, t, after);
    } else {
      // Usually zero or one step ahead; a long jump falls back to the binary search.
      int k = 0;
      while (end != last && end->t <= t && k < 4) ++end, ++k;
      if (k == 4) end = std::upper_bound(end, last, t, after);
    }
    d.cursor[i] = static_cast<uint32_t>(end - base);
    if (end == base) continue;
    const Point* it = end - 1;
    if (it->t <= lo || IsStaleNaN(it->v)) continue;
    out.vec.push_back({s.metric, it->v, it->t, false});
  }
  AddSamples(out.vec.size());
  ReleaseSamples(out.vec.size());
  return out;
}

EMatrix Evaluator::EvalMatrixSelector(const MatrixSelector& ms, Timestamp ts) {
  EMatrix out;
  auto found = data_.find(&ms);
  if (found == data_.end()) return out;
  const VectorSelector& vs = *ms.vs;
  Timestamp t = ResolveAt(vs.at, ts) - vs.offset_ms;
  Timestamp lo = t - ms.range_ms;
  out.range_end = t;
  out.range_ms = ms.range_ms;
  auto cmp = [](Timestamp x, const Point& p) { return x < p.t; };
  for (const auto& s : found->second.series) {
    auto b = std::upper_bound(s.points.begin(), s.points.end(), lo, cmp);
    auto e = std::upper_bound(b, s.points.end(), t, cmp);
    if (b == e) continue;
    out.series.push_back({s.metric, std::span<const Point>(&*b, static_cast<size_t>(e - b)), false});
  }
  return out;
}

EMatrix Evaluator::EvalSubquery(const SubqueryExpr& sq, Timestamp ts) {
  EMatrix out;
  Timestamp t = ResolveAt(sq.at, ts) - sq.offset_ms;
  int64_t step = sq.step_ms > 0 ? sq.step_ms : options_.default_subquery_step_ms;
  if (step <= 0) step = 60000;
  Timestamp lo = t - sq.range_ms;
  out.range_end = t;
  out.range_ms = sq.range_ms;
  Timestamp first = FloorDiv(lo, step) * step;
  if (first <= lo) first += step;
  SubqueryCache& cache = subqueries_[&sq];
  // Outer steps move forward in time; results before this window will not be needed again.
  while (!cache.results.empty() && cache.results.begin()->first < first) {
    held_results_ -= std::min(held_results_, cache.results.begin()->second.size());
    cache.results.erase(cache.results.begin());
  }
  struct Building {
    LabelsPtr metric = nullptr;
    bool drop_name;
    std::vector<Point> points;
  };
  std::vector<Building> building;
  std::unordered_map<uint64_t, std::vector<size_t>> index;
  size_t total = 0;
  for (Timestamp at = first; at <= t; at += step) {
    auto it = cache.results.find(at);
    if (it == cache.results.end()) {
      EValue v = Eval(*sq.expr, at);
      EVector vec;
      if (v.kind == ValueKind::kVector) {
        vec = std::move(v.vec);
      } else if (v.kind == ValueKind::kScalar) {
        vec.push_back({Intern(Labels()), v.scalar, at, false});
      }
      it = cache.results.emplace(at, std::move(vec)).first;
      held_results_ += it->second.size();
      CheckBytes();  // the cache grows step by step; --query.max-bytes bites before it is whole
    }
    for (const ESample& s : it->second) {
      uint64_t h = s.metric->Hash();
      auto& candidates = index[h];
      size_t idx = SIZE_MAX;
      for (size_t c : candidates) {
        if (*building[c].metric == *s.metric) {
          idx = c;
          break;
        }
      }
      if (idx == SIZE_MAX) {
        idx = building.size();
        candidates.push_back(idx);
        building.push_back({s.metric, s.drop_name, {}});
      }
      building[idx].points.push_back({at, s.v});
      ++total;
    }
  }
  AddSamples(total);
  ReleaseSamples(total);
  out.owned.reserve(building.size());
  for (auto& b : building) out.owned.push_back(std::move(b.points));
  for (size_t i = 0; i < building.size(); ++i) {
    out.series.push_back({building[i].metric, std::span<const Point>(out.owned[i]),
                          building[i].drop_name});
  }
  return out;
}

}  // namespace tidemark::query::eval
