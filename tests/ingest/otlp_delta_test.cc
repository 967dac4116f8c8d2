// OTLP delta temporality: the per-stream accumulator (the collector's deltatocumulative rules),
// its use by the Ingester, the `otlp:` resource-attribute settings, and rate-limited reject logs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "delta_to_cumulative.h"
#include "ingest_test_util.h"
#include "reject_log.h"
#include "tidemark/ingest/ingester.h"

namespace tidemark::ingest {
namespace {

using testing::Dump;
using testing::DumpStore;
using Outcome = DeltaToCumulative::Outcome;

constexpr uint64_t kSec = 1'000'000'000ULL;
constexpr uint64_t kNs0 = 1'700'000'000ULL * kSec;
constexpr int64_t kT0 = 1'700'000'000'000;

TEST(DeltaToCumulativeTest, RunningSumKeepsTheStreamStart) {
  int64_t now = 0;
  DeltaToCumulative d(10, 60'000, [&] { return now; });
  DeltaToCumulative::Number total;
  ASSERT_EQ(d.AddNumber("s", {kNs0, kNs0 + 10 * kSec, 3}, &total), Outcome::kOk);
  EXPECT_EQ(total.value, 3);
  ASSERT_EQ(d.AddNumber("s", {kNs0 + 10 * kSec, kNs0 + 20 * kSec, 4}, &total), Outcome::kOk);
  EXPECT_EQ(total.value, 7);
  EXPECT_EQ(total.start_ns, kNs0);
  EXPECT_EQ(total.time_ns, kNs0 + 20 * kSec);
  // A gap (start after the last point) still adds: the points in between were lost, not reset.
  ASSERT_EQ(d.AddNumber("s", {kNs0 + 30 * kSec, kNs0 + 40 * kSec, 1}, &total), Outcome::kOk);
  EXPECT_EQ(total.value, 8);
  // Other streams are independent.
  ASSERT_EQ(d.AddNumber("t", {kNs0, kNs0 + 10 * kSec, 100}, &total), Outcome::kOk);
  EXPECT_EQ(total.value, 100);
  EXPECT_EQ(d.streams(), 2u);
}

TEST(DeltaToCumulativeTest, OlderStartAndOutOfOrderAreDropped) {
  int64_t now = 0;
  DeltaToCumulative d(10, 60'000, [&] { return now; });
  DeltaToCumulative::Number total;
  ASSERT_EQ(d.AddNumber("s", {kNs0 + 10 * kSec, kNs0 + 20 * kSec, 5}, &total), Outcome::kOk);
  EXPECT_EQ(d.AddNumber("s", {kNs0, kNs0 + 30 * kSec, 1}, &total), Outcome::kOlderStart);
  EXPECT_EQ(d.AddNumber("s", {kNs0 + 10 * kSec, kNs0 + 20 * kSec, 1}, &total), Outcome::kOutOfOrder);
  EXPECT_EQ(d.AddNumber("s", {kNs0 + 10 * kSec, kNs0 + 15 * kSec, 1}, &total), Outcome::kOutOfOrder);
  ASSERT_EQ(d.AddNumber("s", {kNs0 + 20 * kSec, kNs0 + 30 * kSec, 2}, &total), Outcome::kOk);
  EXPECT_EQ(total.value, 7);  // the dropped points did not count
}

TEST(DeltaToCumulativeTest, StaleStreamsAreForgottenAndTheLimitHolds) {
  int64_t now = 0;
  DeltaToCumulative d(2, 60'000, [&] { return now; });
  DeltaToCumulative::Number total;
  ASSERT_EQ(d.AddNumber("a", {kNs0, kNs0 + kSec, 1}, &total), Outcome::kOk);
  ASSERT_EQ(d.AddNumber("b", {kNs0, kNs0 + kSec, 1}, &total), Outcome::kOk);
  EXPECT_EQ(d.AddNumber("c", {kNs0, kNs0 + kSec, 1}, &total), Outcome::kTooManyStreams);
  now = 30'000;
  ASSERT_EQ(d.AddNumber("a", {kNs0 + kSec, kNs0 + 2 * kSec, 1}, &total), Outcome::kOk);
  EXPECT_EQ(total.value, 2);
  now = 70'000;  // b is stale (70 s idle), a is not (40 s)
  ASSERT_EQ(d.AddNumber("c", {kNs0, kNs0 + kSec, 1}, &total), Outcome::kOk);
  EXPECT_EQ(d.streams(), 2u);
  now = 200'000;  // a went stale: its next point starts a new total
  ASSERT_EQ(d.AddNumber("a", {kNs0 + 2 * kSec, kNs0 + 3 * kSec, 5}, &total), Outcome::kOk);
  EXPECT_EQ(total.value, 5);
  EXPECT_EQ(total.start_ns, kNs0 + 2 * kSec);
}

TEST(DeltaToCumulativeTest, HistogramsAddBucketwiseAndResetOnNewBounds) {
  int64_t now = 0;
  DeltaToCumulative d(10, 60'000, [&] { return now; });
  DeltaToCumulative::Histogram total;
  ASSERT_EQ(d.AddHistogram("h", {kNs0, kNs0 + kSec, 3, true, 30, {10, 100}, {1, 1, 1}}, &total), Outcome::kOk);
  ASSERT_EQ(d.AddHistogram("h", {kNs0 + kSec, kNs0 + 2 * kSec, 2, true, 5, {10, 100}, {2, 0, 0}}, &total),
            Outcome::kOk);
  EXPECT_EQ(total.count, 5u);
  EXPECT_EQ(total.sum, 35);
  EXPECT_EQ(total.buckets, (std::vector<uint64_t>{3, 1, 1}));
  EXPECT_EQ(total.start_ns, kNs0);
  ASSERT_EQ(d.AddHistogram("h", {kNs0 + 2 * kSec, kNs0 + 3 * kSec, 1, true, 1, {1}, {1, 0}}, &total),
            Outcome::kOk);
  EXPECT_EQ(total.count, 1u);
  EXPECT_EQ(total.bounds, (std::vector<double>{1}));
}

TEST(DeltaStreamKeyTest, AttributeOrderDoesNotMatterButValuesDo) {
  OtlpMetric m;
  m.name = "x";
  m.kind = OtlpMetricKind::kSum;
  std::string a = DeltaStreamKey({{"r", "1"}}, "s", "1", m, {{"a", "1"}, {"b", "2"}});
  std::string b = DeltaStreamKey({{"r", "1"}}, "s", "1", m, {{"b", "2"}, {"a", "1"}});
  std::string c = DeltaStreamKey({{"r", "2"}}, "s", "1", m, {{"a", "1"}, {"b", "2"}});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

// A delta counter request at `t` seconds after kNs0 covering (t - 10, t].
std::string DeltaSum(int t, int start, double v) {
  auto ns = [](int s) { return std::to_string(kNs0 + static_cast<uint64_t>(s) * kSec); };
  return R"({"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
    "scopeMetrics":[{"metrics":[{"name":"jobs.done","sum":{"aggregationTemporality":1,"isMonotonic":true,
    "dataPoints":[{"startTimeUnixNano":")" + ns(start) + R"(","timeUnixNano":")" + ns(t) +
         R"(","asDouble":)" + std::to_string(v) + "}]}}]}]}]}";
}

TEST(OtlpDeltaIngestTest, DeltaSumsBecomeCumulativeCountersAndRejectionsAreLogged) {
  auto store = NewMemStorage();
  int64_t now = 0;
  std::vector<std::string> warnings;
  IngestOptions o;
  o.monotonic_ms = [&] { return now; };
  o.warn = [&](const std::string& m) { warnings.push_back(m); };
  Ingester ing(*store, o);
  EXPECT_EQ(ing.Otlp(DeltaSum(10, 0, 2), "application/json", "").body, "{}");  // full success
  EXPECT_EQ(ing.Otlp(DeltaSum(20, 10, 3), "application/json", "").body, "{}");  // full success
  EXPECT_EQ(ing.Otlp(DeltaSum(30, 20, 5), "application/json", "").body, "{}");  // full success
  // Replayed point: out of order, rejected with its reason and logged at once.
  IngestResponse r = ing.Otlp(DeltaSum(20, 10, 3), "application/json", "");
  EXPECT_NE(r.body.find("not newer than its stream's last point"), std::string::npos) << r.body;
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("out of order: 1"), std::string::npos) << warnings[0];
  // More within 10 s are counted, not logged; the next one after 10 s logs the sum.
  now = 5'000;
  ing.Otlp(DeltaSum(20, 10, 3), "application/json", "").body.swap(r.body);
  EXPECT_EQ(warnings.size(), 1u);
  now = 11'000;
  ing.Otlp(DeltaSum(30, 20, 5), "application/json", "").body.swap(r.body);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[1].find("rejected 2 samples in the last 11s"), std::string::npos) << warnings[1];
  EXPECT_EQ(DumpStore(*store),
            (Dump{{R"(jobs_done_total{job="svc"})", {{kT0 + 10'000, 2}, {kT0 + 20'000, 5}, {kT0 + 30'000, 10}}}}));
}

TEST(OtlpDeltaIngestTest, PromoteAllIgnoreAndKeepIdentifying) {
  auto store = NewMemStorage();
  IngestOptions o;
  Ingester ing(*store, o);
  IngestOptions::Otlp otlp;
  otlp.promote_all_resource_attributes = true;
  otlp.ignore_resource_attributes = {"host.name"};
  otlp.keep_identifying_resource_attributes = true;
  ing.SetOtlpConfig(otlp);  // as a reload does
  std::string body = R"({"resourceMetrics":[{"resource":{"attributes":[
    {"key":"service.name","value":{"stringValue":"svc"}},{"key":"host.name","value":{"stringValue":"h1"}},
    {"key":"region","value":{"stringValue":"eu"}}]},
    "scopeMetrics":[{"metrics":[{"name":"g","gauge":{"dataPoints":[
    {"timeUnixNano":"1700000000000000000","asDouble":1}]}}]}]}]})";
  EXPECT_EQ(ing.Otlp(body, "application/json", "").http_status, 200);
  EXPECT_EQ(DumpStore(*store),
            (Dump{{R"(g{job="svc", region="eu", service_name="svc"})", {{kT0, 1}}},
                  {R"(target_info{host_name="h1", job="svc", region="eu", service_name="svc"})", {{kT0, 1}}}}));
}

}  // namespace
}  // namespace tidemark::ingest
