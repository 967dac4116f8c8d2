// Quantiles and fractions over classic histograms (`le` buckets), incl. monotonicity fixes.
#include <algorithm>
#include <cmath>

#include "eval/evaluator.h"

namespace tidemark::query::eval {
namespace {

constexpr double kSmallDeltaTolerance = 1e-12;
constexpr double kMinNormal = 2.2250738585072014e-308;

bool AlmostEqual(double a, double b, double epsilon) {
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  double abs_sum = std::fabs(a) + std::fabs(b);
  double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < kMinNormal) return diff < epsilon * kMinNormal;
  return diff / std::min(abs_sum, std::numeric_limits<double>::max()) < epsilon;
}

void SortAndCoalesce(std::vector<Bucket>& buckets) {
  std::stable_sort(buckets.begin(), buckets.end(),
                   [](const Bucket& a, const Bucket& b) { return a.upper_bound < b.upper_bound; });
  size_t i = 0;
  Bucket last = buckets[0];
  for (size_t k = 1; k < buckets.size(); ++k) {
    if (buckets[k].upper_bound == last.upper_bound) {
      last.count += buckets[k].count;
    } else {
      buckets[i++] = last;
      last = buckets[k];
    }
  }
  buckets[i] = last;
  buckets.resize(i + 1);
}

}  // namespace

BucketQuantileResult BucketQuantile(double q, std::vector<Bucket> buckets) {
  BucketQuantileResult r{std::nan(""), false};
  if (std::isnan(q)) return r;
  if (q < 0) return {-std::numeric_limits<double>::infinity(), false};
  if (q > 1) return {std::numeric_limits<double>::infinity(), false};
  if (buckets.empty()) return r;
  std::stable_sort(buckets.begin(), buckets.end(),
                   [](const Bucket& a, const Bucket& b) { return a.upper_bound < b.upper_bound; });
  if (!(std::isinf(buckets.back().upper_bound) && buckets.back().upper_bound > 0)) return r;
  SortAndCoalesce(buckets);
  // Force monotonicity; tiny floating point regressions are fixed silently.
  double prev = buckets[0].count;
  for (size_t i = 1; i < buckets.size(); ++i) {
    double curr = buckets[i].count;
    if (curr == prev) continue;
    if (AlmostEqual(prev, curr, kSmallDeltaTolerance)) {
      buckets[i].count = prev;
      continue;
    }
    if (curr < prev) {
      buckets[i].count = prev;
      r.forced_monotonic = true;
      continue;
    }
    prev = curr;
  }
  if (buckets.size() < 2) return r;
  double observations = buckets.back().count;
  if (observations == 0) return r;
  double rank = q * observations;
  size_t n = buckets.size() - 1;
  size_t b = 0;
  while (b < n && !(buckets[b].count >= rank)) ++b;
  if (b == buckets.size() - 1) {
    r.value = buckets[buckets.size() - 2].upper_bound;
  } else if (b == 0 && buckets[0].upper_bound <= 0) {
    r.value = buckets[0].upper_bound;
  } else {
    double bucket_start = 0;
    double bucket_end = buckets[b].upper_bound;
    double count = buckets[b].count;
    if (b > 0) {
      bucket_start = buckets[b - 1].upper_bound;
      count -= buckets[b - 1].count;
      rank -= buckets[b - 1].count;
    }
    r.value = bucket_start + (bucket_end - bucket_start) * (rank / count);
  }
  return r;
}

double BucketFraction(double lower, double upper, std::vector<Bucket> buckets) {
  if (buckets.empty()) return std::nan("");
  std::stable_sort(buckets.begin(), buckets.end(),
                   [](const Bucket& a, const Bucket& b) { return a.upper_bound < b.upper_bound; });
  if (!(std::isinf(buckets.back().upper_bound) && buckets.back().upper_bound > 0)) {
    return std::nan("");
  }
  SortAndCoalesce(buckets);
  double count = buckets.back().count;
  if (count == 0 || std::isnan(lower) || std::isnan(upper)) return std::nan("");
  if (lower >= upper) return 0;
  double rank = 0, lower_rank = 0, upper_rank = 0;
  bool lower_set = false, upper_set = false;
  double lower_bound = buckets[0].upper_bound <= 0 ? -std::numeric_limits<double>::infinity() : 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    const Bucket& b = buckets[i];
    if (i > 0) lower_bound = buckets[i - 1].upper_bound;
    double upper_bound = b.upper_bound;
    auto interpolate = [&](double v) {
      if (std::isinf(lower_bound) && lower_bound < 0) return b.count;
      return rank + (b.count - rank) * (v - lower_bound) / (upper_bound - lower_bound);
    };
    if (!lower_set && lower_bound >= lower) {
      lower_rank = rank;
      lower_set = true;
    }
    if (!upper_set && lower_bound >= upper) {
      upper_rank = rank;
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    if (!lower_set && lower_bound < lower && upper_bound > lower) {
      lower_rank = interpolate(lower);
      lower_set = true;
    }
    if (!upper_set && lower_bound < upper && upper_bound > upper) {
      upper_rank = interpolate(upper);
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    rank = b.count;
  }
  if (!lower_set || lower_rank > count) lower_rank = count;
  if (!upper_set || upper_rank > count) upper_rank = count;
  return (upper_rank - lower_rank) / count;
}

}  // namespace tidemark::query::eval
