// Folding aggregations directly over a vector selector (`count(x)`, `sum by (g) (x)`, ...) are
// computed while the series stream from storage instead of from preloaded series. Their results
// must be bit-identical to the preloaded path, which `agg(x * 1)` still takes (a binary
// expression is not a plain selector), on data with NaNs, stale markers, gaps, -0, infinities
// and series starting and stopping inside the range.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "support/status_matchers.h"
#include "tidemark/query/engine.h"
#include "tidemark/storage/storage.h"

namespace tidemark::query {
namespace {

constexpr int64_t kStep = 15'000;
constexpr int64_t kEnd = 3'600'000;

class StreamedAggregationTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    storage_ = NewMemStorage().release();
    auto app = storage_->NewAppender();
    uint64_t rng = 7;
    auto next = [&rng] {
      rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
      return rng >> 33;
    };
    const char* jobs[] = {"node", "api", "db"};
    for (int i = 0; i < 40; ++i) {
      Labels l{{"__name__", "m"}, {"job", jobs[i % 3]}, {"instance", "host-" + std::to_string(i)},
               {"zone", i % 4 ? "a" : "b"}};
      const int64_t phase = static_cast<int64_t>(next() % kStep);
      for (int64_t k = 0; k * kStep <= kEnd; ++k) {
        if (i % 5 == 1 && k > 60 && k < 100) continue;  // gap longer than the lookback
        if (i % 7 == 2 && k < 120) continue;            // starts late
        if (i % 9 == 4 && k > 150) break;               // stops early
        double v = static_cast<double>(next() % 100000) / 100 - 200;
        if (i == 3 && k % 40 == 5) v = std::nan("");
        if (i == 6 && k % 50 == 9) v = -0.0;
        if (i == 8 && k == 100) v = std::numeric_limits<double>::infinity();
        if (i == 10 && k == 70) v = 1e308;  // avg's sum overflows: incremental mean
        if (i == 11 && k == 70) v = 1e308;
        if (i % 9 == 4 && k == 150) v = StaleNaN();
        ASSERT_TRUE(app->Append(0, l, SampleIn{0, k * kStep + phase, v}).ok());
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
Storage* StreamedAggregationTest::storage_ = nullptr;

std::string Key(const Labels& l) { return l.ToString(); }

void ExpectSameVector(const QueryValue& a, const QueryValue& b, const std::string& what) {
  ASSERT_EQ(a.kind, ValueKind::kVector) << what;
  ASSERT_EQ(b.kind, ValueKind::kVector) << what;
  ASSERT_EQ(a.vector.size(), b.vector.size()) << what;
  for (size_t i = 0; i < a.vector.size(); ++i) {  // same order too
    EXPECT_EQ(Key(a.vector[i].metric), Key(b.vector[i].metric)) << what;
    EXPECT_EQ(std::bit_cast<uint64_t>(a.vector[i].v), std::bit_cast<uint64_t>(b.vector[i].v))
        << what << " " << Key(a.vector[i].metric) << ": " << a.vector[i].v << " vs "
        << b.vector[i].v;
  }
}

TEST_P(StreamedAggregationTest, MatchesThePreloadedPath) {
  const std::string agg = GetParam();
  // `m * 1` keeps every value's bits (-0, NaN payloads) but is not a plain selector.
  const std::string streamed = agg + "(m)";
  const std::string preloaded = agg + "(m * 1)";
  Engine engine(*storage_, EngineOptions{});
  // 15 s steps, and 7m7s steps (longer than the lookback: samples between windows are skipped).
  for (int64_t step : {kStep, int64_t{427'000}}) {
    ASSERT_OK_AND_ASSIGN(QueryValue rs, engine.RangeQuery(streamed, 0, kEnd, step));
    ASSERT_OK_AND_ASSIGN(QueryValue rp, engine.RangeQuery(preloaded, 0, kEnd, step));
    ASSERT_EQ(rs.matrix.size(), rp.matrix.size());
    size_t points = 0;
    for (size_t i = 0; i < rs.matrix.size(); ++i) {
      EXPECT_EQ(Key(rs.matrix[i].metric), Key(rp.matrix[i].metric));
      ASSERT_EQ(rs.matrix[i].points.size(), rp.matrix[i].points.size())
          << Key(rs.matrix[i].metric);
      for (size_t j = 0; j < rs.matrix[i].points.size(); ++j) {
        EXPECT_EQ(rs.matrix[i].points[j].t, rp.matrix[i].points[j].t);
        EXPECT_EQ(std::bit_cast<uint64_t>(rs.matrix[i].points[j].v),
                  std::bit_cast<uint64_t>(rp.matrix[i].points[j].v))
            << Key(rs.matrix[i].metric) << " at " << rs.matrix[i].points[j].t;
        ++points;
      }
    }
    EXPECT_GT(points, step == kStep ? 200u : 5u);
  }
  // Instant queries, including times inside gaps and after the data, and with an offset.
  for (int64_t t : {int64_t{0}, int64_t{7'777}, int64_t{1'200'000}, int64_t{1'500'001},
                    int64_t{2'250'000}, kEnd, kEnd + 200'000, kEnd + 400'000}) {
    ASSERT_OK_AND_ASSIGN(QueryValue is, engine.InstantQuery(streamed, t));
    ASSERT_OK_AND_ASSIGN(QueryValue ip, engine.InstantQuery(preloaded, t));
    ExpectSameVector(is, ip, streamed + " at " + std::to_string(t));
    ASSERT_OK_AND_ASSIGN(QueryValue os, engine.InstantQuery(agg + "(m offset 10m)", t));
    ASSERT_OK_AND_ASSIGN(QueryValue op, engine.InstantQuery(agg + "(m offset 10m * 1)", t));
    ExpectSameVector(os, op, agg + " offset 10m at " + std::to_string(t));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Aggregations, StreamedAggregationTest,
    ::testing::Values("count", "sum", "avg", "min", "max", "group", "stddev", "stdvar",
                      "count by (job) ", "sum by (job) ", "avg by (zone) ", "min by (job, zone) ",
                      "max by (instance) ", "group by (job) ", "stddev by (zone) ",
                      "stdvar by (job) ", "sum by () "));

// Aggregations over a one-argument range function of a matrix selector stream too; `f(m[r]) * 1`
// takes the preloaded path (block-precomputed for range queries, per step for instant ones).
class StreamedRangeFunctionTest : public StreamedAggregationTest {};

TEST_P(StreamedRangeFunctionTest, MatchesThePreloadedPath) {
  const std::string inner = GetParam();
  Engine engine(*storage_, EngineOptions{});
  for (const std::string agg : {"sum", "count by (job) ", "avg by (zone) ", "max by (instance) ",
                                "stddev by (job) "}) {
    const std::string streamed = agg + "(" + inner + ")";
    const std::string preloaded = agg + "(" + inner + " * 1)";
    for (int64_t step : {kStep, int64_t{60'000}}) {
      ASSERT_OK_AND_ASSIGN(QueryValue rs, engine.RangeQuery(streamed, 0, kEnd, step));
      ASSERT_OK_AND_ASSIGN(QueryValue rp, engine.RangeQuery(preloaded, 0, kEnd, step));
      ASSERT_EQ(rs.matrix.size(), rp.matrix.size()) << streamed;
      size_t points = 0;
      for (size_t i = 0; i < rs.matrix.size(); ++i) {
        EXPECT_EQ(Key(rs.matrix[i].metric), Key(rp.matrix[i].metric)) << streamed;
        ASSERT_EQ(rs.matrix[i].points.size(), rp.matrix[i].points.size()) << streamed;
        for (size_t j = 0; j < rs.matrix[i].points.size(); ++j) {
          EXPECT_EQ(std::bit_cast<uint64_t>(rs.matrix[i].points[j].v),
                    std::bit_cast<uint64_t>(rp.matrix[i].points[j].v))
              << streamed << " " << Key(rs.matrix[i].metric) << " at "
              << rs.matrix[i].points[j].t;
          ++points;
        }
      }
      EXPECT_GT(points, 40u) << streamed;
      EXPECT_EQ(rs.infos, rp.infos) << streamed;
    }
    for (int64_t t : {int64_t{7'777}, int64_t{1'500'001}, int64_t{2'250'000}, kEnd + 200'000}) {
      ASSERT_OK_AND_ASSIGN(QueryValue is, engine.InstantQuery(streamed, t));
      ASSERT_OK_AND_ASSIGN(QueryValue ip, engine.InstantQuery(preloaded, t));
      ExpectSameVector(is, ip, streamed + " at " + std::to_string(t));
      EXPECT_EQ(is.infos, ip.infos) << streamed;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Functions, StreamedRangeFunctionTest,
    ::testing::Values("rate(m[5m])", "increase(m[2m])", "delta(m[5m])", "irate(m[1m])",
                      "deriv(m[10m])", "changes(m[5m])", "resets(m[5m])",
                      "avg_over_time(m[10m])", "max_over_time(m[15m])",
                      "count_over_time(m[1m])", "last_over_time(m[1m])",
                      "stddev_over_time(m[5m])", "stdvar_over_time(m[10m])",
                      "mad_over_time(m[10m])", "rate(m[5m] offset 10m)"));

TEST(StreamedAggregationLimitsTest, SeriesLimitStillApplies) {
  std::unique_ptr<Storage> storage = NewMemStorage();
  auto app = storage->NewAppender();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(app->Append(0, Labels{{"__name__", "x"}, {"i", std::to_string(i)}},
                            SampleIn{0, 1000, 1})
                    .ok());
  }
  ASSERT_TRUE(app->Commit().ok());
  EngineOptions o;
  o.max_series_per_selector = 3;
  Engine engine(*storage, o);
  auto r = engine.InstantQuery("count(x)", 2000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  o.max_series_per_selector = 5;
  Engine engine5(*storage, o);
  ASSERT_OK_AND_ASSIGN(QueryValue v, engine5.InstantQuery("count(x)", 2000));
  ASSERT_EQ(v.vector.size(), 1u);
  EXPECT_EQ(v.vector[0].v, 5);
}

}  // namespace
}  // namespace tidemark::query
