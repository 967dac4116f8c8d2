// The range results cache must answer exactly what the engine answers for the whole range (same
// series, order, timestamps and value bits, same annotations) across randomized refresh
// sequences with in-order, late and out-of-order appends and deletes in between, over both
// stores; and it must actually serve steps from the cache while doing so.
#include <gtest/gtest.h>

#include <bit>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "support/status_matchers.h"
#include "tidemark/query/range_cache.h"
#include "tidemark/storage/storage.h"

namespace tidemark::query {
namespace {

constexpr int64_t kMin = 60'000;

void ExpectSameValue(const QueryValue& want, const QueryValue& got, const std::string& what) {
  ASSERT_EQ(want.kind, got.kind) << what;
  EXPECT_EQ(want.warnings, got.warnings) << what;
  EXPECT_EQ(want.infos, got.infos) << what;
  ASSERT_EQ(want.matrix.size(), got.matrix.size()) << what;
  for (size_t i = 0; i < want.matrix.size(); ++i) {
    const MatrixSeries& w = want.matrix[i];
    const MatrixSeries& g = got.matrix[i];
    ASSERT_EQ(w.metric, g.metric) << what;
    ASSERT_EQ(w.points.size(), g.points.size()) << what << " " << w.metric.ToString();
    for (size_t k = 0; k < w.points.size(); ++k) {
      ASSERT_EQ(w.points[k].t, g.points[k].t) << what << " " << w.metric.ToString();
      ASSERT_EQ(std::bit_cast<uint64_t>(w.points[k].v), std::bit_cast<uint64_t>(g.points[k].v))
          << what << " " << w.metric.ToString() << " at " << w.points[k].t;
    }
  }
}

TEST(RangeCacheableTest, RefusesWhatDependsOnTheQueryRange) {
  for (const char* q : {"rate(x[5m])", "sum by (a) (x offset 5m)", "x > bool 3",
                        "histogram_quantile(0.9, sum by (le) (rate(h[5m])))", "time() - x",
                        "topk(2, x)", "absent(nope)", "label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\")"}) {
    ASSERT_OK_AND_ASSIGN(auto e, ParseExpr(q));
    EXPECT_TRUE(RangeCacheable(*e)) << q;
  }
  for (const char* q : {"x @ 100", "x @ end()", "rate(x[5m] @ start())", "x offset -1m",
                        "sum(rate(x[5m] offset -30s))", "max_over_time(x[10m:1m])",
                        "sum(x) + ignoring(a) (y @ 5)"}) {
    ASSERT_OK_AND_ASSIGN(auto e, ParseExpr(q));
    EXPECT_FALSE(RangeCacheable(*e)) << q;
  }
}

class RangeCacheTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      std::string tmpl = (std::filesystem::temp_directory_path() / "tm-rangecache-XXXXXX").string();
      ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
      dir_ = tmpl;
      StorageOptions o;
      o.dir = dir_;
      o.retention_ms = 0;
      ASSERT_OK_AND_ASSIGN(db_, Storage::Open(o));
    } else {
      db_ = NewMemStorage();
    }
  }
  void TearDown() override {
    if (db_) ASSERT_OK(db_->Close());
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  uint64_t Next() {
    rng_ = rng_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return rng_ >> 33;
  }

  std::string dir_;
  std::unique_ptr<Storage> db_;
  uint64_t rng_ = 19;
};

TEST_P(RangeCacheTest, RefreshesEqualUncachedEvaluation) {
  EngineOptions eo;
  Engine engine(*db_, eo);
  Timestamp now = 3 * 3600 * 1000;
  MetricsRegistry metrics;
  RangeCacheOptions co;
  co.max_bytes = 64 << 20;
  RangeCache cache(engine, db_->Changes(), co, [&now] { return now; }, &metrics);

  const char* jobs[] = {"node", "api", "db"};
  const int kSeries = 24;
  auto labels = [&](int i) {
    return Labels{{"__name__", i % 3 ? "req_total" : "temp"}, {"instance", "h" + std::to_string(i)},
                  {"job", jobs[i % 3]}, {"le", std::to_string(i % 4)}};
  };
  std::vector<Timestamp> last(kSeries, 0);
  std::vector<double> value(kSeries, 0);
  auto append = [&](int i, Timestamp t) {
    auto app = db_->NewAppender();
    value[i] += static_cast<double>(Next() % 1000) / 7;
    ASSERT_OK(app->Append(0, labels(i), SampleIn{0, t, value[i]}).status());
    ASSERT_OK(app->Commit());
  };
  // Scrapes up to `to`: series 5 lags 8 minutes when it catches up (in order for it, but older
  // than the cache's recent window), series 7 stops for a while.
  auto scrape_until = [&](Timestamp to, bool lagging_too) {
    for (int i = 0; i < kSeries; ++i) {
      if (i == 5 && !lagging_too) continue;
      const Timestamp until = i == 5 ? to - 8 * kMin : to;
      const Timestamp every = 15'000 + 5'000 * (i % 3);
      for (Timestamp t = last[i] + every; t <= until; t += every) {
        if (i == 7 && t > 3600'000 && t < 5400'000) continue;
        append(i, t);
        last[i] = t;
      }
    }
  };
  scrape_until(now, true);

  const std::vector<std::string> queries = {
      "rate(req_total[5m])",
      "sum by (job) (rate(req_total[1m]))",
      "max_over_time(temp[2m])",
      // Running sums over sliding windows must not make a step's value depend on the query start.
      "avg_over_time(temp[5m])",
      "sum by (job) (sum_over_time(req_total[3m]))",
      "temp offset 1m",
      "histogram_quantile(0.9, sum by (le) (rate(req_total[5m])))",
      "count(req_total > 100)",
      "absent(temp{job=\"none\"})",
      "temp @ 7200",
      "req_total offset -1m",
      "time() - timestamp(temp)",
  };
  const int64_t steps[] = {15'000, 30'000, 60'000};
  int invalidating = 0;
  for (int round = 0; round < 60; ++round) {
    now += 5'000 + static_cast<int64_t>(Next() % 30'000);
    scrape_until(now, round % 10 == 9);
    switch (Next() % 10) {
      case 0: {  // out of order, inside the store's window and inside cached steps
        int i = static_cast<int>(Next() % kSeries);
        Timestamp t = now - 9 * kMin + static_cast<Timestamp>(Next() % 60'000) * 7 + 1;
        auto app = db_->NewAppender();
        app->Append(0, labels(i), SampleIn{0, t, 1e6 + static_cast<double>(round)}).status()
            .IgnoreError();  // a duplicate timestamp may be refused
        ASSERT_OK(app->Commit());
        ++invalidating;
        break;
      }
      case 1: {  // admin delete of a slice of one job
        ASSERT_OK_AND_ASSIGN(Matcher job, Matcher::Make(MatchType::kEqual, "job", jobs[Next() % 3]));
        Matchers m{job};
        Timestamp from = now - 50 * kMin + static_cast<Timestamp>(Next() % 40) * kMin;
        ASSERT_OK(db_->DeleteSeries(m, from, from + 3 * kMin));
        ++invalidating;
        break;
      }
      case 2:  // a brand-new series, at now
        append(kSeries - 1, now);
        last[kSeries - 1] = std::max(last[kSeries - 1], now);
        break;
      default:
        break;
    }
    for (size_t qi = 0; qi < queries.size(); ++qi) {
      const int64_t step = steps[(qi + static_cast<size_t>(round) / 20) % 3];
      // Grafana aligns start to the step; the end is sometimes `now` itself.
      Timestamp start = (now - 3600'000) / step * step;
      Timestamp end = Next() % 2 ? now : now / step * step;
      const std::string what = queries[qi] + " round " + std::to_string(round);
      ASSERT_OK_AND_ASSIGN(QueryValue want, engine.RangeQuery(queries[qi], start, end, step));
      ASSERT_OK_AND_ASSIGN(QueryValue got, cache.RangeQuery(queries[qi], start, end, step));
      ExpectSameValue(want, got, what);
      if (HasFatalFailure()) return;
    }
  }
  const RangeCache::Stats s = cache.stats();
  EXPECT_GT(s.hits, 300u);  // most refreshes reuse steps
  EXPECT_GT(s.misses, 0u);
  EXPECT_GT(invalidating, 5);
  EXPECT_GT(s.bytes, 0u);
}

TEST_P(RangeCacheTest, EvictsToStayWithinItsBudget) {
  Engine engine(*db_, EngineOptions{});
  Timestamp now = 2 * 3600 * 1000;
  auto app = db_->NewAppender();
  for (Timestamp t = 0; t <= now; t += 15'000) {
    for (int i = 0; i < 10; ++i) {
      ASSERT_OK(app->Append(0, Labels{{"__name__", "g"}, {"i", std::to_string(i)}},
                            SampleIn{0, t, static_cast<double>(t % 977)})
                    .status());
    }
  }
  ASSERT_OK(app->Commit());
  RangeCacheOptions co;
  co.max_bytes = 40'000;  // room for one hour of ten series at 15 s, not for two
  RangeCache cache(engine, db_->Changes(), co, [&now] { return now; }, nullptr);
  ASSERT_OK(cache.RangeQuery("g", now - 3600'000, now, 15'000).status());
  EXPECT_EQ(cache.stats().entries, 1u);
  ASSERT_OK(cache.RangeQuery("g * 2", now - 3600'000, now, 15'000).status());
  EXPECT_EQ(cache.stats().entries, 1u);
  EXPECT_LE(cache.stats().bytes, co.max_bytes);
  // The first entry was the least recently used, so it went.
  ASSERT_OK(cache.RangeQuery("g", now - 3600'000, now, 15'000).status());
  EXPECT_EQ(cache.stats().hits, 0u);
}

INSTANTIATE_TEST_SUITE_P(Stores, RangeCacheTest, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "rocksdb" : "memory"; });

}  // namespace
}  // namespace tidemark::query
