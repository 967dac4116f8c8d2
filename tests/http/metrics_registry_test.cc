// The metrics registry's text exposition (storage/model/metrics.h).
#include "tidemark/storage/model/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tidemark {
namespace {

TEST(MetricsRegistryTest, ExposesFamiliesSorted) {
  MetricsRegistry reg;
  reg.GetCounter("b_total", "B things.", {"code"}, {"200"})->Inc(3);
  reg.GetCounter("b_total", "B things.", {"code"}, {"500"})->Inc();
  reg.GetGauge("a_gauge", "A gauge.")->Set(1e6);
  Histogram* h = reg.GetHistogram("c_seconds", "C latency.", {0.1, 1}, {"h"}, {"q\"x"});
  h->Observe(0.05);
  h->Observe(0.5);
  h->Observe(5);
  reg.AddCollector([](std::string& out) { AppendSimpleMetric(out, "d", "gauge", "D.", 0.25); });
  EXPECT_EQ(reg.Expose(),
            "# HELP a_gauge A gauge.\n# TYPE a_gauge gauge\na_gauge 1e+06\n"
            "# HELP b_total B things.\n# TYPE b_total counter\n"
            "b_total{code=\"200\"} 3\nb_total{code=\"500\"} 1\n"
            "# HELP c_seconds C latency.\n# TYPE c_seconds histogram\n"
            "c_seconds_bucket{h=\"q\\\"x\",le=\"0.1\"} 1\n"
            "c_seconds_bucket{h=\"q\\\"x\",le=\"1\"} 2\n"
            "c_seconds_bucket{h=\"q\\\"x\",le=\"+Inf\"} 3\n"
            "c_seconds_sum{h=\"q\\\"x\"} 5.55\nc_seconds_count{h=\"q\\\"x\"} 3\n"
            "# HELP d D.\n# TYPE d gauge\nd 0.25\n");
}

TEST(MetricsRegistryTest, SameChildForSameLabels) {
  MetricsRegistry reg;
  EXPECT_EQ(reg.GetCounter("x", "h", {"a"}, {"1"}), reg.GetCounter("x", "h", {"a"}, {"1"}));
  EXPECT_NE(reg.GetCounter("x", "h", {"a"}, {"1"}), reg.GetCounter("x", "h", {"a"}, {"2"}));
}

// Quantiles come from the observations inside the window, on an injected clock; sum and count
// keep everything.
TEST(SummaryTest, QuantilesOverTheWindowSumAndCountOverAll) {
  int64_t now = 0;
  Summary s([&now] { return now; }, /*max_age_ms=*/1000, /*max_samples=*/100);
  Summary::Snapshot empty = s.Snap();
  ASSERT_EQ(empty.quantiles.size(), 3u);
  EXPECT_TRUE(std::isnan(empty.quantiles[0].second));
  for (int v = 1; v <= 10; ++v) s.Observe(v);
  Summary::Snapshot a = s.Snap();
  EXPECT_EQ(a.quantiles[0], std::make_pair(0.5, 5.0));
  EXPECT_EQ(a.quantiles[1], std::make_pair(0.9, 9.0));
  EXPECT_EQ(a.quantiles[2], std::make_pair(0.99, 10.0));
  EXPECT_EQ(a.count, 10u);
  EXPECT_EQ(a.sum, 55);
  now = 1500;  // the first ten leave the window
  s.Observe(100);
  Summary::Snapshot b = s.Snap();
  EXPECT_EQ(b.quantiles[0].second, 100);
  EXPECT_EQ(b.count, 11u);
  EXPECT_EQ(b.sum, 155);
  now = 5000;
  EXPECT_TRUE(std::isnan(s.Snap().quantiles[2].second));
}

TEST(SummaryTest, KeepsOnlyTheNewestSamples) {
  int64_t now = 0;
  Summary s([&now] { return now; }, 60'000, /*max_samples=*/4);
  for (int v = 1; v <= 8; ++v) s.Observe(v);
  EXPECT_EQ(s.Snap().quantiles[0].second, 6);  // median of 5..8 by nearest rank
}

TEST(SummaryTest, ExposedWithQuantileLabel) {
  MetricsRegistry reg;
  reg.GetSummary("e_seconds", "E.", {"slice"}, {"inner_eval"})->Observe(2);
  EXPECT_EQ(reg.Expose(),
            "# HELP e_seconds E.\n# TYPE e_seconds summary\n"
            "e_seconds{slice=\"inner_eval\",quantile=\"0.5\"} 2\n"
            "e_seconds{slice=\"inner_eval\",quantile=\"0.9\"} 2\n"
            "e_seconds{slice=\"inner_eval\",quantile=\"0.99\"} 2\n"
            "e_seconds_sum{slice=\"inner_eval\"} 2\ne_seconds_count{slice=\"inner_eval\"} 1\n");
}

}  // namespace
}  // namespace tidemark
