// Engine: parses, evaluates instant and range queries, applies delayed __name__ removal and
// converts internal values to the public QueryValue; every failure becomes a Status.
#include "tidemark/query/engine.h"

#include <algorithm>
#include <thread>
#include <unordered_map>

#include "eval/evaluator.h"
#include "eval/worker_pool.h"

namespace tidemark::query {
namespace {

using eval::EValue;
using eval::Evaluator;

// Drops __name__ from series marked for it, then merges series that became identical; two of
// them with a point at the same time is an error, as in Prometheus.
Matrix CleanupMatrix(std::vector<std::pair<eval::LabelsPtr, bool>> keys,
                     std::vector<std::vector<Point>> points) {
  Matrix out;
  std::unordered_map<uint64_t, std::vector<size_t>> index;
  for (size_t i = 0; i < keys.size(); ++i) {
    Labels l = keys[i].second ? eval::DropMetricName(*keys[i].first) : *keys[i].first;
    if (points[i].empty()) continue;
    auto& cands = index[l.Hash()];
    size_t found = SIZE_MAX;
    for (size_t c : cands) {
      if (out[c].metric == l) found = c;
    }
    if (found == SIZE_MAX) {
      cands.push_back(out.size());
      out.push_back({std::move(l), std::move(points[i])});
      continue;
    }
    auto& dst = out[found].points;
    std::vector<Point> merged;
    merged.reserve(dst.size() + points[i].size());
    std::merge(dst.begin(), dst.end(), points[i].begin(), points[i].end(),
               std::back_inserter(merged), [](const Point& a, const Point& b) { return a.t < b.t; });
    for (size_t k = 1; k < merged.size(); ++k) {
      if (merged[k].t == merged[k - 1].t) {
        eval::FailExec("vector cannot contain metrics with the same labelset");
      }
    }
    dst = std::move(merged);
  }
  std::sort(out.begin(), out.end(),
            [](const MatrixSeries& a, const MatrixSeries& b) { return a.metric < b.metric; });
  return out;
}

Result<QueryValue> Execute(Queryable& storage, const EngineOptions& options,
                           eval::WorkerPool& pool, const Expr& expr, std::string_view text,
                           Timestamp start, Timestamp end, int64_t step, bool range,
                           const CancelToken* cancel) {
  QueryValue result;
  Status status = eval::CatchStatus([&] {
    Evaluator ev(storage, options, pool, cancel, text, start, end, range ? step : 0);
    ev.Prepare(expr);
    if (!range) {
      EValue v = ev.Eval(expr, start);
      result.kind = v.kind;
      result.t = start;
      switch (v.kind) {
        case ValueKind::kScalar:
          result.scalar = v.scalar;
          break;
        case ValueKind::kString:
          result.str = v.str;
          break;
        case ValueKind::kVector: {
          std::unordered_map<uint64_t, std::vector<size_t>> seen;
          for (auto& s : v.vec) {
            Labels l = s.drop_name ? eval::DropMetricName(*s.metric) : *s.metric;
            auto& cands = seen[l.Hash()];
            for (size_t c : cands) {
              if (result.vector[c].metric == l) {
                eval::FailExec("vector cannot contain metrics with the same labelset");
              }
            }
            cands.push_back(result.vector.size());
            result.vector.push_back({std::move(l), start, s.v});
          }
          break;
        }
        case ValueKind::kMatrix: {
          std::vector<std::pair<eval::LabelsPtr, bool>> keys;
          std::vector<std::vector<Point>> pts;
          for (auto& w : v.mat.series) {
            keys.emplace_back(w.metric, w.drop_name);
            pts.emplace_back(w.points.begin(), w.points.end());
          }
          result.matrix = CleanupMatrix(std::move(keys), std::move(pts));
          break;
        }
        case ValueKind::kNone:
          break;
      }
    } else {
      ValueKind type = expr.Type();
      if (type != ValueKind::kScalar && type != ValueKind::kVector) {
        eval::Fail(StatusCode::kInvalidArgument,
                   "invalid expression type \"" + std::string(ValueKindName(type)) +
                       "\" for range query, must be Scalar or instant Vector");
      }
      if (step <= 0) {
        eval::Fail(StatusCode::kInvalidArgument,
                   "zero or negative query resolution step widths are not accepted. Try a "
                   "positive integer");
      }
      if (end < start) {
        eval::Fail(StatusCode::kInvalidArgument, "end timestamp must not be before start time");
      }
      std::vector<std::pair<eval::LabelsPtr, bool>> keys;
      std::vector<std::vector<Point>> pts;
      // Interned label sets: pointer equality is label-set equality.
      eval::PtrIndex by_ptr;
      auto slot = [&](eval::LabelsPtr m, bool drop) -> size_t {
        uint32_t f = by_ptr.Find(m);
        if (f != eval::PtrIndex::kNone) return f;
        size_t idx = keys.size();
        keys.emplace_back(m, drop);
        pts.emplace_back();
        by_ptr.Insert(m, static_cast<uint32_t>(idx));
        return idx;
      };
      eval::LabelsPtr empty = ev.Intern(Labels());
      for (Timestamp ts = start; ts <= end; ts += step) {
        EValue v = ev.Eval(expr, ts);
        if (v.kind == ValueKind::kScalar) {
          pts[slot(empty, false)].push_back({ts, v.scalar});
          ev.AddSamples(1);
        } else {
          for (const auto& s : v.vec) pts[slot(s.metric, s.drop_name)].push_back({ts, s.v});
          ev.AddSamples(v.vec.size());
        }
      }
      result.kind = ValueKind::kMatrix;
      result.matrix = CleanupMatrix(std::move(keys), std::move(pts));
    }
    // Annotations are a set, as in Prometheus.
    for (auto* v : {&ev.warnings(), &ev.infos()}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    result.warnings = std::move(ev.warnings());
    result.infos = std::move(ev.infos());
  });
  if (!status.ok()) return status;
  return result;
}

size_t WorkerCount(size_t configured) {
  if (configured > 0) return configured;
  return std::max<size_t>(1, std::thread::hardware_concurrency());
}

}  // namespace

Engine::Engine(Queryable& storage, EngineOptions options)
    : storage_(storage),
      options_(std::move(options)),
      pool_(std::make_unique<eval::WorkerPool>(WorkerCount(options_.workers_per_query))) {}
Engine::~Engine() = default;

Result<QueryValue> Engine::InstantQuery(std::string_view query, Timestamp t,
                                        const CancelToken* cancel) {
  auto parsed = ParseExpr(query);
  if (!parsed.ok()) return parsed.status();
  return InstantQueryExpr(**parsed, query, t, cancel);
}

Result<QueryValue> Engine::RangeQuery(std::string_view query, Timestamp start, Timestamp end,
                                      int64_t step_ms, const CancelToken* cancel) {
  auto parsed = ParseExpr(query);
  if (!parsed.ok()) return parsed.status();
  return RangeQueryExpr(**parsed, query, start, end, step_ms, cancel);
}

Result<QueryValue> Engine::InstantQueryExpr(const Expr& expr, std::string_view text, Timestamp t,
                                            const CancelToken* cancel) {
  return Execute(storage_, options_, *pool_, expr, text, t, t, 0, false, cancel);
}

Result<QueryValue> Engine::RangeQueryExpr(const Expr& expr, std::string_view text,
                                          Timestamp start, Timestamp end, int64_t step_ms,
                                          const CancelToken* cancel) {
  return Execute(storage_, options_, *pool_, expr, text, start, end, step_ms, true, cancel);
}

}  // namespace tidemark::query
