// Instant queries ask storage for each vector selector's last sample only, which the RocksDB
// store answers from the head without reading chunks where it can. Every instant query must give
// the same vector, bit for bit and in the same order, as over the in-memory store (which reads
// everything), on data with persisted and head chunks, out-of-order samples, stale markers,
// deletions and series that stop early.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "support/status_matchers.h"
#include "tidemark/query/engine.h"
#include "tidemark/storage/storage.h"

namespace tidemark::query {
namespace {

constexpr int64_t kStep = 15'000;
constexpr int64_t kEnd = 3'600'000;

class InstantLastSampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tm-lastsample-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    StorageOptions o;
    o.dir = dir_;
    o.retention_ms = 0;
    ASSERT_OK_AND_ASSIGN(db_, Storage::Open(o));
    mem_ = NewMemStorage();
    uint64_t rng = 11;
    auto next = [&rng] {
      rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
      return rng >> 33;
    };
    const char* jobs[] = {"node", "api", "db"};
    auto append = [&](const Labels& l, int64_t t, double v) {
      for (Storage* s : {db_.get(), mem_.get()}) {
        auto app = s->NewAppender();
        ASSERT_OK(app->Append(0, l, SampleIn{0, t, v}).status());
        ASSERT_OK(app->Commit());
      }
    };
    auto labels = [&](int i) {
      return Labels{{"__name__", i % 4 ? "m" : "n"}, {"job", jobs[i % 3]},
                    {"instance", "host-" + std::to_string(i)}};
    };
    int64_t phase[30];
    for (auto& p : phase) p = static_cast<int64_t>(next() % kStep);
    for (int64_t k = 0; k * kStep <= kEnd; ++k) {
      // 10 minutes before the end, everything so far is persisted (the heads are cut); every
      // fourth series then stops, its newest sample no longer in the head.
      if (k * kStep == kEnd - 600'000) ASSERT_OK(db_->Flush());
      for (int i = 0; i < 30; ++i) {
        if (i % 9 == 4 && k > 200) continue;  // stops early, with a stale marker
        if (i % 4 == 3 && k * kStep >= kEnd - 600'000) continue;
        double v = static_cast<double>(next() % 10000) / 10 - 100;
        if (i % 9 == 4 && k == 200) v = StaleNaN();
        if (i == 5 && k % 13 == 0) v = -0.0;
        append(labels(i), k * kStep + phase[i], v);
      }
    }
    // Out-of-order samples behind the newest one.
    for (int i = 2; i < 30; i += 5) append(labels(i), kEnd - 100'000 + 1, 42);
    for (Storage* s : {db_.get(), mem_.get()}) {
      ASSERT_OK(s->DeleteSeries({Matcher::Make(MatchType::kEqual, "instance", "host-7").value()},
                                kEnd - 60'000, kEnd + 60'000));
    }
  }
  void TearDown() override {
    if (db_) EXPECT_OK(db_->Close());
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string dir_;
  std::unique_ptr<Storage> db_, mem_;
};

TEST_F(InstantLastSampleTest, SameVectorsAsTheFullRead) {
  Engine on_db(*db_, EngineOptions{});
  Engine on_mem(*mem_, EngineOptions{});
  size_t compared = 0;
  for (const char* expr :
       {"m", "count(m)", "count({__name__=~\"m|n\"})", "count by (job) (m)", "sum by (job) (m)",
        "max(n)", "m offset 5m", "m - m offset 1m", "timestamp(m)", "count(m @ 1800)",
        "sum(rate(m[5m]))", "n > 0", "group(m)"}) {
    for (int64_t t : {int64_t{0}, int64_t{1'000'000}, int64_t{3'000'100}, kEnd - 99'000,
                      kEnd - 30'000, kEnd, kEnd + 8'000, kEnd + 250'000, kEnd + 400'000}) {
      SCOPED_TRACE(std::string(expr) + " at " + std::to_string(t));
      ASSERT_OK_AND_ASSIGN(QueryValue a, on_db.InstantQuery(expr, t));
      ASSERT_OK_AND_ASSIGN(QueryValue b, on_mem.InstantQuery(expr, t));
      ASSERT_EQ(a.kind, ValueKind::kVector);
      ASSERT_EQ(b.kind, ValueKind::kVector);
      ASSERT_EQ(a.vector.size(), b.vector.size());
      for (size_t i = 0; i < a.vector.size(); ++i) {
        EXPECT_EQ(a.vector[i].metric.ToString(), b.vector[i].metric.ToString());
        EXPECT_EQ(a.vector[i].t, b.vector[i].t);
        EXPECT_EQ(std::bit_cast<uint64_t>(a.vector[i].v), std::bit_cast<uint64_t>(b.vector[i].v))
            << a.vector[i].metric.ToString();
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 500u);
}

// A range query that is a count or group over a plain selector (or a range function of one)
// reads the RocksDB store's series unsorted, in the order they were created (not label order
// here); its matrix must equal the in-memory store's, which reads them sorted.
TEST_F(InstantLastSampleTest, RangeCountsOverUnsortedSeriesEqualTheSortedRead) {
  Engine on_db(*db_, EngineOptions{});
  Engine on_mem(*mem_, EngineOptions{});
  size_t compared = 0;
  for (const char* expr : {"count by (job) (m)", "group by (job) (m)", "count(m)",
                           "count({__name__=~\"m|n\"})", "count by (job) (rate(m[5m]))",
                           "(group by (instance) (n))"}) {
    SCOPED_TRACE(expr);
    ASSERT_OK_AND_ASSIGN(QueryValue a, on_db.RangeQuery(expr, 0, kEnd + 400'000, kStep));
    ASSERT_OK_AND_ASSIGN(QueryValue b, on_mem.RangeQuery(expr, 0, kEnd + 400'000, kStep));
    ASSERT_EQ(a.matrix.size(), b.matrix.size());
    for (size_t i = 0; i < a.matrix.size(); ++i) {
      EXPECT_EQ(a.matrix[i].metric.ToString(), b.matrix[i].metric.ToString());
      ASSERT_EQ(a.matrix[i].points.size(), b.matrix[i].points.size());
      for (size_t k = 0; k < a.matrix[i].points.size(); ++k) {
        EXPECT_EQ(a.matrix[i].points[k].t, b.matrix[i].points[k].t);
        EXPECT_EQ(std::bit_cast<uint64_t>(a.matrix[i].points[k].v),
                  std::bit_cast<uint64_t>(b.matrix[i].points[k].v));
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 1000u);
}

}  // namespace
}  // namespace tidemark::query
