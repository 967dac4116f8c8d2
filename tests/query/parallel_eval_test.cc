// Long selections are read on a worker pool (EngineOptions::workers_per_query). The answer must
// not depend on it: results, annotations and errors are bit-identical to one thread's, over
// several batches of series.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <string>
#include <vector>

#include "support/status_matchers.h"
#include "tidemark/query/engine.h"
#include "tidemark/storage/storage.h"

namespace tidemark::query {
namespace {

constexpr int64_t kStep = 60'000;
// Longer than kParallelReadMinRangeMs, so selections are read on the workers.
constexpr int64_t kEnd = 8 * 3'600'000;
constexpr int kSeriesPerMetric = 150;  // more than two batches

class ParallelEvalTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    storage_ = NewMemStorage().release();
    auto app = storage_->NewAppender();
    uint64_t rng = 11;
    auto next = [&rng] {
      rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
      return rng >> 33;
    };
    const char* jobs[] = {"node", "api", "db", "cache"};
    for (const char* metric : {"c_total", "g", "odd"}) {
      for (int i = 0; i < kSeriesPerMetric; ++i) {
        Labels l{{"__name__", metric}, {"job", jobs[i % 4]},
                 {"instance", "host-" + std::to_string(i)}};
        const int64_t phase = static_cast<int64_t>(next() % kStep);
        double counter = 0;
        for (int64_t k = 0; k * kStep <= kEnd; ++k) {
          if (i % 6 == 1 && k > 100 && k < 110) continue;  // gap longer than the lookback
          if (i % 7 == 2 && k < 200) continue;             // starts late
          counter += static_cast<double>(next() % 1000) / 10;
          if (i % 11 == 3 && k % 97 == 0) counter = 0;     // counter reset
          double v = metric[0] == 'g' ? static_cast<double>(next() % 100000) / 100 - 300 : counter;
          if (i == 5 && k % 40 == 5) v = std::nan("");
          if (i == 9 && k == 300) v = StaleNaN();
          ASSERT_TRUE(app->Append(0, l, SampleIn{0, k * kStep + phase, v}).ok());
        }
      }
    }
    ASSERT_TRUE(app->Commit().ok());
  }
  static void TearDownTestSuite() {
    delete storage_;
    storage_ = nullptr;
  }

  static EngineOptions Options(size_t workers) {
    EngineOptions o;
    o.workers_per_query = workers;
    return o;
  }

  static Storage* storage_;
};
Storage* ParallelEvalTest::storage_ = nullptr;

void ExpectSameMatrix(const QueryValue& a, const QueryValue& b, const std::string& what) {
  ASSERT_EQ(a.kind, b.kind) << what;
  ASSERT_EQ(a.matrix.size(), b.matrix.size()) << what;
  for (size_t i = 0; i < a.matrix.size(); ++i) {
    ASSERT_EQ(a.matrix[i].metric.ToString(), b.matrix[i].metric.ToString()) << what;
    ASSERT_EQ(a.matrix[i].points.size(), b.matrix[i].points.size()) << what;
    for (size_t k = 0; k < a.matrix[i].points.size(); ++k) {
      EXPECT_EQ(a.matrix[i].points[k].t, b.matrix[i].points[k].t) << what;
      EXPECT_EQ(std::bit_cast<uint64_t>(a.matrix[i].points[k].v),
                std::bit_cast<uint64_t>(b.matrix[i].points[k].v))
          << what << " " << a.matrix[i].metric.ToString() << " at " << a.matrix[i].points[k].t;
    }
  }
  EXPECT_EQ(a.warnings, b.warnings) << what;
  EXPECT_EQ(a.infos, b.infos) << what;
}

TEST_P(ParallelEvalTest, RangeQueriesDoNotDependOnTheWorkers) {
  Engine serial(*storage_, Options(1));
  Engine parallel(*storage_, Options(4));
  // A 1 m step takes the streamed aggregation path where it can; 7m7s is longer than every
  // window, so selectors skip samples no step sees.
  for (int64_t step : {kStep, int64_t{427'000}}) {
    const std::string what = GetParam() + " step " + std::to_string(step);
    auto a = serial.RangeQuery(GetParam(), 600'000, kEnd, step);
    auto b = parallel.RangeQuery(GetParam(), 600'000, kEnd, step);
    ASSERT_TRUE(a.ok()) << what << ": " << a.status().ToString();
    ASSERT_TRUE(b.ok()) << what << ": " << b.status().ToString();
    ASSERT_FALSE(a->matrix.empty()) << what;
    ExpectSameMatrix(*a, *b, what);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Queries, ParallelEvalTest,
    ::testing::Values("sum by (job) (rate(c_total[5m]))", "sum(increase(odd[10m]))",
                      "avg by (job) (g)", "count(g)", "stddev by (job) (g)", "max(g)",
                      "rate(c_total[5m])", "max_over_time(g[10m])", "g * 2",
                      "topk(3, g)", "sum by (job) (rate(c_total[5m])) / on(job) count by (job) (g)",
                      "sum(g offset 10m)",
                      // Grouped range functions: the groups are shared out between two threads.
                      "sum by (instance) (rate(c_total[5m]))", "count by (job) (rate(odd[5m]))",
                      "avg by (job) (avg_over_time(odd[10m]))",
                      "stddev by (instance) (increase(odd[10m]))",
                      "max by (job) (max_over_time(g[10m]))",
                      "topk(5, sum by (instance) (rate(c_total[5m])))",
                      // Costly window functions: their windows are computed on the workers.
                      "min by (job) (deriv(g[30m]))", "sum(stddev_over_time(g[10m]))",
                      "max by (job) (mad_over_time(g[15m]))",
                      // Several selections: a worker takes the first streamed aggregation, with
                      // its "not a counter" infos and its groups' labels.
                      "sum(rate(odd[5m])) / sum(rate(c_total[5m]))",
                      "sum by (job) (increase(odd[10m])) / on(job) sum by (job) (rate(g[5m]))",
                      "g / on() group_left sum(rate(odd[5m]))",
                      "count by (job) (g) - count by (job) (max_over_time(odd[10m])) + sum by (job) (g)",
                      "g / odd", "rate(c_total[5m]) - on(instance, job) rate(odd[5m])",
                      "g > on(instance) group_left sum by (instance) (rate(c_total[5m]))"));

TEST_F(ParallelEvalTest, InstantQueriesAndAnnotationsDoNotDependOnTheWorkers) {
  Engine serial(*storage_, Options(1));
  Engine parallel(*storage_, Options(3));
  for (const char* q : {"sum(rate(odd[7h]))", "max_over_time(g[7h])", "rate(c_total[7h])", "g"}) {
    auto a = serial.InstantQuery(q, kEnd - 60'000);
    auto b = parallel.InstantQuery(q, kEnd - 60'000);
    ASSERT_TRUE(a.ok()) << q << ": " << a.status().ToString();
    ASSERT_TRUE(b.ok()) << q << ": " << b.status().ToString();
    ASSERT_EQ(a->vector.size(), b->vector.size()) << q;
    ASSERT_FALSE(a->vector.empty()) << q;
    for (size_t i = 0; i < a->vector.size(); ++i) {
      EXPECT_EQ(a->vector[i].metric.ToString(), b->vector[i].metric.ToString()) << q;
      EXPECT_EQ(std::bit_cast<uint64_t>(a->vector[i].v), std::bit_cast<uint64_t>(b->vector[i].v))
          << q;
    }
    EXPECT_EQ(a->infos, b->infos) << q;
  }
  // rate() over a name that does not look like a counter is reported once, whichever thread
  // computed it.
  auto info = parallel.InstantQuery("sum(rate(odd[5m]))", kEnd);
  ASSERT_OK(info.status());
  ASSERT_EQ(info->infos.size(), 1u);
  EXPECT_NE(info->infos[0].find("\"odd\""), std::string::npos) << info->infos[0];
}

TEST_F(ParallelEvalTest, LimitsFailTheSameWayWithWorkers) {
  EngineOptions few_samples = Options(1);
  few_samples.max_samples = 20'000;  // less than one selector's samples over the range
  EngineOptions few_series = Options(1);
  few_series.max_series_per_selector = 100;
  // One selection's points fit, two do not: the worker's are counted on joining.
  EngineOptions two_selections = Options(1);
  two_selections.max_samples = 100'000;
  EngineOptions few_bytes = Options(1), fewer_bytes = Options(1);
  few_bytes.max_bytes = 1'500'000;
  fewer_bytes.max_bytes = 1'000'000;  // less than one selection's points
  const struct {
    EngineOptions options;
    std::vector<std::string> queries;
    std::string message;
  } cases[] = {{few_samples, {"rate(c_total[5m])", "g * 2"}, "too many samples"},
               {few_series,
                {"sum(g)", "g * 2", "sum by (job) (rate(c_total[5m]))",
                 // Each side of the selections a worker shares fails alone.
                 "sum(rate(c_total[5m])) / sum(rate(g{job=\"api\"}[5m]))",
                 "sum(rate(c_total{job=\"api\"}[5m])) / sum(rate(g[5m]))"},
                "100 series"},
               {two_selections, {"g / odd", "rate(g[5m]) + rate(odd[5m])"}, "too many samples"},
               {few_bytes, {"g / odd"}, "--query.max-bytes"},
               {fewer_bytes, {"g / odd", "odd - g"}, "--query.max-bytes"}};
  for (const auto& c : cases) {
    EngineOptions parallel_options = c.options;
    parallel_options.workers_per_query = 4;
    Engine serial(*storage_, c.options);
    Engine parallel(*storage_, parallel_options);
    for (const auto& q : c.queries) {
      auto a = serial.RangeQuery(q, 0, kEnd, kStep);
      auto b = parallel.RangeQuery(q, 0, kEnd, kStep);
      ASSERT_FALSE(a.ok()) << q;
      ASSERT_FALSE(b.ok()) << q;
      EXPECT_EQ(a.status().code(), StatusCode::kResourceExhausted) << q;
      EXPECT_NE(a.status().message().find(c.message), std::string::npos) << a.status().ToString();
      EXPECT_EQ(a.status().ToString(), b.status().ToString()) << q;
    }
  }
}

// A step's windows hold 5 samples of each of the 150 c_total series: the limit counts all of
// them, whichever thread folded them.
TEST_F(ParallelEvalTest, EveryWindowSampleCountsWithWorkers) {
  for (size_t limit : {600, 800}) {
    EngineOptions serial_options = Options(1), parallel_options = Options(4);
    serial_options.max_samples = parallel_options.max_samples = limit;
    Engine serial(*storage_, serial_options);
    Engine parallel(*storage_, parallel_options);
    const std::string q = "sum by (job) (rate(c_total[5m]))";
    auto a = serial.RangeQuery(q, kEnd - 600'000, kEnd, kStep);
    auto b = parallel.RangeQuery(q, kEnd - 600'000, kEnd, kStep);
    EXPECT_EQ(a.ok(), limit == 800) << limit << ": " << a.status().ToString();
    EXPECT_EQ(a.status().ToString(), b.status().ToString()) << limit;
    if (a.ok() && b.ok()) ExpectSameMatrix(*a, *b, q);
  }
}

}  // namespace
}  // namespace tidemark::query
