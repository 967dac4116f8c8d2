// Running state of one aggregation group for the value-folding operators (sum, avg, count, min,
// max, group, stddev, stdvar), shared by the per-step and the streamed aggregation paths so both
// give bit-identical results.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "eval/evaluator.h"

namespace tidemark::query::eval {

// True for the operators AggAcc covers.
inline bool IsFoldingAggOp(AggOp op) {
  switch (op) {
    case AggOp::kSum: case AggOp::kAvg: case AggOp::kCount: case AggOp::kMin: case AggOp::kMax:
    case AggOp::kGroup: case AggOp::kStddev: case AggOp::kStdvar:
      return true;
    default:
      return false;
  }
}

// The group's first input value.
inline void AggStart(AggOp op, double f, AggAcc& g) {
  g.value = f;
  g.mean = f;
  g.count = 1;
  if (op == AggOp::kStddev || op == AggOp::kStdvar) {
    g.value = (std::isnan(f) || std::isinf(f)) ? std::nan("") : 0;
  } else if (op == AggOp::kGroup) {
    g.value = 1;
  }
}

// Every further input value, in input order.
inline void AggAdd(AggOp op, double f, AggAcc& g) {
  switch (op) {
    case AggOp::kSum:
      KahanInc(f, g.value, g.kahan_c);
      break;
    case AggOp::kAvg: {
      g.count++;
      if (!g.incremental_mean) {
        double nv = g.value, nc = g.kahan_c;
        KahanInc(f, nv, nc);
        if (!std::isinf(nv)) {
          g.value = nv;
          g.kahan_c = nc;
          break;
        }
        // The sum overflowed: continue with an incremental mean.
        g.incremental_mean = true;
        g.mean = g.value / (g.count - 1);
        g.kahan_c /= g.count - 1;
      }
      double q = (g.count - 1) / g.count;
      double m = q * g.mean, c = q * g.kahan_c;
      KahanInc(f / g.count, m, c);
      g.mean = m;
      g.kahan_c = c;
      break;
    }
    case AggOp::kCount: g.count++; break;
    case AggOp::kMax:
      if (g.value < f || std::isnan(g.value)) g.value = f;
      break;
    case AggOp::kMin:
      if (g.value > f || std::isnan(g.value)) g.value = f;
      break;
    case AggOp::kStddev: case AggOp::kStdvar: {
      g.count++;
      double delta = f - g.mean;
      g.mean += delta / g.count;
      g.value += delta * (f - g.mean);
      break;
    }
    default: break;
  }
}

// The group's output value.
inline double AggResult(AggOp op, const AggAcc& g) {
  switch (op) {
    case AggOp::kSum: return g.value + g.kahan_c;
    case AggOp::kAvg:
      return g.incremental_mean ? g.mean + g.kahan_c : g.value / g.count + g.kahan_c / g.count;
    case AggOp::kCount: return g.count;
    case AggOp::kStdvar: return g.value / g.count;
    case AggOp::kStddev: return std::sqrt(g.value / g.count);
    default: return g.value;
  }
}

// An aggregation's grouping: the key and the output labels of an input series.
class AggGrouping {
 public:
  // `extra`: a label added to a by() list (count_values' value label), "" for none.
  AggGrouping(const AggregateExpr& a, const std::string& extra) : without_(a.without) {
    grouping_ = a.grouping;
    if (!extra.empty() && !a.without) grouping_.push_back(extra);
    std::sort(grouping_.begin(), grouping_.end());
    without_names_ = grouping_;
    if (a.without) without_names_.push_back(std::string(kMetricName));
  }
  uint64_t Key(const Labels& l) const {
    if (without_) return l.HashFor(without_names_, false);
    if (grouping_.empty()) return 0;
    return l.HashFor(grouping_, true);
  }
  Labels GroupLabels(const Labels& l) const {
    if (without_) return l.Drop(without_names_);
    if (grouping_.empty()) return Labels();
    return l.Keep(grouping_);
  }

 private:
  bool without_;
  std::vector<std::string> grouping_;
  std::vector<std::string> without_names_;
};

}  // namespace tidemark::query::eval
