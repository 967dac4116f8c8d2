// Cold compaction of the RocksDB store: sealed chunks become cold blocks without changing a
// single sample (bits included), through late data, deletions, concurrent writers and reopen.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <map>
#include <thread>

#include "storage/storage_test_util.h"
#include "support/datagen.h"

namespace tidemark::testing {
namespace {

constexpr int64_t kStep = 15000;
// On a 6 h window boundary, so every window but the last is full (1440 samples, 12 chunks).
constexpr Timestamp kStart = 78704LL * 6 * 3600 * 1000;

Labels SeriesLabels(int i) {
  return Labels{{"__name__", "cold_metric"}, {"instance", "host-" + std::to_string(i)}};
}

using Expected = std::map<std::string, std::vector<Sample>>;

class TsdbCompactionTest : public TsdbStoreTest {
 protected:
  Result<std::unique_ptr<Storage>> OpenStore(int64_t ooo_window_ms = 10 * 60 * 1000) {
    StorageOptions o = StoreOptions();
    o.out_of_order_window_ms = ooo_window_ms;
    return Storage::Open(o);
  }

  // `series` series of `n` realistic samples each; series 0 also carries the values whose bits
  // are easiest to lose (stale marker, NaN payload, -0, infinities, denormal).
  Expected Generate(int series, size_t n) {
    Expected want;
    for (int i = 0; i < series; ++i) {
      auto samples = GenerateSeries({RealisticMixPattern(i), TimePattern::kJittered}, n, i, kStart);
      if (i == 0) {
        const double special[] = {std::bit_cast<double>(uint64_t{0x7ff0000000000002}),
                                  std::bit_cast<double>(uint64_t{0x7ff8000000000bad}),
                                  -0.0, INFINITY, -INFINITY, 4.9e-324};
        for (size_t k = 0; k < std::size(special); ++k) samples[100 + 97 * k].v = special[k];
      }
      want[SeriesLabels(i).ToString()] = std::move(samples);
    }
    return want;
  }

  static void AppendAll(Storage& db, const Expected& want, size_t from, size_t to) {
    constexpr size_t kBatch = 40;
    for (size_t k = from; k < to; k += kBatch) {
      auto app = db.NewAppender();
      int i = 0;
      for (const auto& [name, samples] : want) {
        for (size_t j = k; j < std::min(to, k + kBatch); ++j) {
          ASSERT_OK(app->Append(0, SeriesLabels(i), {0, samples[j].t, samples[j].v}).status());
        }
        ++i;
      }
      ASSERT_OK(app->Commit());
    }
  }

  // Every sample of every series in [mint, maxt] is present, in order, bit for bit.
  static void ExpectData(Storage& db, const Expected& want, Timestamp mint = kMinTimestamp,
                         Timestamp maxt = kMaxTimestamp) {
    ASSERT_OK_AND_ASSIGN(auto got, Query(db, {Eq("__name__", "cold_metric")}, mint, maxt));
    ASSERT_EQ(got.size(), want.size());
    for (const auto& s : got) {
      auto it = want.find(s.labels.ToString());
      ASSERT_NE(it, want.end()) << s.labels.ToString();
      std::vector<Sample> exp;
      for (const Sample& x : it->second) {
        if (x.t >= mint && x.t <= maxt) exp.push_back(x);
      }
      ASSERT_EQ(s.samples.size(), exp.size()) << s.labels.ToString();
      for (size_t j = 0; j < exp.size(); ++j) {
        ASSERT_EQ(s.samples[j].t, exp[j].t) << s.labels.ToString() << " #" << j;
        ASSERT_EQ(Bits(s.samples[j].v), Bits(exp[j].v)) << s.labels.ToString() << " #" << j;
      }
    }
  }

  // Closes the store, opens it again and checks everything is still there.
  void ExpectDataAfterReopen(std::unique_ptr<Storage>& db, const Expected& want,
                             int64_t ooo_window_ms = 10 * 60 * 1000) {
    ASSERT_OK(db->Close());
    ASSERT_OK_AND_ASSIGN(db, OpenStore(ooo_window_ms));
    ExpectData(*db, want);
  }
};

TEST_F(TsdbCompactionTest, SettledWindowsBecomeColdBlocksWithIdenticalSamples) {
  constexpr size_t kSamples = 3600;  // 15 h: two settled 6 h windows, one still open
  Expected want = Generate(8, kSamples);
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
  AppendAll(*db, want, 0, kSamples);
  ASSERT_OK(db->Flush());
  const uint64_t xor_bytes = db->Stats().bytes_on_disk;

  ASSERT_OK(db->Compact(CompactScope::kSettled));
  StorageStats st = db->Stats();
  // Two settled windows per series, each one block made of twelve 120-sample chunks.
  EXPECT_EQ(st.cold_blocks_written, uint64_t{8 * 2});
  EXPECT_EQ(st.cold_chunks_merged, uint64_t{8 * 2 * 12});
  ExpectData(*db, want);
  // Ranges that start and end inside blocks, and across the cold/XOR boundary.
  ExpectData(*db, want, kStart + 1000 * kStep + 7, kStart + 1100 * kStep);
  ExpectData(*db, want, kStart + 1400 * kStep, kStart + 1500 * kStep);

  // A second settled pass has nothing left to do.
  ASSERT_OK(db->Compact(CompactScope::kSettled));
  EXPECT_EQ(db->Stats().cold_blocks_written, st.cold_blocks_written);

  ASSERT_OK(db->Compact(CompactScope::kEverything));
  st = db->Stats();
  EXPECT_EQ(st.cold_blocks_written, uint64_t{8 * 3});
  ExpectData(*db, want);
  EXPECT_LT(st.bytes_on_disk, xor_bytes * 3 / 4) << "cold " << st.bytes_on_disk << " vs xor " << xor_bytes;
  ExpectDataAfterReopen(db, want);
  ExpectData(*db, want, kStart + 3599 * kStep - 5, kMaxTimestamp);
}

TEST_F(TsdbCompactionTest, LateSamplesMergeIntoCompactedWindows) {
  constexpr size_t kSamples = 600;
  Expected all = Generate(3, kSamples);
  // Every fourth sample arrives late, after its window was compacted.
  Expected early, late;
  for (auto& [name, samples] : all) {
    for (size_t j = 0; j < samples.size(); ++j) (j % 4 == 3 ? late : early)[name].push_back(samples[j]);
  }
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore(/*ooo_window_ms=*/24LL * 3600 * 1000));
  AppendAll(*db, early, 0, early.begin()->second.size());
  ASSERT_OK(db->Compact(CompactScope::kEverything));
  const uint64_t blocks = db->Stats().cold_blocks_written;
  EXPECT_EQ(blocks, uint64_t{3 * 1});
  AppendAll(*db, late, 0, late.begin()->second.size());
  // Re-sending samples that are already in cold blocks is a no-op, not a conflict.
  AppendAll(*db, early, 0, 10);
  auto app = db->NewAppender();
  const Sample first = all.begin()->second[0];
  EXPECT_EQ(app->Append(0, SeriesLabels(0), {0, first.t, first.v + 1}).status().code(),
            StatusCode::kAlreadyExists);
  app->Rollback().IgnoreError();
  ExpectData(*db, all);

  ASSERT_OK(db->Compact(CompactScope::kEverything));
  EXPECT_EQ(db->Stats().cold_blocks_written, blocks + 3);
  ExpectData(*db, all);
  ExpectDataAfterReopen(db, all);
}

TEST_F(TsdbCompactionTest, DeletionsBeforeAndAfterCompactionStayDeleted) {
  constexpr size_t kSamples = 2000;
  Expected want = Generate(4, kSamples);
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
  AppendAll(*db, want, 0, kSamples);
  const Timestamp d1 = kStart + 100 * kStep, d2 = kStart + 300 * kStep;
  ASSERT_OK(db->DeleteSeries({Eq("instance", "host-1")}, d1, d2));
  ASSERT_OK(db->Compact(CompactScope::kEverything));
  const Timestamp d3 = kStart + 1500 * kStep, d4 = kStart + 1600 * kStep;
  ASSERT_OK(db->DeleteSeries({Eq("instance", "host-2")}, d3, d4));
  ASSERT_OK(db->Compact(CompactScope::kEverything));
  std::erase_if(want[SeriesLabels(1).ToString()], [&](const Sample& s) { return s.t >= d1 && s.t <= d2; });
  std::erase_if(want[SeriesLabels(2).ToString()], [&](const Sample& s) { return s.t >= d3 && s.t <= d4; });
  ExpectData(*db, want);
  ExpectDataAfterReopen(db, want);
}

TEST_F(TsdbCompactionTest, CompactionRacesWritersAndReadersWithoutLosingSamples) {
  constexpr size_t kSamples = 4000;
  Expected want = Generate(6, kSamples);
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
  std::atomic<bool> done{false};
  std::atomic<int> bad_reads{0}, failed_compactions{0};
  std::thread compactor([&] {
    while (!done.load()) {
      Status s = db->Compact(CompactScope::kSettled);
      if (!s.ok()) {
        ADD_FAILURE() << s.ToString();
        ++failed_compactions;
      }
    }
  });
  std::thread reader([&] {
    while (!done.load()) {
      auto got = Query(*db, {Eq("__name__", "cold_metric")});
      if (!got.ok()) {
        if (bad_reads++ == 0) ADD_FAILURE() << got.status().ToString();
        continue;
      }
      // Whatever is visible is a prefix of each series, in order, without gaps or duplicates.
      for (const auto& s : *got) {
        const auto& exp = want[s.labels.ToString()];
        for (size_t j = 0; j < s.samples.size(); ++j) {
          if (j >= exp.size() || s.samples[j].t != exp[j].t) {
            if (bad_reads++ == 0) {
              ADD_FAILURE() << s.labels.ToString() << " #" << j << " of " << s.samples.size()
                            << ": got t=" << s.samples[j].t << " want "
                            << (j < exp.size() ? exp[j].t : -1);
            }
            break;
          }
        }
      }
    }
  });
  // Half the data settles the first window; wait until the compactor has been at it (so it
  // surely runs while the rest is written), then write the rest.
  AppendAll(*db, want, 0, kSamples / 2);
  for (int i = 0; i < 3000 && db->Stats().cold_blocks_written == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  AppendAll(*db, want, kSamples / 2, kSamples);
  done = true;
  compactor.join();
  reader.join();
  EXPECT_EQ(bad_reads.load(), 0);
  EXPECT_EQ(failed_compactions.load(), 0);
  EXPECT_GT(db->Stats().cold_blocks_written, 0u);
  ExpectData(*db, want);
  ExpectDataAfterReopen(db, want);
}

}  // namespace
}  // namespace tidemark::testing
