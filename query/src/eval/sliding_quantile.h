// quantile_over_time over windows that slide forward: a sorted copy of the window that takes in
// the points entering it and gives up those leaving, instead of a sort of the window at each step.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "eval/evaluator.h"

namespace tidemark::query::eval {

// Gives exactly what Quantile gives on the window's values. Without NaN and -0 equal values are
// identical bits, so the sorted window is unique and matches the sort's; a window holding a NaN
// or a -0 (whose place among +0 the sort leaves open) takes Quantile itself, as does a q outside
// [0, 1].
class SlidingQuantile {
 public:
  explicit SlidingQuantile(double q) : q_(q) {}

  // Starts over on a series' points.
  void Reset(const Point* points) {
    pts_ = points;
    sorted_.clear();
    b_ = e_ = 0;
    special_ = 0;
  }

  // The quantile over the window [b, e) (REQUIRES b < e; b and e never decrease between calls).
  double Slide(size_t b, size_t e) {
    if (b >= e_) {  // no overlap with the previous window: start it afresh
      sorted_.clear();
      special_ = 0;
      b_ = e_ = b;
    }
    for (; b_ < b; ++b_) Remove(pts_[b_].v);
    for (; e_ < e; ++e_) Insert(pts_[e_].v);
    if (special_ > 0 || !(q_ >= 0 && q_ <= 1)) {
      std::vector<double> values;
      values.reserve(e - b);
      for (size_t i = b; i < e; ++i) values.push_back(pts_[i].v);
      return Quantile(q_, std::move(values));
    }
    return QuantileOfSorted(q_, sorted_);
  }

 private:
  static bool Special(double v) { return std::isnan(v) || (v == 0 && std::signbit(v)); }

  void Insert(double v) {
    if (Special(v)) {
      ++special_;
      return;
    }
    sorted_.insert(std::upper_bound(sorted_.begin(), sorted_.end(), v), v);
  }

  void Remove(double v) {
    if (Special(v)) {
      --special_;
      return;
    }
    sorted_.erase(std::lower_bound(sorted_.begin(), sorted_.end(), v));
  }

  const double q_;
  const Point* pts_ = nullptr;
  std::vector<double> sorted_;  // the window's values except NaN and -0, ascending
  size_t b_ = 0, e_ = 0;        // the window sorted_ holds
  size_t special_ = 0;          // NaNs and -0s in that window
};

}  // namespace tidemark::query::eval
