// Retention by time and by size drops whole old time partitions and the series left empty.
#include <gtest/gtest.h>

#include "storage/storage_test_util.h"

namespace tidemark::testing {
namespace {

constexpr int64_t kDay = 24LL * 3600 * 1000;
constexpr Timestamp kBase = 19000 * kDay;  // a partition boundary

class TsdbRetentionTest : public TsdbStoreTest {
 protected:
  Result<std::unique_ptr<Storage>> OpenStore(int64_t retention_ms, uint64_t retention_bytes) {
    StorageOptions o = StoreOptions();
    o.retention_ms = retention_ms;
    o.retention_bytes = retention_bytes;
    return Storage::Open(o);
  }

  // 10 days of one sample a minute for 8 series, plus one series that stops after day 1.
  void Fill(Storage& db) {
    for (int64_t t = kBase; t < kBase + 10 * kDay; t += 60'000 * 20) {
      auto app = db.NewAppender();
      for (int m = 0; m < 20; ++m) {
        Timestamp ts = t + m * 60'000;
        for (int i = 0; i < 8; ++i) {
          Labels l{{"__name__", "g"}, {"i", std::to_string(i)}};
          ASSERT_OK(app->Append(0, l, {0, ts, double(ts / 1000 % 977) + i}).status());
        }
        if (ts < kBase + kDay) {
          ASSERT_OK(app->Append(0, Labels{{"__name__", "early"}}, {0, ts, 1}).status());
        }
      }
      ASSERT_OK(app->Commit());
    }
  }
};

TEST_F(TsdbRetentionTest, TimeRetentionDropsOldPartitionsAndEmptySeries) {
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore(3 * kDay, 0));
  Fill(*db);
  ASSERT_OK(db->Flush());
  ASSERT_OK_AND_ASSIGN(auto before, Query(*db, {Eq("__name__", "g")}));
  ASSERT_EQ(before.size(), 8u);
  EXPECT_EQ(before[0].samples.front().t, kBase);
  const size_t n_before = before[0].samples.size();

  ASSERT_OK(db->EnforceRetention());
  ASSERT_OK_AND_ASSIGN(auto after, Query(*db, {Eq("__name__", "g")}));
  ASSERT_EQ(after.size(), 8u);
  const Timestamp newest = after[0].samples.back().t;
  EXPECT_EQ(newest, before[0].samples.back().t);
  // Everything older than the partition holding (newest - 3d) is gone; everything newer stays.
  const Timestamp cutoff = newest - 3 * kDay;
  const Timestamp kept_from = (cutoff / kDay) * kDay;
  EXPECT_GE(after[0].samples.front().t, kept_from - 2 * 3600 * 1000);  // a chunk may straddle
  EXPECT_LE(after[0].samples.front().t, cutoff);
  size_t expect_kept = 0;
  for (const auto& s : before[0].samples) expect_kept += s.t >= after[0].samples.front().t;
  EXPECT_EQ(after[0].samples.size(), expect_kept);
  EXPECT_LT(after[0].samples.size(), n_before / 2);
  // The series that only had day-one data is gone from the index too.
  ASSERT_OK_AND_ASSIGN(auto q, db->NewQuerier(kMinTimestamp, kMaxTimestamp));
  ASSERT_OK_AND_ASSIGN(auto names, q->LabelValues("__name__", {}));
  EXPECT_EQ(names, std::vector<std::string>{"g"});
  EXPECT_EQ(db->Stats().num_series, 8u);
  ASSERT_OK(db->Close());
  // And stays gone after a restart.
  ASSERT_OK_AND_ASSIGN(db, OpenStore(3 * kDay, 0));
  ASSERT_OK_AND_ASSIGN(auto reopened, Query(*db, {}));
  ASSERT_OK_AND_ASSIGN(reopened, Query(*db, {M(MatchType::kRegexMatch, "__name__", ".+")}));
  ASSERT_EQ(reopened.size(), 8u);
  EXPECT_EQ(reopened[0].samples.size(), after[0].samples.size());
  ASSERT_OK(db->Close());
}

TEST_F(TsdbRetentionTest, SizeRetentionDropsOldestPartitionsUntilUnderLimit) {
  uint64_t full_bytes = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenStore(0, 0));
    Fill(*db);
    ASSERT_OK(db->Flush());
    ASSERT_OK(db->EnforceRetention());  // no limits: nothing happens
    ASSERT_OK_AND_ASSIGN(auto all, Query(*db, {Eq("__name__", "g")}));
    EXPECT_EQ(all[0].samples.front().t, kBase);
    ASSERT_OK(db->Close());
  }
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenStore(0, 0));
    full_bytes = db->Stats().bytes_on_disk;
    ASSERT_GT(full_bytes, 0u);
    ASSERT_OK(db->Close());
  }
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore(0, full_bytes / 2));
  ASSERT_OK(db->EnforceRetention());
  StorageStats st = db->Stats();
  EXPECT_LT(st.bytes_on_disk, full_bytes * 3 / 4);
  ASSERT_OK_AND_ASSIGN(auto after, Query(*db, {Eq("__name__", "g")}));
  ASSERT_EQ(after.size(), 8u);
  // The oldest days are gone, the newest day is complete.
  EXPECT_GT(after[0].samples.front().t, kBase + 2 * kDay);
  EXPECT_EQ(after[0].samples.back().t, kBase + 10 * kDay - 60'000);
  size_t last_day = 0;
  for (const auto& s : after[0].samples) last_day += s.t >= kBase + 9 * kDay;
  EXPECT_EQ(last_day, size_t{24 * 60});
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace tidemark::testing
