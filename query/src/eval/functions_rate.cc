// Counter and gauge trend functions over a range window: rate, increase, delta, irate, idelta,
// deriv, predict_linear, double_exponential_smoothing, resets, changes.
#include <cmath>

#include "eval/evaluator.h"
#include "eval/linear_regression.h"

namespace tidemark::query::eval {

// Prometheus' extrapolated rate: extends the sampled interval towards the window edges
// (at most half an average sample interval, and never below zero for counters).
bool ExtrapolatedRate(const RangeCtx& c, bool is_counter, bool is_rate, bool may_have_resets,
                      double* out) {
  const auto& p = c.points;
  if (p.size() < 2) return false;
  double result = p.back().v - p.front().v;
  if (is_counter && may_have_resets) {
    for (size_t i = 1; i < p.size(); ++i) {
      if (p[i].v < p[i - 1].v) result += p[i - 1].v;
    }
  }
  double duration_to_start = static_cast<double>(p.front().t - c.range_start) / 1000;
  double duration_to_end = static_cast<double>(c.range_end - p.back().t) / 1000;
  double sampled_interval = static_cast<double>(p.back().t - p.front().t) / 1000;
  double avg_between = sampled_interval / static_cast<double>(p.size() - 1);
  double threshold = avg_between * 1.1;
  if (duration_to_start >= threshold) duration_to_start = avg_between / 2;
  if (is_counter) {
    double duration_to_zero = duration_to_start;
    if (result > 0 && p.front().v >= 0) duration_to_zero = sampled_interval * (p.front().v / result);
    if (duration_to_zero < duration_to_start) duration_to_start = duration_to_zero;
  }
  if (duration_to_end >= threshold) duration_to_end = avg_between / 2;
  double factor = 1.0;
  if (sampled_interval != 0) {
    factor = (sampled_interval + duration_to_start + duration_to_end) / sampled_interval;
  }
  if (is_rate) factor /= static_cast<double>(c.range_ms) / 1000;
  *out = result * factor;
  return true;
}

namespace {

bool InstantValue(const RangeCtx& c, bool is_rate, double* out) {
  const auto& p = c.points;
  if (p.size() < 2) return false;
  const Point& prev = p[p.size() - 2];
  const Point& last = p[p.size() - 1];
  int64_t interval = last.t - prev.t;
  if (interval == 0) return false;
  double v = last.v;
  if (!is_rate || !(last.v < prev.v)) v = last.v - prev.v;
  if (is_rate) v /= static_cast<double>(interval) / 1000;
  *out = v;
  return true;
}

bool DoubleExponentialSmoothing(const RangeCtx& c, double* out) {
  double sf = c.scalars.at(0), tf = c.scalars.at(1);
  if (sf <= 0 || sf >= 1) FailExec("invalid smoothing factor. Expected: 0 < sf < 1, got: " + FormatFloat(sf, 'f', 6));
  if (tf <= 0 || tf >= 1) FailExec("invalid trend factor. Expected: 0 < tf < 1, got: " + FormatFloat(tf, 'f', 6));
  const auto& p = c.points;
  if (p.size() < 2) return false;
  double s0 = 0, s1 = p[0].v, b = p[1].v - p[0].v;
  for (size_t i = 1; i < p.size(); ++i) {
    double x = sf * p[i].v;
    if (i - 1 != 0) b = tf * (s1 - s0) + (1 - tf) * b;
    double y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  *out = s1;
  return true;
}

}  // namespace

bool RateFunction(std::string_view name, const RangeCtx& c, double* out, bool* handled) {
  *handled = true;
  if (name == "rate") return ExtrapolatedRate(c, true, true, true, out);
  if (name == "increase") return ExtrapolatedRate(c, true, false, true, out);
  if (name == "delta") return ExtrapolatedRate(c, false, false, true, out);
  if (name == "irate") return InstantValue(c, true, out);
  if (name == "idelta") return InstantValue(c, false, out);
  if (name == "deriv") {
    if (c.points.size() < 2) return false;
    double slope, intercept;
    LinearRegression(c.points, c.points[0].t, &slope, &intercept);
    *out = slope;
    return true;
  }
  if (name == "predict_linear") {
    if (c.points.size() < 2) return false;
    double slope, intercept;
    LinearRegression(c.points, c.ts, &slope, &intercept);
    *out = slope * c.scalars.at(0) + intercept;
    return true;
  }
  if (name == "double_exponential_smoothing" || name == "holt_winters") {
    return DoubleExponentialSmoothing(c, out);
  }
  if (name == "resets") {
    if (c.points.empty()) return false;
    int n = 0;
    for (size_t i = 1; i < c.points.size(); ++i) n += c.points[i].v < c.points[i - 1].v;
    *out = n;
    return true;
  }
  if (name == "changes") {
    if (c.points.empty()) return false;
    int n = 0;
    for (size_t i = 1; i < c.points.size(); ++i) {
      double a = c.points[i - 1].v, b = c.points[i].v;
      if (a != b && !(std::isnan(a) && std::isnan(b))) ++n;
    }
    *out = n;
    return true;
  }
  *handled = false;
  return false;
}

}  // namespace tidemark::query::eval
