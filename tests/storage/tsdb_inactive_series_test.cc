// Inactive series leave memory and live in RocksDB only: still found by queries, label APIs,
// appends (same ref), deletes and retention; Open loads only the active ones.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "storage/storage_test_util.h"

namespace tidemark::testing {
namespace {

constexpr int64_t kMin = 60'000;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;
constexpr Timestamp kBase = 19000 * kDay;  // a partition boundary
constexpr int64_t kStep = 15'000;

Labels OldLabels(int i) {
  return Labels{{"__name__", "old_metric"}, {"i", std::to_string(i)}, {"job", i % 2 ? "odd" : "even"}};
}
Labels LiveLabels(int i) { return Labels{{"__name__", "live_metric"}, {"i", std::to_string(i)}}; }

double ValueAt(int series, Timestamp t) { return static_cast<double>(series) * 1000.5 + t / kStep; }

class TsdbInactiveSeriesTest : public TsdbStoreTest {
 protected:
  Result<std::unique_ptr<Storage>> OpenStore(int64_t inactive_after = 10 * kMin,
                                             int64_t retention_ms = 0) {
    StorageOptions o = StoreOptions();
    o.retention_ms = retention_ms;
    o.series_inactive_after_ms = inactive_after;
    return Storage::Open(o);
  }

  // `n_old` series with samples in [kBase, kBase + 40 min), `n_live` in [kBase, kBase + 3 h],
  // one commit per scrape; records the refs the appender returned.
  void Fill(Storage& db, int n_old, int n_live) {
    for (Timestamp t = kBase; t <= kBase + 3 * kHour; t += kStep) {
      auto app = db.NewAppender();
      if (t < kBase + 40 * kMin) {
        for (int i = 0; i < n_old; ++i) {
          ASSERT_OK_AND_ASSIGN(SeriesRef r, app->Append(0, OldLabels(i), {0, t, ValueAt(i, t)}));
          old_refs_[i] = r;
        }
      }
      for (int i = 0; i < n_live; ++i) {
        ASSERT_OK(app->Append(0, LiveLabels(i), {0, t, ValueAt(100 + i, t)}).status());
      }
      ASSERT_OK(app->Commit());
    }
  }

  static void ExpectOldSeries(const std::vector<SeriesData>& got, int n_old) {
    ASSERT_EQ(got.size(), static_cast<size_t>(n_old));
    for (const auto& s : got) {
      const int i = std::stoi(std::string(s.labels.Get("i")));
      ASSERT_EQ(s.samples.size(), static_cast<size_t>(40 * kMin / kStep)) << s.labels.ToString();
      for (size_t k = 0; k < s.samples.size(); ++k) {
        const Timestamp t = kBase + static_cast<Timestamp>(k) * kStep;
        ASSERT_EQ(s.samples[k].t, t);
        ASSERT_EQ(Bits(s.samples[k].v), Bits(ValueAt(i, t)));
      }
    }
  }

  std::map<int, SeriesRef> old_refs_;
};

TEST_F(TsdbInactiveSeriesTest, InactiveSeriesAreEvictedAndStillQueried) {
  constexpr int kOld = 40, kLive = 5;
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
  Fill(*db, kOld, kLive);
  // Head truncation ran during the fill (every 256 commits); Flush cuts every head and evicts.
  ASSERT_OK(db->Flush());
  StorageStats st = db->Stats();
  EXPECT_EQ(st.num_series, static_cast<uint64_t>(kOld + kLive));
  EXPECT_EQ(st.resident_series, static_cast<uint64_t>(kLive));
  EXPECT_EQ(st.series_evicted, static_cast<uint64_t>(kOld));
  EXPECT_EQ(st.min_time, kBase);
  EXPECT_EQ(st.max_time, kBase + 3 * kHour);
  ASSERT_FALSE(st.series_count_by_metric.empty());
  EXPECT_EQ(st.series_count_by_metric[0].name, "old_metric");
  EXPECT_EQ(st.series_count_by_metric[0].value, static_cast<uint64_t>(kOld));

  ASSERT_OK_AND_ASSIGN(auto old, Query(*db, {Eq("__name__", "old_metric")}));
  ExpectOldSeries(old, kOld);
  // Regex, negative and empty-matching matchers over the persisted postings.
  ASSERT_OK_AND_ASSIGN(auto odd, Query(*db, {M(MatchType::kRegexMatch, "__name__", "old_.*"),
                                             M(MatchType::kNotEqual, "job", "even")}));
  EXPECT_EQ(odd.size(), static_cast<size_t>(kOld / 2));
  for (const auto& s : odd) EXPECT_EQ(s.labels.Get("job"), "odd");
  ASSERT_OK_AND_ASSIGN(auto set, Query(*db, {M(MatchType::kRegexMatch, "i", "3|7|41"),
                                             M(MatchType::kEqual, "missing", "")}));
  ASSERT_EQ(set.size(), 3u);  // live 3, old 3, old 7 (no series has i=41)
  EXPECT_EQ(set[0].labels.Get("__name__"), "live_metric");
  ASSERT_OK_AND_ASSIGN(auto none, Query(*db, {M(MatchType::kRegexNoMatch, "__name__", "old.*|live.*")}));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(auto all, Query(*db, {}));
  EXPECT_EQ(all.size(), static_cast<size_t>(kOld + kLive));
  // A range after the old series' data: only the live ones.
  ASSERT_OK_AND_ASSIGN(auto recent, Query(*db, {}, kBase + 2 * kHour, kBase + 3 * kHour));
  EXPECT_EQ(recent.size(), static_cast<size_t>(kLive));

  ASSERT_OK_AND_ASSIGN(auto q, db->NewQuerier(kBase, kBase + 3 * kHour));
  ASSERT_OK_AND_ASSIGN(auto names, q->LabelValues("__name__", {}));
  EXPECT_EQ(names, (std::vector<std::string>{"live_metric", "old_metric"}));
  ASSERT_OK_AND_ASSIGN(auto jobs, q->LabelValues("job", {Eq("i", "2")}));
  EXPECT_EQ(jobs, std::vector<std::string>{"even"});
  ASSERT_OK_AND_ASSIGN(auto lnames, q->LabelNames({Eq("__name__", "old_metric")}));
  EXPECT_EQ(lnames, (std::vector<std::string>{"__name__", "i", "job"}));
  ASSERT_OK_AND_ASSIGN(auto q2, db->NewQuerier(kBase + 2 * kHour, kBase + 3 * kHour));
  ASSERT_OK_AND_ASSIGN(auto recent_names, q2->LabelValues("__name__", {}));
  EXPECT_EQ(recent_names, std::vector<std::string>{"live_metric"});
}

TEST_F(TsdbInactiveSeriesTest, ReturningSeriesKeepsItsRef) {
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
  Fill(*db, 10, 2);
  ASSERT_OK(db->Flush());
  ASSERT_EQ(db->Stats().resident_series, 2u);
  const Timestamp t_new = kBase + 3 * kHour + kMin;
  auto app = db->NewAppender();
  ASSERT_OK_AND_ASSIGN(SeriesRef r, app->Append(0, OldLabels(4), {0, t_new, 42.5}));
  EXPECT_EQ(r, old_refs_[4]);
  // Checks against a series read back from RocksDB: its newest sample bounds the out-of-order
  // window, and a persisted sample is a duplicate (same value) or a conflict (another value).
  const Timestamp last = kBase + 40 * kMin - kStep;
  EXPECT_EQ(app->Append(0, OldLabels(5), {0, kBase, ValueAt(5, kBase)}).status().code(),
            StatusCode::kOutOfRange);
  ASSERT_OK(app->Append(0, OldLabels(5), {0, last, ValueAt(5, last)}).status());
  EXPECT_EQ(app->Append(0, OldLabels(5), {0, last, 1.0}).status().code(),
            StatusCode::kAlreadyExists);
  ASSERT_OK(app->Commit());
  EXPECT_EQ(db->Stats().resident_series, 4u);
  ASSERT_OK_AND_ASSIGN(auto got, Query(*db, {Eq("__name__", "old_metric"), Eq("i", "4")}));
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].samples.size(), static_cast<size_t>(40 * kMin / kStep + 1));
  EXPECT_EQ(got[0].samples.front().t, kBase);
  EXPECT_EQ(got[0].samples.back().t, t_new);
  EXPECT_EQ(Bits(got[0].samples.back().v), Bits(42.5));
  // The ref survives a restart too, and the series is one series there as well.
  ASSERT_OK(db->Close());
  ASSERT_OK_AND_ASSIGN(auto db2, OpenStore());
  auto app2 = db2->NewAppender();
  ASSERT_OK_AND_ASSIGN(SeriesRef r2, app2->Append(0, OldLabels(4), {0, t_new + kStep, 43}));
  EXPECT_EQ(r2, old_refs_[4]);
  ASSERT_OK_AND_ASSIGN(SeriesRef r3, app2->Append(0, OldLabels(6), {0, t_new + kStep, 44}));
  EXPECT_EQ(r3, old_refs_[6]);
  ASSERT_OK(app2->Commit());
  ASSERT_OK_AND_ASSIGN(auto got2, Query(*db2, {Eq("__name__", "old_metric")}));
  ASSERT_EQ(got2.size(), 10u);
  EXPECT_EQ(got2[4].samples.size(), static_cast<size_t>(40 * kMin / kStep + 2));
  EXPECT_EQ(got2[6].samples.size(), static_cast<size_t>(40 * kMin / kStep + 1));
}

TEST_F(TsdbInactiveSeriesTest, OpenLoadsOnlyActiveSeries) {
  constexpr int kOld = 300, kLive = 7;
  {
    // Eviction off while writing: Open must decide from disk alone.
    ASSERT_OK_AND_ASSIGN(auto db, OpenStore(0));
    Fill(*db, kOld, kLive);
    StorageStats st = db->Stats();
    EXPECT_EQ(st.resident_series, static_cast<uint64_t>(kOld + kLive));
    ASSERT_OK(db->Close());
  }
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
    StorageStats st = db->Stats();
    EXPECT_EQ(st.resident_series, static_cast<uint64_t>(kLive));
    EXPECT_EQ(st.num_series, static_cast<uint64_t>(kOld + kLive));
    ASSERT_OK_AND_ASSIGN(auto old, Query(*db, {Eq("__name__", "old_metric")}));
    ExpectOldSeries(old, kOld);
    ASSERT_OK_AND_ASSIGN(auto live, Query(*db, {Eq("__name__", "live_metric")}));
    ASSERT_EQ(live.size(), static_cast<size_t>(kLive));
    EXPECT_EQ(live[0].samples.size(), static_cast<size_t>(3 * kHour / kStep + 1));
    ASSERT_OK(db->Close());
  }
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenStore(0));  // eviction off: everything resident again
    EXPECT_EQ(db->Stats().resident_series, static_cast<uint64_t>(kOld + kLive));
  }
}

TEST_F(TsdbInactiveSeriesTest, HeadLogDataOfAnInactiveSeriesIsReplayed) {
  // A series whose head sits only in the head log at a crash is loaded by replay even though
  // its head mark says it is old.
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
    Fill(*db, 3, 1);
    ASSERT_OK(db->Close());
  }
  const Timestamp t = kBase + 3 * kHour + kStep;
  pid_t pid = fork();
  ASSERT_NE(pid, -1);
  if (pid == 0) {  // child: append, then die without closing (the head is not cut)
    auto db = OpenStore();
    if (!db.ok()) _exit(2);
    auto app = (*db)->NewAppender();
    if (!app->Append(0, OldLabels(1), {0, t, 7}).ok()) _exit(3);
    if (!app->Append(0, LiveLabels(0), {0, t, 8}).ok()) _exit(4);
    if (!app->Commit().ok()) _exit(5);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  ASSERT_OK_AND_ASSIGN(auto db2, OpenStore());
  EXPECT_EQ(db2->Stats().resident_series, 2u);  // the live series and the replayed one
  ASSERT_OK_AND_ASSIGN(auto got, Query(*db2, {Eq("__name__", "old_metric"), Eq("i", "1")}));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].samples.size(), static_cast<size_t>(40 * kMin / kStep + 1));
  EXPECT_EQ(got[0].samples.back().t, t);
  EXPECT_EQ(got[0].samples.back().v, 7);
}

TEST_F(TsdbInactiveSeriesTest, DeleteReachesInactiveSeries) {
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
  Fill(*db, 6, 2);
  ASSERT_OK(db->Flush());
  ASSERT_EQ(db->Stats().resident_series, 2u);
  // Delete the first 10 minutes of the odd old series.
  ASSERT_OK(db->DeleteSeries({Eq("__name__", "old_metric"), Eq("job", "odd")}, kBase,
                             kBase + 10 * kMin - 1));
  auto check = [&](Storage& s) {
    ASSERT_OK_AND_ASSIGN(auto got, Query(s, {Eq("__name__", "old_metric")}));
    ASSERT_EQ(got.size(), 6u);
    for (const auto& sd : got) {
      const bool odd = sd.labels.Get("job") == "odd";
      const size_t full = 40 * kMin / kStep;
      EXPECT_EQ(sd.samples.size(), odd ? full - 10 * kMin / kStep : full) << sd.labels.ToString();
      EXPECT_EQ(sd.samples.front().t, odd ? kBase + 10 * kMin : kBase);
    }
  };
  check(*db);
  ASSERT_OK(db->Flush());  // evicts them again
  EXPECT_EQ(db->Stats().resident_series, 2u);
  check(*db);
  // Deleting everything of one inactive series leaves it without data.
  ASSERT_OK(db->DeleteSeries({Eq("__name__", "old_metric"), Eq("i", "0")}, kMinTimestamp,
                             kMaxTimestamp - 1));
  ASSERT_OK_AND_ASSIGN(auto five, Query(*db, {Eq("__name__", "old_metric")}));
  EXPECT_EQ(five.size(), 5u);
  ASSERT_OK(db->Close());
  ASSERT_OK_AND_ASSIGN(auto db2, OpenStore());
  ASSERT_OK_AND_ASSIGN(auto five2, Query(*db2, {Eq("__name__", "old_metric")}));
  EXPECT_EQ(five2.size(), 5u);
  EXPECT_EQ(db2->Stats().num_series, 7u);
}

TEST_F(TsdbInactiveSeriesTest, RetentionDropsInactiveSeries) {
  // Old series on day 0 only; live series for 5 days; 2 days of retention.
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore(kHour, 2 * kDay));
  Labels old_l{{"__name__", "gone"}};
  Labels mid_l{{"__name__", "trimmed"}};
  Labels live_l{{"__name__", "live"}};
  for (Timestamp t = kBase; t < kBase + 5 * kDay; t += 5 * kMin) {
    auto app = db->NewAppender();
    if (t < kBase + kHour) ASSERT_OK(app->Append(0, old_l, {0, t, 1}).status());
    if (t < kBase + 3 * kDay + kHour) ASSERT_OK(app->Append(0, mid_l, {0, t, 2}).status());
    ASSERT_OK(app->Append(0, live_l, {0, t, 3}).status());
    ASSERT_OK(app->Commit());
  }
  ASSERT_OK(db->Flush());
  StorageStats st = db->Stats();
  EXPECT_EQ(st.resident_series, 1u);
  EXPECT_EQ(st.num_series, 3u);
  ASSERT_OK(db->EnforceRetention());
  st = db->Stats();
  EXPECT_EQ(st.num_series, 2u);
  ASSERT_OK_AND_ASSIGN(auto gone, Query(*db, {Eq("__name__", "gone")}));
  EXPECT_TRUE(gone.empty());
  ASSERT_OK_AND_ASSIGN(auto mid, Query(*db, {Eq("__name__", "trimmed")}));
  ASSERT_EQ(mid.size(), 1u);
  EXPECT_GE(mid[0].samples.front().t, kBase + 2 * kDay - 2 * kHour);  // a chunk may straddle
  EXPECT_EQ(mid[0].samples.back().t, kBase + 3 * kDay + kHour - 5 * kMin);
  EXPECT_GE(st.min_time, kBase + 2 * kDay);
  ASSERT_OK(db->Close());
  ASSERT_OK_AND_ASSIGN(auto db2, OpenStore(kHour, 2 * kDay));
  EXPECT_EQ(db2->Stats().num_series, 2u);
  // A dropped series that comes back is a new series (new ref), with only the new sample.
  ASSERT_OK(AppendOne(*db2, old_l, kBase + 5 * kDay, 9));
  ASSERT_OK_AND_ASSIGN(auto back, Query(*db2, {Eq("__name__", "gone")}));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].samples.size(), 1u);
}

// Refs are never handed out twice: not even when retention dropped the highest one and the
// store restarted, so nothing keyed by an old ref can ever be read as a new series'.
TEST_F(TsdbInactiveSeriesTest, RefsOfDroppedSeriesAreNotReusedAfterRestart) {
  SeriesRef gone_ref = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenStore(kHour, 2 * kDay));
    for (Timestamp t = kBase; t < kBase + 5 * kDay; t += 5 * kMin) {
      auto app = db->NewAppender();
      ASSERT_OK(app->Append(0, Labels{{"__name__", "live"}}, {0, t, 1}).status());
      if (t < kBase + kHour) {
        ASSERT_OK_AND_ASSIGN(gone_ref, app->Append(0, Labels{{"__name__", "gone"}}, {0, t, 2}));
      }
      ASSERT_OK(app->Commit());
    }
    ASSERT_OK(db->Flush());
    ASSERT_OK(db->EnforceRetention());
    ASSERT_EQ(db->Stats().num_series, 1u);
    ASSERT_OK(db->Close());
  }
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore(kHour, 2 * kDay));
  auto app = db->NewAppender();
  ASSERT_OK_AND_ASSIGN(SeriesRef fresh, app->Append(0, Labels{{"__name__", "fresh"}}, {0, kBase + 5 * kDay, 3}));
  ASSERT_OK(app->Commit());
  EXPECT_GT(fresh, gone_ref);
}

// Appenders race head truncation (which evicts) and queries. Each writer owns its series; a
// writer that falls behind has its series evicted while it is still appending to them. Every
// acknowledged sample must be there once, each label set must stay one series with one ref.
TEST_F(TsdbInactiveSeriesTest, AppendsRaceEviction) {
  constexpr int kWriters = 4, kSeriesPerWriter = 20, kRounds = 300;
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore(2 * kMin));
  std::atomic<bool> stop{false};
  std::vector<std::map<int, std::vector<Sample>>> acked(kWriters);
  std::vector<std::map<int, SeriesRef>> refs(kWriters);
  std::atomic<int> failures{0};
  auto writer = [&](int w) {
    for (int r = 0; r < kRounds; ++r) {
      // Writer w advances w+1 steps per round: the slow ones fall behind the store's newest time.
      const Timestamp t = kBase + static_cast<Timestamp>(r) * (w + 1) * kStep;
      auto app = db->NewAppender();
      std::vector<std::pair<int, double>> batch;
      for (int i = 0; i < kSeriesPerWriter; ++i) {
        // Half the series only get a sample every 8th round: they go idle in between.
        if (i % 2 == 1 && r % 8 != 0) continue;
        Labels l{{"__name__", "race"}, {"w", std::to_string(w)}, {"i", std::to_string(i)}};
        const double v = w * 1e6 + i * 1e3 + r;
        auto ref = app->Append(0, l, {0, t, v});
        if (!ref.ok()) {
          ++failures;
          continue;
        }
        auto [it, fresh] = refs[w].emplace(i, *ref);
        if (!fresh && it->second != *ref) ++failures;
        batch.emplace_back(i, v);
      }
      if (!app->Commit().ok()) {
        ++failures;
        continue;
      }
      for (const auto& [i, v] : batch) acked[w][i].push_back({t, v});
    }
  };
  std::thread flusher([&] {
    while (!stop.load()) {
      if (!db->Flush().ok()) ++failures;
      std::this_thread::yield();
    }
  });
  std::thread reader([&] {
    while (!stop.load()) {
      auto got = Query(*db, {Eq("__name__", "race")});
      if (!got.ok()) ++failures;
      auto q = db->NewQuerier(kMinTimestamp, kMaxTimestamp);
      if (!q.ok() || !(*q)->LabelValues("i", {}).ok()) ++failures;
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) writers.emplace_back(writer, w);
  for (auto& t : writers) t.join();
  stop.store(true);
  flusher.join();
  reader.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK(db->Flush());  // the slowest writer's series are behind the newest time by hours
  EXPECT_GT(db->Stats().series_evicted, 0u);

  auto verify = [&](Storage& s) {
    ASSERT_OK_AND_ASSIGN(auto got, Query(s, {Eq("__name__", "race")}));
    ASSERT_EQ(got.size(), static_cast<size_t>(kWriters * kSeriesPerWriter));
    for (const auto& sd : got) {
      const int w = std::stoi(std::string(sd.labels.Get("w")));
      const int i = std::stoi(std::string(sd.labels.Get("i")));
      const auto& want = acked[w][i];
      ASSERT_EQ(sd.samples.size(), want.size()) << sd.labels.ToString();
      for (size_t k = 0; k < want.size(); ++k) {
        ASSERT_EQ(sd.samples[k].t, want[k].t);
        ASSERT_EQ(Bits(sd.samples[k].v), Bits(want[k].v));
      }
    }
  };
  verify(*db);
  ASSERT_OK(db->Close());
  ASSERT_OK_AND_ASSIGN(auto db2, OpenStore(2 * kMin));
  verify(*db2);
  // Refs are stable across the restart as well.
  auto app = db2->NewAppender();
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kSeriesPerWriter; ++i) {
      Labels l{{"__name__", "race"}, {"w", std::to_string(w)}, {"i", std::to_string(i)}};
      ASSERT_OK_AND_ASSIGN(SeriesRef r, app->Append(0, l, {0, kBase + 400 * 4 * kStep, 1}));
      EXPECT_EQ(r, refs[w][i]);
    }
  }
  ASSERT_OK(app->Commit());
}

}  // namespace
}  // namespace tidemark::testing
