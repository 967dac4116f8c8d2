// The metrics registry's text exposition (storage/model/metrics.h).
#include "tidemark/storage/model/metrics.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace tidemark
