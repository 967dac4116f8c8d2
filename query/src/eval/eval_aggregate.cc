// Aggregation operators (sum, avg, count, min, max, group, stddev, stdvar, quantile, topk,
// bottomk, count_values, limitk, limit_ratio) at one evaluation step.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "eval/agg_acc.h"
#include "eval/evaluator.h"

namespace tidemark::query::eval {
namespace {

struct Group : AggAcc {
  LabelsPtr labels = nullptr;
  bool drop_name = false;
  std::vector<double> values;   // quantile
  std::vector<ESample> heap;    // topk/bottomk/limitk/limit_ratio
};

// container/heap over samples with a "less" (min-heap on less).
template <typename Less>
void HeapUp(std::vector<ESample>& h, size_t j, Less less) {
  while (j > 0) {
    size_t i = (j - 1) / 2;
    if (!less(h[j], h[i])) break;
    std::swap(h[i], h[j]);
    j = i;
  }
}
template <typename Less>
bool HeapDown(std::vector<ESample>& h, size_t i0, Less less) {
  size_t i = i0, n = h.size();
  for (;;) {
    size_t j1 = 2 * i + 1;
    if (j1 >= n) break;
    size_t j = j1;
    if (j1 + 1 < n && less(h[j1 + 1], h[j1])) j = j1 + 1;
    if (!less(h[j], h[i])) break;
    std::swap(h[i], h[j]);
    i = j;
  }
  return i > i0;
}

bool ByValue(const ESample& a, const ESample& b) {
  if (std::isnan(a.v)) return true;
  return a.v < b.v;
}
bool ByReverseValue(const ESample& a, const ESample& b) {
  if (std::isnan(a.v)) return true;
  return a.v > b.v;
}

// Prometheus' ratio sampler: keeps a deterministic, label-hash-based share of series.
bool RatioKeep(double ratio, const Labels& l) {
  double offset = static_cast<double>(l.Hash()) / static_cast<double>(UINT64_MAX);
  return (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1.0 + ratio);
}

}  // namespace

EValue Evaluator::EvalAggregate(const AggregateExpr& a, Timestamp ts) {
  if (auto streamed = streamed_aggs_.find(&a); streamed != streamed_aggs_.end()) {
    return StreamedAggregateAt(a, streamed->second, ts);
  }
  EValue out;
  out.kind = ValueKind::kVector;
  double param = 0;
  std::string value_label;
  if (a.op == AggOp::kCountValues) {
    EValue p = Eval(*a.param, ts);
    value_label = p.str;
    if (!IsValidLabelName(value_label) && !IsValidUtf8(value_label)) {
      FailExec("invalid label name \"" + value_label + "\"");
    }
    if (value_label.empty()) FailExec("invalid label name \"\"");
  } else if (a.param) {
    EValue p = Eval(*a.param, ts);
    param = p.scalar;
  }
  EValue in = Eval(*a.expr, ts);
  EVector& vec = in.vec;

  const AggGrouping grouping(a, a.op == AggOp::kCountValues ? value_label : std::string());
  auto group_labels = [&](const Labels& l) { return grouping.GroupLabels(l); };
  auto group_key = [&](const Labels& l) -> uint64_t { return grouping.Key(l); };

  if (a.op == AggOp::kCountValues) {
    std::vector<std::pair<uint64_t, size_t>> order;
    std::vector<Group> groups;
    std::unordered_map<uint64_t, size_t> idx;
    for (const auto& s : vec) {
      Labels l = s.metric->With(value_label, FormatFloat(s.v, 'f', -1));
      uint64_t k = group_key(l);
      auto [it, inserted] = idx.emplace(k, groups.size());
      if (inserted) {
        Group g;
        g.labels = Intern(group_labels(l));
        groups.push_back(std::move(g));
      }
      groups[it->second].count++;
    }
    for (auto& g : groups) out.vec.push_back({g.labels, g.count, ts, false});
    return out;
  }

  const bool k_op = a.op == AggOp::kTopk || a.op == AggOp::kBottomk || a.op == AggOp::kLimitK;
  int64_t k = 0;
  double ratio = 0;
  if (k_op) {
    if (std::isnan(param)) FailExec("Parameter value is NaN");
    if (param <= -9.2233720368547758e18) FailExec("Scalar value " + FormatFloat(param, 'g', -1) + " underflows int64");
    if (param >= 9.2233720368547758e18) FailExec("Scalar value " + FormatFloat(param, 'g', -1) + " overflows int64");
    k = std::min<int64_t>(static_cast<int64_t>(param), static_cast<int64_t>(vec.size()));
    if (k < 1) return out;
  } else if (a.op == AggOp::kLimitRatio) {
    if (std::isnan(param)) FailExec("Ratio value is NaN");
    if (param > 1) Warn("PromQL warning: ratio value should be between -1 and 1, got " + FormatFloat(param, 'g', -1) + ", capping to 1" + Pos(*a.param));
    if (param < -1) Warn("PromQL warning: ratio value should be between -1 and 1, got " + FormatFloat(param, 'g', -1) + ", capping to -1" + Pos(*a.param));
    if (param == 0) return out;
    ratio = std::clamp(param, -1.0, 1.0);
  } else if (a.op == AggOp::kQuantile) {
    if (std::isnan(param) || param < 0 || param > 1) {
      Warn("PromQL warning: quantile value should be between 0 and 1, got " + FormatFloat(param, 'g', -1) +
           Pos(*a.param));
    }
  }

  std::vector<Group> groups;
  std::vector<uint32_t> touched;  // slots used at this step, reset afterwards
  AggCache& cache = AggregateCache(&a);
  const bool needs_labels = !k_op && a.op != AggOp::kLimitRatio;
  for (auto& s : vec) {
    uint32_t info_idx = cache.series.Find(s.metric);
    if (info_idx == PtrIndex::kNone) {
      AggCache::Info info;
      info.key = group_key(*s.metric);
      if (needs_labels) info.labels = Intern(group_labels(*s.metric));
      auto [slot_it, slot_new] = cache.slot_of_key.emplace(
          info.key, static_cast<uint32_t>(cache.slot_of_key.size()));
      info.slot = slot_it->second;
      if (slot_new) cache.group_of_slot.push_back(UINT32_MAX);
      info_idx = static_cast<uint32_t>(cache.infos.size());
      cache.infos.push_back(info);
      cache.series.Insert(s.metric, info_idx);
    }
    const AggCache::Info& info = cache.infos[info_idx];
    uint32_t& group_idx = cache.group_of_slot[info.slot];
    double f = s.v;
    if (group_idx == UINT32_MAX) {
      group_idx = static_cast<uint32_t>(groups.size());
      touched.push_back(info.slot);
      Group g;
      if (needs_labels) g.labels = info.labels;
      g.drop_name = s.drop_name;
      AggStart(a.op, f, g);
      switch (a.op) {
        case AggOp::kQuantile: g.values.push_back(f); break;
        case AggOp::kTopk: case AggOp::kBottomk: case AggOp::kLimitK:
          g.heap.push_back(s);
          break;
        case AggOp::kLimitRatio:
          if (RatioKeep(ratio, *s.metric)) g.heap.push_back(s);
          break;
        default: break;
      }
      groups.push_back(std::move(g));
      continue;
    }
    Group& g = groups[group_idx];
    if (s.drop_name) g.drop_name = true;
    if (IsFoldingAggOp(a.op)) {
      AggAdd(a.op, f, g);
      continue;
    }
    switch (a.op) {
      case AggOp::kQuantile: g.values.push_back(f); break;
      case AggOp::kTopk:
        if (static_cast<int64_t>(g.heap.size()) < k) {
          g.heap.push_back(s);
          HeapUp(g.heap, g.heap.size() - 1, ByValue);
        } else if (g.heap[0].v < f || (std::isnan(g.heap[0].v) && !std::isnan(f))) {
          g.heap[0] = s;
          if (k > 1 && !HeapDown(g.heap, 0, ByValue)) HeapUp(g.heap, 0, ByValue);
        }
        break;
      case AggOp::kBottomk:
        if (static_cast<int64_t>(g.heap.size()) < k) {
          g.heap.push_back(s);
          HeapUp(g.heap, g.heap.size() - 1, ByReverseValue);
        } else if (g.heap[0].v > f || (std::isnan(g.heap[0].v) && !std::isnan(f))) {
          g.heap[0] = s;
          if (k > 1 && !HeapDown(g.heap, 0, ByReverseValue)) HeapUp(g.heap, 0, ByReverseValue);
        }
        break;
      case AggOp::kLimitK:
        if (static_cast<int64_t>(g.heap.size()) < k) {
          g.heap.push_back(s);
          HeapUp(g.heap, g.heap.size() - 1, ByValue);
        }
        break;
      case AggOp::kLimitRatio:
        if (RatioKeep(ratio, *s.metric)) {
          g.heap.push_back(s);
          HeapUp(g.heap, g.heap.size() - 1, ByValue);
        }
        break;
      default: break;
    }
  }

  for (uint32_t slot : touched) cache.group_of_slot[slot] = UINT32_MAX;

  for (auto& g : groups) {
    double v = AggResult(a.op, g);
    switch (a.op) {
      case AggOp::kQuantile: v = Quantile(param, std::move(g.values)); break;
      case AggOp::kTopk:
        std::stable_sort(g.heap.begin(), g.heap.end(),
                         [](const ESample& x, const ESample& y) { return ByValue(y, x); });
        for (auto& s : g.heap) out.vec.push_back(std::move(s));
        continue;
      case AggOp::kBottomk:
        std::stable_sort(g.heap.begin(), g.heap.end(),
                         [](const ESample& x, const ESample& y) { return ByReverseValue(y, x); });
        for (auto& s : g.heap) out.vec.push_back(std::move(s));
        continue;
      case AggOp::kLimitK: case AggOp::kLimitRatio:
        for (auto& s : g.heap) out.vec.push_back(std::move(s));
        continue;
      default: break;
    }
    out.vec.push_back({g.labels, v, ts, g.drop_name});
  }
  return out;
}

}  // namespace tidemark::query::eval
