// max/min_over_time (and ts_of_max/min_over_time) over windows that slide forward: a monotonic
// deque of candidate indexes instead of a rescan of the window at every step.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "tidemark/query/engine.h"

namespace tidemark::query::eval {

// Gives exactly what the per-window scan (CompareOverTime) gives: NaNs are skipped unless the
// window holds nothing else (then its last point); among equal values (-0 == +0) max/min keep
// the earliest point and ts_of_max/min the latest.
class SlidingExtremum {
 public:
  // The function this handles, or nullopt.
  static std::optional<SlidingExtremum> For(std::string_view name) {
    if (name == "max_over_time") return SlidingExtremum(true, false);
    if (name == "min_over_time") return SlidingExtremum(false, false);
    if (name == "ts_of_max_over_time") return SlidingExtremum(true, true);
    if (name == "ts_of_min_over_time") return SlidingExtremum(false, true);
    return std::nullopt;
  }

  // Starts over on a series' points; windows then begin at index `from` or later.
  void Reset(const Point* points, size_t from) {
    pts_ = points;
    q_.clear();
    head_ = 0;
    next_ = from;
  }

  // The value over the window [b, e) (REQUIRES b < e; b and e never decrease between calls).
  double Slide(size_t b, size_t e) {
    if (next_ < b) next_ = b;
    for (; next_ < e; ++next_) Push(next_);
    while (head_ < q_.size() && q_[head_] < b) ++head_;
    const Point& p = head_ < q_.size() ? pts_[q_[head_]] : pts_[e - 1];
    return ts_ ? static_cast<double>(p.t) / 1000 : p.v;
  }

 private:
  SlidingExtremum(bool is_max, bool ts) : max_(is_max), ts_(ts) {}

  void Push(size_t j) {
    const double x = pts_[j].v;
    if (std::isnan(x)) return;
    // Drop the candidates x replaces: smaller ones (max), and equal ones when the latest wins.
    while (head_ < q_.size()) {
      const double y = pts_[q_.back()].v;
      const bool replaced = max_ ? (ts_ ? y <= x : y < x) : (ts_ ? y >= x : y > x);
      if (!replaced) break;
      q_.pop_back();
    }
    if (head_ > 4096 && head_ * 2 > q_.size()) {  // keep the dead prefix from growing forever
      q_.erase(q_.begin(), q_.begin() + static_cast<ptrdiff_t>(head_));
      head_ = 0;
    }
    q_.push_back(static_cast<uint32_t>(j));
  }

  bool max_, ts_;
  const Point* pts_ = nullptr;
  std::vector<uint32_t> q_;  // indexes of candidates, values monotonic from head_ on
  size_t head_ = 0;
  size_t next_ = 0;  // the next index to push
};

}  // namespace tidemark::query::eval
