// deriv over many windows at once (DerivSlopes, four windows per AVX2 vector where the CPU has
// it) and the one-window LinearRegression must give the bits of Prometheus' regression: every
// sample through the compensated sum with its infinity branch. Windows of unequal length, equal
// values, NaN, ±Inf, overflowing sums and jittered timestamps.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "eval/linear_regression.h"

namespace tidemark::query::eval {
namespace {

// The bits, except that every NaN is one: which operand's NaN an operation passes on (and with
// it the sign) depends on the compiler's operand order, and the API shows them all as "NaN".
uint64_t Bits(double v) { return std::isnan(v) ? 1 : std::bit_cast<uint64_t>(v); }

// Prometheus' linearRegression, written out plainly.
void Reference(std::span<const Point> s, Timestamp intercept_time, double* slope,
               double* intercept) {
  double n = 0, sx = 0, cx = 0, sy = 0, cy = 0, sxy = 0, cxy = 0, sx2 = 0, cx2 = 0;
  const double init_y = s[0].v;
  bool const_y = true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (const_y && i > 0 && s[i].v != init_y) const_y = false;
    n += 1.0;
    const double x = static_cast<double>(s[i].t - intercept_time) / 1e3;
    KahanInc(x, sx, cx);
    KahanInc(s[i].v, sy, cy);
    KahanInc(x * s[i].v, sxy, cxy);
    KahanInc(x * x, sx2, cx2);
  }
  if (const_y) {
    *slope = *intercept = std::isinf(init_y) ? std::nan("") : 0;
    if (!std::isinf(init_y)) *intercept = init_y;
    return;
  }
  sx += cx;
  sy += cy;
  sxy += cxy;
  sx2 += cx2;
  *slope = (sxy - sx * sy / n) / (sx2 - sx * sx / n);
  *intercept = sy / n - *slope * sx / n;
}

TEST(LinearRegressionTest, EveryWindowHasPrometheusBits) {
  const double inf = std::numeric_limits<double>::infinity();
  const double special[] = {std::nan(""), inf, -inf, 1.7e308, -1.7e308, -0.0, 0.0, 4.9e-324, 1e16};
  uint64_t rng = 5;
  auto next = [&rng] {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return rng >> 33;
  };
  size_t windows = 0, constant = 0, nonfinite = 0;
  for (int run = 0; run < 300; ++run) {
    std::vector<Point> pts;
    const size_t n = 2 + next() % 150;
    double v = 1e9;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t kind = next() % 16;
      if (run % 4 == 0 && kind == 0) {
        v = special[next() % std::size(special)];
      } else if (run % 4 == 1) {
        if (kind < 2) v -= 4096 * static_cast<double>(next() % 256);  // a slowly draining gauge
      } else if (run % 4 == 2) {
        v = (static_cast<double>(next() % 2000000) - 1e6) * 1e300;
      } else if (kind < 12) {
        v = static_cast<double>(next() % 100000) / 7;
      }
      pts.push_back({static_cast<Timestamp>(i * 15000 + next() % 2000), v});
    }
    // Sliding windows as steps make them, then arbitrary ones, in any order.
    std::vector<PointRange> ranges;
    const uint32_t width = 2 + static_cast<uint32_t>(next() % n);
    for (uint32_t e = 2; e <= n; ++e) ranges.push_back({e > width ? e - width : 0, e});
    for (int i = 0; i < 40; ++i) {
      const uint32_t b = static_cast<uint32_t>(next() % (n - 1));
      ranges.push_back({b, b + 2 + static_cast<uint32_t>(next() % (n - b - 1))});
    }
    std::vector<double> slopes(ranges.size());
    DerivSlopes(pts, ranges, slopes.data());
    for (size_t i = 0; i < ranges.size(); ++i) {
      const std::span<const Point> w(pts.data() + ranges[i].begin, ranges[i].end - ranges[i].begin);
      double want, want_intercept, got, got_intercept;
      Reference(w, w[0].t, &want, &want_intercept);
      ASSERT_EQ(Bits(slopes[i]), Bits(want))
          << "run " << run << " window [" << ranges[i].begin << ", " << ranges[i].end << ")";
      // predict_linear's form: another intercept time, and the intercept too.
      const Timestamp at = w.back().t + 60000;
      Reference(w, at, &want, &want_intercept);
      LinearRegression(w, at, &got, &got_intercept);
      ASSERT_EQ(Bits(got), Bits(want)) << "run " << run << " window " << i;
      ASSERT_EQ(Bits(got_intercept), Bits(want_intercept)) << "run " << run << " window " << i;
      ++windows;
      constant += want == 0;
      nonfinite += !std::isfinite(want);
    }
  }
  // Every kind of window must have come up often.
  EXPECT_GT(constant, 500u);
  EXPECT_GT(nonfinite, 500u);
  EXPECT_GT(windows - constant - nonfinite, 5000u);
}

}  // namespace
}  // namespace tidemark::query::eval
