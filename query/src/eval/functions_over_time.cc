// The *_over_time family and the range-function dispatcher.
#include <algorithm>
#include <cmath>

#include "eval/evaluator.h"

namespace tidemark::query::eval {

bool RateFunction(std::string_view name, const RangeCtx& c, double* out, bool* handled);

namespace {

// KahanInc over `p`'s values from `sum`, without its infinity handling: a sum that ever
// reaches ±Inf stays infinite or NaN, so when the result is finite no step took that branch
// and the bits are KahanInc's (callers check, and otherwise take the full path).
struct PlainKahan {
  double sum, c;
};
PlainKahan KahanWithoutInfChecks(double sum, std::span<const Point> p) {
  double c = 0;
  for (const Point& pt : p) PlainKahanInc(pt.v, sum, c);
  return {sum, c};
}

double AvgOverTime(std::span<const Point> p) {
  const PlainKahan k = KahanWithoutInfChecks(p[0].v, p.subspan(1));
  if (!std::isfinite(k.sum)) return KahanAvgOverTime(p);
  const double n = static_cast<double>(p.size());
  return k.sum / n + k.c / n;
}

double SumOverTime(std::span<const Point> p) {
  const PlainKahan k = KahanWithoutInfChecks(0, p);
  if (!std::isfinite(k.sum)) return KahanSumOverTime(p);
  return k.sum + k.c;
}

}  // namespace

double KahanSumOverTime(std::span<const Point> p) {
  double sum = 0, comp = 0;
  for (const auto& pt : p) KahanInc(pt.v, sum, comp);
  return std::isinf(sum) ? sum : sum + comp;
}

double KahanAvgOverTime(std::span<const Point> p) {
  double sum = p[0].v, count = 1, mean = 0, c = 0;
  bool incremental = false;
  for (size_t i = 1; i < p.size(); ++i) {
    count = static_cast<double>(i + 1);
    if (!incremental) {
      double ns = sum, nc = c;
      KahanInc(p[i].v, ns, nc);
      if (!std::isinf(ns)) {
        sum = ns;
        c = nc;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    double q = (count - 1) / count;
    double m = q * mean, cc = q * c;
    KahanInc(p[i].v / count, m, cc);
    mean = m;
    c = cc;
  }
  if (incremental) return mean + c;
  return sum / count + c / count;
}

namespace {

double Variance(std::span<const Point> p) {
  double count = 0, mean = 0, cmean = 0, aux = 0, caux = 0;
  for (const auto& pt : p) {
    count++;
    double delta = pt.v - (mean + cmean);
    KahanInc(delta / count, mean, cmean);
    KahanInc(delta * (pt.v - (mean + cmean)), aux, caux);
  }
  return (aux + caux) / count;
}

// max/min and their timestamps, with Prometheus' NaN handling (a NaN start is replaced).
double CompareOverTime(std::span<const Point> p, bool is_max, bool inclusive, bool ts) {
  double best = p[0].v;
  Timestamp best_t = p[0].t;
  for (const auto& pt : p) {
    bool take;
    if (is_max) {
      take = (inclusive ? pt.v >= best : pt.v > best) || std::isnan(best);
    } else {
      take = (inclusive ? pt.v <= best : pt.v < best) || std::isnan(best);
    }
    if (take) {
      best = pt.v;
      best_t = pt.t;
    }
  }
  return ts ? static_cast<double>(best_t) / 1000 : best;
}

}  // namespace

bool IsRangeFunction(std::string_view name) {
  static const char* const kNames[] = {
      "rate", "increase", "delta", "irate", "idelta", "deriv", "predict_linear",
      "double_exponential_smoothing", "holt_winters", "resets", "changes", "avg_over_time",
      "sum_over_time", "count_over_time", "min_over_time", "max_over_time", "last_over_time",
      "first_over_time", "quantile_over_time", "stddev_over_time", "stdvar_over_time",
      "present_over_time", "mad_over_time", "ts_of_max_over_time", "ts_of_min_over_time",
      "ts_of_last_over_time", "ts_of_first_over_time", "absent_over_time"};
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  return false;
}

bool RangeFunction(std::string_view name, const RangeCtx& c, double* out) {
  bool handled = false;
  bool r = RateFunction(name, c, out, &handled);
  if (handled) return r;
  const auto& p = c.points;
  if (p.empty()) return false;
  if (name == "avg_over_time") {
    *out = AvgOverTime(p);
  } else if (name == "sum_over_time") {
    *out = SumOverTime(p);
  } else if (name == "count_over_time") {
    *out = static_cast<double>(p.size());
  } else if (name == "max_over_time") {
    *out = CompareOverTime(p, true, false, false);
  } else if (name == "min_over_time") {
    *out = CompareOverTime(p, false, false, false);
  } else if (name == "ts_of_max_over_time") {
    *out = CompareOverTime(p, true, true, true);
  } else if (name == "ts_of_min_over_time") {
    *out = CompareOverTime(p, false, true, true);
  } else if (name == "last_over_time") {
    *out = p.back().v;
  } else if (name == "first_over_time") {
    *out = p.front().v;
  } else if (name == "ts_of_last_over_time") {
    *out = static_cast<double>(p.back().t) / 1000;
  } else if (name == "ts_of_first_over_time") {
    *out = static_cast<double>(p.front().t) / 1000;
  } else if (name == "quantile_over_time") {
    std::vector<double> values;
    values.reserve(p.size());
    for (const auto& pt : p) values.push_back(pt.v);
    *out = Quantile(c.scalars.at(0), std::move(values));
  } else if (name == "stddev_over_time") {
    *out = std::sqrt(Variance(p));
  } else if (name == "stdvar_over_time") {
    *out = Variance(p);
  } else if (name == "present_over_time") {
    *out = 1;
  } else if (name == "mad_over_time") {
    std::vector<double> values;
    for (const auto& pt : p) {
      if (std::isnan(pt.v)) {
        *out = std::nan("");
        return true;
      }
      values.push_back(pt.v);
    }
    double median = Quantile(0.5, values);
    for (auto& v : values) v = std::fabs(v - median);
    *out = Quantile(0.5, std::move(values));
  } else {
    Fail(StatusCode::kInternal, "unknown range function " + std::string(name));
  }
  return true;
}

}  // namespace tidemark::query::eval
