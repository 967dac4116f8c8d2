// Range queries take per-node fast paths (block-precomputed range functions, cached grouping and
// vector matching); instant queries take the per-step path. Every point of a range query must be
// bit-identical to the instant query at that step, on data with jitter, counter resets, NaNs,
// stale markers, gaps and series that start and stop inside the range.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <map>
#include <string>

#include "support/status_matchers.h"
#include "tidemark/query/engine.h"
#include "tidemark/storage/storage.h"

namespace tidemark::query {
namespace {

constexpr int64_t kStep = 15'000;
constexpr int64_t kStart = 600'000;
constexpr int64_t kEnd = 3'600'000;

uint64_t Mix(uint64_t& s) {
  s += 0x9E3779B97F4A7C15ULL;
  uint64_t z = s;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class RangeEvalEquivalenceTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    storage_ = NewMemStorage().release();
    auto app = storage_->NewAppender();
    uint64_t rng = 42;
    const char* regions[] = {"eu", "us", "ap"};
    const char* les[] = {"0.1", "0.5", "1", "+Inf"};
    for (int inst = 0; inst < 12; ++inst) {
      // Each instance scrapes with its own phase; some land exactly on step boundaries.
      const int64_t phase = inst % 4 == 0 ? 0 : static_cast<int64_t>(Mix(rng) % kStep);
      const std::string instance = "host-" + std::to_string(inst);
      const std::string region = regions[inst % 3];
      auto series = [&](Labels l, auto value_at) {
        for (int64_t k = 0; k * kStep <= kEnd + kStep; ++k) {
          // Gaps: instance 5 misses a stretch; instance 7 starts late; instance 9 stops early.
          if (inst == 5 && k > 100 && k < 130) continue;
          if (inst == 7 && k < 150) continue;
          if (inst == 9 && k > 180) break;
          int64_t jitter = static_cast<int64_t>(Mix(rng) % 7) - 3;
          int64_t t = k * kStep + phase + (inst % 4 == 0 ? 0 : jitter);
          double v = value_at(k);
          if (inst == 9 && k == 180) v = StaleNaN();
          ASSERT_TRUE(app->Append(0, l, SampleIn{0, t, v}).ok());
        }
      };
      for (int cpu = 0; cpu < 2; ++cpu) {
        for (const char* mode : {"idle", "user", "system"}) {
          double acc = inst * 1000.0;
          series(Labels{{"__name__", "cpu_seconds_total"}, {"instance", instance},
                        {"region", region}, {"cpu", std::to_string(cpu)}, {"mode", mode}},
                 [&](int64_t k) {
                   acc += static_cast<double>(Mix(rng) % 1500) / 100;
                   if (k % 97 == 13 + inst) acc = static_cast<double>(Mix(rng) % 50);  // reset
                   return acc;
                 });
        }
      }
      series(Labels{{"__name__", "mem_avail"}, {"instance", instance}, {"region", region}},
             [&](int64_t k) {
               if (inst == 3 && k % 50 == 7) return std::nan("");
               return 1e9 + static_cast<double>(Mix(rng) % 1000000) * 1000;
             });
      series(Labels{{"__name__", "mem_total"}, {"instance", instance}, {"region", region}},
             [&](int64_t) { return 4e9; });
      // Few distinct values: ties, -0 against +0, and runs of NaN (whole windows of them).
      series(Labels{{"__name__", "flappy"}, {"instance", instance}},
             [&](int64_t k) {
               if (inst % 3 == 1 && k % 40 < 25) return std::nan("");
               const double vals[] = {-0.0, 0.0, 1, 2, 2, -1, std::nan("")};
               return vals[Mix(rng) % 7];
             });
      double bucket_acc[4] = {0, 0, 0, 0};
      for (int b = 0; b < 4; ++b) {
        series(Labels{{"__name__", "req_bucket"}, {"instance", instance}, {"le", les[b]}},
               [&, b](int64_t k) {
                 bucket_acc[b] += static_cast<double>(Mix(rng) % 20) * (b + 1);
                 if (k == 200 && inst == 2) bucket_acc[b] = 0;  // app restart
                 return bucket_acc[b];
               });
      }
    }
    ASSERT_TRUE(app->Commit().ok());
  }
  static void TearDownTestSuite() {
    delete storage_;
    storage_ = nullptr;
  }

  static Storage* storage_;
};
Storage* RangeEvalEquivalenceTest::storage_ = nullptr;

std::string Key(const Labels& l) {
  std::string s;
  for (const auto& lb : l) s += lb.name + "=" + lb.value + ",";
  return s;
}

// Every point of the range query from kStart to kEnd at `step` equals the instant query then.
void ExpectRangeEqualsInstants(Storage& storage, const std::string& expr, int64_t step,
                               size_t min_points) {
  EngineOptions options;
  options.enable_experimental_functions = true;  // ts_of_max_over_time and the like
  Engine engine(storage, options);
  ASSERT_OK_AND_ASSIGN(QueryValue range, engine.RangeQuery(expr, kStart, kEnd, step));
  ASSERT_EQ(range.kind, ValueKind::kMatrix);
  std::map<std::string, std::map<int64_t, double>> got;
  size_t points = 0;
  for (const auto& s : range.matrix) {
    for (const auto& p : s.points) {
      got[Key(s.metric)][p.t] = p.v;
      ++points;
    }
  }
  EXPECT_GE(points, min_points) << "the query should produce data";
  size_t checked = 0;
  for (int64_t t = kStart; t <= kEnd; t += step) {
    ASSERT_OK_AND_ASSIGN(QueryValue inst, engine.InstantQuery(expr, t));
    ASSERT_EQ(inst.kind, ValueKind::kVector);
    for (const auto& s : inst.vector) {
      auto series = got.find(Key(s.metric));
      ASSERT_NE(series, got.end()) << Key(s.metric) << " at " << t;
      auto p = series->second.find(t);
      ASSERT_NE(p, series->second.end()) << Key(s.metric) << " at " << t;
      EXPECT_EQ(std::bit_cast<uint64_t>(p->second), std::bit_cast<uint64_t>(s.v))
          << Key(s.metric) << " at " << t << ": range " << p->second << " instant " << s.v;
      series->second.erase(p);
      ++checked;
    }
  }
  EXPECT_EQ(checked, points);
  for (const auto& [k, pts] : got) EXPECT_TRUE(pts.empty()) << k << " has extra range points";
}

TEST_P(RangeEvalEquivalenceTest, RangePointsEqualInstantQueries) {
  ExpectRangeEqualsInstants(*storage_, GetParam(), kStep, 100);
}

// Steps longer than most windows (and not a multiple of the scrape interval): the range path
// skips samples that no step's window holds, which must not change a single point.
TEST_P(RangeEvalEquivalenceTest, LongStepsSkippingSamplesGiveTheSamePoints) {
  ExpectRangeEqualsInstants(*storage_, GetParam(), 7 * 60'000 + 7'000, 7);
}

INSTANTIATE_TEST_SUITE_P(
    DashboardQueries, RangeEvalEquivalenceTest,
    ::testing::Values(
        "sum by (instance) (rate(cpu_seconds_total{mode!=\"idle\"}[5m]))",
        "sum by (region) (increase(cpu_seconds_total[2m]))",
        "rate(cpu_seconds_total[1m] offset 1m)",
        "delta(mem_avail[5m])",
        "histogram_quantile(0.9, sum by (le) (rate(req_bucket[5m])))",
        "sum(rate(req_bucket{le=\"0.5\"}[5m])) / sum(rate(req_bucket{le=\"+Inf\"}[5m]))",
        "avg by (region) (1 - mem_avail / mem_total) * 100",
        "mem_avail / on (instance) group_left (region) mem_total",
        "min by (instance) (deriv(mem_avail[30m]))",
        "deriv(mem_avail[30m])",
        "deriv(flappy[5m] offset 30s)",
        "max_over_time(mem_avail[15m])",
        "max_over_time(flappy[2m])",
        "min_over_time(flappy[5m])",
        "ts_of_max_over_time(flappy[3m])",
        "ts_of_min_over_time(flappy[1m] offset 30s)",
        "quantile_over_time(0.9, mem_avail[10m])",
        "quantile_over_time(0.5, flappy[3m])",
        "quantile_over_time(0, flappy[2m] offset 30s)",
        "quantile_over_time(1, cpu_seconds_total{mode=\"user\"}[5m])",
        "quantile_over_time(0.25, cpu_seconds_total{mode=\"user\"}[30s])",
        "quantile_over_time(-1, mem_avail[5m])",
        "quantile_over_time(2, flappy[5m])",
        "avg_over_time(mem_avail[10m])",
        "count_over_time(cpu_seconds_total{cpu=\"0\"}[1m])",
        "last_over_time(mem_avail[1m])",
        "irate(cpu_seconds_total{mode=\"user\"}[1m])",
        "predict_linear(mem_avail[10m], 3600)",
        "topk(3, rate(cpu_seconds_total[5m]))",
        "count by (region) (mem_total)",
        "stddev by (region) (mem_avail)",
        "rate(cpu_seconds_total[5m]) > 0.5",
        "max_over_time(rate(cpu_seconds_total{mode=\"user\"}[1m])[5m:30s])",
        // Binary operators: matching state is kept across steps, so series that miss steps
        // (gaps, late start, stale end), NaNs, bool and filtering comparisons, set operators
        // and group_left/right must give every step's instant answer.
        "1 - mem_avail / mem_total",
        "mem_avail / on (instance) mem_total > bool 0.5",
        "mem_avail / ignoring (region) mem_total <= 0.6",
        "mem_avail > 1.5e9",
        "1.5e9 >= bool mem_avail",
        "2 * flappy",
        "flappy == flappy",
        "cpu_seconds_total / on (instance, cpu) group_left cpu_seconds_total{mode=\"idle\"}",
        "mem_total * on (instance) group_right (region) rate(cpu_seconds_total[5m])",
        "rate(cpu_seconds_total[5m]) > bool on (instance, cpu, mode) rate(cpu_seconds_total[1m])",
        "mem_avail and on (instance) (flappy > 0)",
        "mem_avail unless on (instance) flappy == 2",
        "flappy or on (instance) mem_avail",
        "sum by (region) (mem_avail) / on (region) group_left count by (region) (cpu_seconds_total)",
        // `@`: what reads only pinned data is evaluated once and reused at every step; what reads
        // the step's time (time(), timestamp() of a computed vector) must not be.
        "rate(cpu_seconds_total[5m] @ 1800)",
        "sum by (region) (rate(cpu_seconds_total[5m])) / sum by (region) (rate(cpu_seconds_total[5m] @ 1800))",
        "mem_avail @ 1200 - mem_avail",
        "timestamp(mem_avail @ 1200)",
        "timestamp(sum by (region) (mem_avail @ 1200))",
        "time() - max(mem_avail @ 1200)",
        "topk(2, mem_avail @ 3000) or flappy",
        "max_over_time(rate(cpu_seconds_total{mode=\"user\"}[1m])[5m:30s] @ 2400)",
        "max_over_time((mem_avail @ 1800)[5m:1m]) + mem_total"));

}  // namespace
}  // namespace tidemark::query
