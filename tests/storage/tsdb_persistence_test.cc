// The RocksDB store across Close/reopen: persisted chunks + head merge, out-of-order against
// persisted data, stats, and the series registry surviving restarts.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "storage/storage_test_util.h"
#include "support/datagen.h"

namespace tidemark::testing {
namespace {

using TsdbPersistenceTest = TsdbStoreTest;

Labels SeriesLabels(int i) {
  return Labels{{"__name__", "node_metric"}, {"instance", "host-" + std::to_string(i)},
                {"job", i % 2 ? "odd" : "even"}};
}

TEST_F(TsdbPersistenceTest, DataSurvivesCloseAndReopenAcrossManyChunks) {
  constexpr int kSeries = 20, kSamples = 1000;  // > 8 chunks per series
  std::vector<std::vector<Sample>> want(kSeries);
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
    for (int i = 0; i < kSeries; ++i) {
      want[i] = GenerateSeries({RealisticMixPattern(i), TimePattern::kJittered}, kSamples, i);
    }
    for (int k = 0; k < kSamples; k += 50) {
      auto app = db->NewAppender();
      for (int i = 0; i < kSeries; ++i) {
        for (int j = k; j < k + 50; ++j) {
          ASSERT_OK(app->Append(0, SeriesLabels(i), {0, want[i][j].t, want[i][j].v}).status());
        }
      }
      ASSERT_OK(app->Commit());
    }
    // Before closing, head and persisted chunks are merged transparently.
    ASSERT_OK_AND_ASSIGN(auto got, Query(*db, {Eq("__name__", "node_metric")}));
    ASSERT_EQ(got.size(), size_t{kSeries});
    StorageStats st = db->Stats();
    EXPECT_EQ(st.num_series, uint64_t{kSeries});
    EXPECT_EQ(st.head_series, uint64_t{kSeries});
    EXPECT_EQ(st.num_samples_appended, uint64_t{kSeries * kSamples});
    ASSERT_OK(db->Close());
  }
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
  ASSERT_OK_AND_ASSIGN(auto got, Query(*db, {Eq("__name__", "node_metric")}));
  ASSERT_EQ(got.size(), size_t{kSeries});
  for (const auto& s : got) {
    int i = std::stoi(std::string(s.labels.Get("instance").substr(5)));
    ASSERT_EQ(s.samples.size(), want[i].size());
    for (size_t j = 0; j < s.samples.size(); ++j) {
      ASSERT_EQ(s.samples[j].t, want[i][j].t);
      ASSERT_EQ(Bits(s.samples[j].v), Bits(want[i][j].v));
    }
  }
  StorageStats st = db->Stats();
  EXPECT_EQ(st.head_series, 0u);  // Close persisted every open chunk
  Timestamp min_t = kMaxTimestamp;
  for (const auto& w : want) min_t = std::min(min_t, w.front().t);
  EXPECT_EQ(st.min_time, min_t);
  EXPECT_GT(st.bytes_on_disk, 0u);
  ASSERT_FALSE(st.series_count_by_metric.empty());
  EXPECT_EQ(st.series_count_by_metric[0].name, "node_metric");
  EXPECT_EQ(st.series_count_by_metric[0].value, uint64_t{kSeries});
  ASSERT_FALSE(st.label_value_count_by_name.empty());
  EXPECT_EQ(st.label_value_count_by_name[0].name, "instance");
  EXPECT_EQ(st.label_value_count_by_name[0].value, uint64_t{kSeries});
  // Known series keep their identity: appending continues the same series.
  ASSERT_OK(AppendOne(*db, SeriesLabels(3), want[3].back().t + 15000, 42));
  ASSERT_OK_AND_ASSIGN(got, Query(*db, {Eq("instance", "host-3")}));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].samples.size(), want[3].size() + 1);
  ASSERT_OK(db->Close());
}

// numLabelPairs counts every distinct pair, not the length of a top list; the top lists hold as
// many entries as asked for (the API's `limit`).
TEST_F(TsdbPersistenceTest, StatsCountAllLabelPairsAndKeepTopN) {
  constexpr int kSeries = 25;
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
  for (int i = 0; i < kSeries; ++i) ASSERT_OK(AppendOne(*db, SeriesLabels(i), 1000, i));
  // Pairs: __name__=node_metric, 25 instance values, job=odd and job=even.
  StorageStats st = db->Stats();
  EXPECT_EQ(st.num_label_pairs, uint64_t{1 + kSeries + 2});
  EXPECT_EQ(st.series_count_by_label_pair.size(), kDefaultStatsTopN);
  EXPECT_EQ(st.series_count_by_label_pair[0].name, "__name__=node_metric");
  StorageStats wide = db->Stats(100);
  EXPECT_EQ(wide.series_count_by_label_pair.size(), size_t{1 + kSeries + 2});
  StorageStats one = db->Stats(1);
  ASSERT_EQ(one.label_value_count_by_name.size(), 1u);
  EXPECT_EQ(one.label_value_count_by_name[0].name, "instance");
  // (len("job") + len("even")) x 13 + (len("job") + len("odd")) x 12.
  auto job = std::find_if(wide.label_bytes_by_name.begin(), wide.label_bytes_by_name.end(),
                          [](const MetricCardinality& m) { return m.name == "job"; });
  ASSERT_NE(job, wide.label_bytes_by_name.end());
  EXPECT_EQ(job->value, uint64_t{7 * 13 + 6 * 12});
  ASSERT_OK(db->Close());
}

TEST_F(TsdbPersistenceTest, HeadIsRecoveredFromTheHeadLogWithoutClose) {
  const Labels l{{"__name__", "x"}};
  std::string copy_dir = dir_.path() + "-copy";
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
    auto app = db->NewAppender();
    for (int i = 0; i < 250; ++i) ASSERT_OK(app->Append(0, l, {0, i * 1000, i * 0.5}).status());
    ASSERT_OK(app->Commit());
    ASSERT_OK(AppendOne(*db, l, 100'500, 7));  // out of order, in the head
    // Copy the live directory: what a crash right now would leave behind (WAL included).
    std::filesystem::copy(dir_.path(), copy_dir, std::filesystem::copy_options::recursive);
    ASSERT_OK(db->Close());
  }
  StorageOptions o;
  o.dir = copy_dir;
  ASSERT_OK_AND_ASSIGN(auto db, Storage::Open(o));
  ASSERT_OK_AND_ASSIGN(auto got, Query(*db, {Eq("__name__", "x")}));
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].samples.size(), 251u);
  EXPECT_EQ(got[0].samples[101].t, 100'500);
  EXPECT_EQ(got[0].samples[101].v, 7);
  EXPECT_EQ(got[0].samples[250].v, 249 * 0.5);
  ASSERT_OK(db->Close());
  std::filesystem::remove_all(copy_dir);
}

TEST_F(TsdbPersistenceTest, OutOfOrderAgainstPersistedChunksDetectsDuplicates) {
  const Labels l{{"__name__", "x"}};
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
  auto app = db->NewAppender();
  for (int i = 0; i < 300; ++i) ASSERT_OK(app->Append(0, l, {0, i * 1000, double(i)}).status());
  ASSERT_OK(app->Commit());
  ASSERT_OK(db->Flush());  // everything persisted; the head is empty
  EXPECT_EQ(db->Stats().head_series, 0u);
  ASSERT_OK(AppendOne(*db, l, 250'000, 250));  // exact duplicate of a persisted sample
  EXPECT_EQ(AppendOne(*db, l, 251'000, 1).code(), StatusCode::kAlreadyExists);
  ASSERT_OK(AppendOne(*db, l, 251'500, 1.5));  // new, out of order, within the window
  ASSERT_OK_AND_ASSIGN(auto got, Query(*db, {Eq("__name__", "x")}, 249'000, 252'000));
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].samples.size(), 5u);
  EXPECT_EQ(got[0].samples[2].t, 251'000);
  EXPECT_EQ(got[0].samples[2].v, 251);
  EXPECT_EQ(got[0].samples[3].t, 251'500);
  ASSERT_OK(db->Close());
  ASSERT_OK_AND_ASSIGN(db, OpenStore());
  ASSERT_OK_AND_ASSIGN(got, Query(*db, {Eq("__name__", "x")}));
  ASSERT_EQ(got[0].samples.size(), 301u);
  ASSERT_OK(db->Close());
}

TEST_F(TsdbPersistenceTest, DeleteSeriesSurvivesReopen) {
  const Labels l{{"__name__", "x"}};
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
    auto app = db->NewAppender();
    for (int i = 0; i < 100; ++i) ASSERT_OK(app->Append(0, l, {0, i * 1000, double(i)}).status());
    ASSERT_OK(app->Commit());
    ASSERT_OK(db->DeleteSeries({Eq("__name__", "x")}, 0, 49'000));
    // No Close: the head log must not bring deleted samples back.
    std::filesystem::copy(dir_.path(), dir_.path() + "-copy",
                          std::filesystem::copy_options::recursive);
    ASSERT_OK(db->Close());
  }
  StorageOptions o;
  o.dir = dir_.path() + "-copy";
  ASSERT_OK_AND_ASSIGN(auto db, Storage::Open(o));
  ASSERT_OK_AND_ASSIGN(auto got, Query(*db, {Eq("__name__", "x")}));
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].samples.size(), 50u);
  EXPECT_EQ(got[0].samples[0].t, 50'000);
  ASSERT_OK(db->Close());
  std::filesystem::remove_all(o.dir);
}

// Series are read lazily (a batch at a time in Next), so a set used after Close reports
// Unavailable instead of touching the closed DB.
TEST_F(TsdbPersistenceTest, SeriesSetUsedAfterCloseReportsUnavailable) {
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
  auto app = db->NewAppender();
  for (int i = 0; i < 200; ++i) ASSERT_OK(app->Append(0, Labels{{"__name__", "x"}}, {0, i, 1}).status());
  ASSERT_OK(app->Commit());
  ASSERT_OK(db->Flush());
  ASSERT_OK_AND_ASSIGN(auto q, db->NewQuerier(kMinTimestamp, kMaxTimestamp));
  ASSERT_OK_AND_ASSIGN(auto set, q->Select(true, nullptr, {Eq("__name__", "x")}));
  ASSERT_OK(db->Close());
  EXPECT_EQ(q->Select(true, nullptr, {Eq("__name__", "x")}).status().code(),
            StatusCode::kUnavailable);
  EXPECT_FALSE(set->Next());
  EXPECT_EQ(set->status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(set->Next());
}

TEST_F(TsdbPersistenceTest, ConcurrentAppendersAndQueriers) {
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
  constexpr int kThreads = 4, kBatches = 50, kPerBatch = 40;
  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&, w] {
      auto app = db->NewAppender();
      for (int b = 0; b < kBatches; ++b) {
        for (int k = 0; k < kPerBatch; ++k) {
          Labels l{{"__name__", "c"}, {"w", std::to_string(w)}, {"k", std::to_string(k)}};
          if (!app->Append(0, l, {0, b * 1000, double(b)}).ok()) failed = true;
        }
        if (!app->Commit().ok()) failed = true;
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 50; ++i) {
      auto r = Query(*db, {Eq("__name__", "c")});
      if (!r.ok()) failed = true;
      for (const auto& s : *r) {
        for (size_t j = 1; j < s.samples.size(); ++j) {
          if (s.samples[j].t <= s.samples[j - 1].t) failed = true;
        }
      }
    }
  });
  for (auto& t : threads) t.join();
  EXPECT_FALSE(failed.load());
  ASSERT_OK_AND_ASSIGN(auto got, Query(*db, {Eq("__name__", "c")}));
  ASSERT_EQ(got.size(), size_t{kThreads * kPerBatch});
  for (const auto& s : got) EXPECT_EQ(s.samples.size(), size_t{kBatches});
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace tidemark::testing
