// avg_over_time and sum_over_time take a Kahan loop without infinity checks when the sum stays
// finite; every window must give the bits of the full KahanInc path (the code every window
// took before), including NaN, ±Inf, overflow to Inf, -0 and denormals.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "eval/evaluator.h"

namespace tidemark::query::eval {
namespace {

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

TEST(OverTimeSumsTest, EveryWindowHasTheReferenceBits) {
  const double inf = std::numeric_limits<double>::infinity();
  const double special[] = {std::nan(""), inf, -inf, 1.7e308, -1.7e308, -0.0, 0.0,
                            4.9e-324, -4.9e-324, 1e16, -1e16, 1.0, 3.0};
  uint64_t rng = 7;
  auto next = [&rng] {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return rng >> 33;
  };
  size_t windows = 0, nonfinite = 0;
  for (int run = 0; run < 200; ++run) {
    std::vector<Point> pts;
    const size_t n = 1 + next() % 60;
    for (size_t i = 0; i < n; ++i) {
      double v;
      if (next() % 8 == 0) {
        v = special[next() % std::size(special)];
      } else {
        v = (static_cast<double>(next() % 2000000) - 1e6) * (run % 3 == 0 ? 1e-3 : 1e290);
      }
      pts.push_back({static_cast<Timestamp>(i * 15000), v});
    }
    for (size_t b = 0; b < n; ++b) {
      for (size_t e = b + 1; e <= n; ++e) {
        RangeCtx c;
        c.points = std::span<const Point>(pts.data() + b, e - b);
        double got_sum = 0, got_avg = 0;
        ASSERT_TRUE(RangeFunction("sum_over_time", c, &got_sum));
        ASSERT_TRUE(RangeFunction("avg_over_time", c, &got_avg));
        const double want_sum = KahanSumOverTime(c.points),
                     want_avg = KahanAvgOverTime(c.points);
        ASSERT_EQ(Bits(got_sum), Bits(want_sum)) << "run " << run << " window [" << b << ", " << e << ")";
        ASSERT_EQ(Bits(got_avg), Bits(want_avg)) << "run " << run << " window [" << b << ", " << e << ")";
        ++windows;
        nonfinite += !std::isfinite(want_sum);
      }
    }
  }
  // Both paths must have been taken many times.
  EXPECT_GT(nonfinite, 1000u);
  EXPECT_GT(windows - nonfinite, 1000u);
}

}  // namespace
}  // namespace tidemark::query::eval
