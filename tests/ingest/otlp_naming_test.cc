// Translation table for OTLP metric names, units and attribute keys (docs/ingest.md).
#include <gtest/gtest.h>

#include "otlp_model.h"
#include "otlp_naming.h"

namespace tidemark::ingest {
namespace {

struct NameCase {
  std::string name;
  std::string unit;
  OtlpMetricKind kind;
  bool monotonic;
  std::string want;
};

TEST(OtlpNamingTest, MetricNames) {
  const NameCase cases[] = {
      {"http.server.duration", "s", OtlpMetricKind::kHistogram, false, "http_server_duration_seconds"},
      {"http.server.duration", "ms", OtlpMetricKind::kHistogram, false, "http_server_duration_milliseconds"},
      {"requests", "{request}", OtlpMetricKind::kSum, true, "requests_total"},
      {"requests_total", "", OtlpMetricKind::kSum, true, "requests_total"},
      {"total_requests", "", OtlpMetricKind::kSum, true, "requests_total"},
      {"active", "{conn}", OtlpMetricKind::kSum, false, "active"},
      {"memory.usage", "By", OtlpMetricKind::kGauge, false, "memory_usage_bytes"},
      {"memory_bytes", "By", OtlpMetricKind::kGauge, false, "memory_bytes"},
      {"cpu.utilization", "1", OtlpMetricKind::kGauge, false, "cpu_utilization_ratio"},
      {"cpu.utilization", "1", OtlpMetricKind::kSum, false, "cpu_utilization"},
      {"disk.io", "By/s", OtlpMetricKind::kSum, true, "disk_io_bytes_per_second_total"},
      {"throughput", "KiBy/h", OtlpMetricKind::kGauge, false, "throughput_kibibytes_per_hour"},
      {"errors", "{error}/s", OtlpMetricKind::kGauge, false, "errors_per_second"},
      {"temp", "Cel", OtlpMetricKind::kGauge, false, "temp_celsius"},
      {"load", "%", OtlpMetricKind::kGauge, false, "load_percent"},
      {"odd", "foo.bar", OtlpMetricKind::kGauge, false, "odd_foo_bar"},
      {"a..b__c--d", "", OtlpMetricKind::kGauge, false, "a_b_c_d"},
      {"_leading_", "", OtlpMetricKind::kGauge, false, "leading"},
      {"2xx.count", "", OtlpMetricKind::kGauge, false, "_2xx_count"},
      {"ns:metric", "", OtlpMetricKind::kGauge, false, "ns:metric"},
      {"café.temp", "", OtlpMetricKind::kGauge, false, "caf_temp"},
      {"...", "", OtlpMetricKind::kGauge, false, ""},
  };
  for (const NameCase& c : cases) {
    OtlpMetric m;
    m.name = c.name;
    m.unit = c.unit;
    m.kind = c.kind;
    m.monotonic = c.monotonic;
    EXPECT_EQ(PrometheusMetricName(m, true), c.want) << c.name << " [" << c.unit << "]";
  }
}

TEST(OtlpNamingTest, SuffixesCanBeDisabled) {
  OtlpMetric m;
  m.name = "http.requests";
  m.unit = "s";
  m.kind = OtlpMetricKind::kSum;
  m.monotonic = true;
  EXPECT_EQ(PrometheusMetricName(m, false), "http_requests");
}

TEST(OtlpNamingTest, LabelNames) {
  EXPECT_EQ(PrometheusLabelName("http.method"), "http_method");
  EXPECT_EQ(PrometheusLabelName("k8s.pod.name"), "k8s_pod_name");
  EXPECT_EQ(PrometheusLabelName("2xx"), "key_2xx");
  EXPECT_EQ(PrometheusLabelName("_private"), "key_private");
  EXPECT_EQ(PrometheusLabelName("__reserved"), "__reserved");
  EXPECT_EQ(PrometheusLabelName("a-b c"), "a_b_c");
  EXPECT_EQ(PrometheusLabelName(""), "");
}

TEST(OtlpNamingTest, Units) {
  EXPECT_EQ(PrometheusUnit("s"), "seconds");
  EXPECT_EQ(PrometheusUnit("By/s"), "bytes_per_second");
  EXPECT_EQ(PrometheusUnit("{req}/s"), "per_second");
  EXPECT_EQ(PrometheusUnit("1"), "");
  EXPECT_EQ(PrometheusUnit("{thing}"), "");
}

}  // namespace
}  // namespace tidemark::ingest
