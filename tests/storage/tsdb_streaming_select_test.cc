// Select streams series a batch at a time (head copies, then persisted chunks, per batch): the
// result must be exactly what a fully loaded set gave, on a store mixing persisted chunks, head
// chunks, out-of-order samples, deletions and series without samples in the queried range.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage_test_util.h"

namespace tidemark::testing {
namespace {

// Labels -> samples, kept sorted by time; iteration order is label order.
using Model = std::map<Labels, std::vector<Sample>>;

class TsdbStreamingSelectTest : public TsdbStoreTest {
 protected:
  static Labels SeriesLabels(int i) {
    // Ids as plain numbers, so label order ("10" < "9") differs from creation order.
    return Labels{{"__name__", "s"}, {"grp", i % 2 ? "odd" : "even"}, {"id", std::to_string(i)}};
  }
  void Add(Storage& db, Model* model, int i, Timestamp t, double v) {
    auto app = db.NewAppender();
    ASSERT_OK(app->Append(0, SeriesLabels(i), SampleIn{0, t, v}).status());
    ASSERT_OK(app->Commit());
    (*model)[SeriesLabels(i)].push_back({t, v});
  }
  void ExpectSelect(Storage& db, const Model& model, Timestamp mint, Timestamp maxt) {
    std::vector<SeriesData> want;
    for (const auto& [l, samples] : model) {
      SeriesData d{l, {}};
      for (const Sample& s : samples) {
        if (s.t >= mint && s.t <= maxt) d.samples.push_back(s);
      }
      std::sort(d.samples.begin(), d.samples.end(),
                [](const Sample& a, const Sample& b) { return a.t < b.t; });
      if (!d.samples.empty()) want.push_back(std::move(d));
    }
    ASSERT_OK_AND_ASSIGN(auto got, Query(db, {Eq("__name__", "s")}, mint, maxt));
    ASSERT_EQ(got.size(), want.size()) << "range [" << mint << ", " << maxt << "]";
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].labels, want[i].labels) << "series #" << i;
      ASSERT_EQ(got[i].samples.size(), want[i].samples.size()) << want[i].labels.ToString();
      for (size_t j = 0; j < got[i].samples.size(); ++j) {
        EXPECT_EQ(got[i].samples[j].t, want[i].samples[j].t) << want[i].labels.ToString();
        EXPECT_EQ(Bits(got[i].samples[j].v), Bits(want[i].samples[j].v))
            << want[i].labels.ToString() << " at " << want[i].samples[j].t;
      }
    }
  }
  // With last_sample_only, each series of [start, end] ends on its last sample there and yields
  // nothing outside that range. Returns how many series came with just that one sample.
  size_t ExpectLastSamples(Storage& db, const Model& model, Timestamp start, Timestamp end) {
    SelectHints hints;
    hints.start = start;
    hints.end = end;
    hints.last_sample_only = true;
    std::vector<std::pair<Labels, Sample>> want;
    for (const auto& [l, samples] : model) {
      std::optional<Sample> last;
      for (const Sample& s : samples) {
        if (s.t >= start && s.t <= end && (!last || s.t > last->t)) last = s;
      }
      if (last) want.emplace_back(l, *last);
    }
    auto got = Query(db, {Eq("__name__", "s")}, kMinTimestamp, kMaxTimestamp, &hints);
    EXPECT_OK(got.status());
    if (!got.ok()) return 0;
    EXPECT_EQ(got->size(), want.size()) << "[" << start << ", " << end << "]";
    size_t single = 0;
    for (size_t i = 0; i < std::min(got->size(), want.size()); ++i) {
      const SeriesData& g = (*got)[i];
      EXPECT_EQ(g.labels, want[i].first) << "series #" << i;
      if (g.samples.empty()) {
        ADD_FAILURE() << g.labels.ToString() << " without samples";
        continue;
      }
      EXPECT_GE(g.samples.front().t, start) << g.labels.ToString();
      EXPECT_EQ(g.samples.back().t, want[i].second.t) << g.labels.ToString();
      EXPECT_EQ(Bits(g.samples.back().v), Bits(want[i].second.v)) << g.labels.ToString();
      single += g.samples.size() == 1;
    }
    return single;
  }
};

TEST_F(TsdbStreamingSelectTest, ManyBatchesOfMixedSeriesMatchTheModel) {
  constexpr int kSeries = 150;  // more than two of Select's batches
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
  Model model;
  {
    // Persisted part: 200 samples per series, flushed to RocksDB.
    auto app = db->NewAppender();
    for (int i = 0; i < kSeries; ++i) {
      for (int k = 0; k < 200; ++k) {
        const Timestamp t = 1000 * k;
        const double v = i * 1000.0 + k;
        ASSERT_OK(app->Append(0, SeriesLabels(i), SampleIn{0, t, v}).status());
        model[SeriesLabels(i)].push_back({t, v});
      }
    }
    ASSERT_OK(app->Commit());
    ASSERT_OK(db->Flush());
  }
  {
    // Head part; every fifth series also gets out-of-order samples between persisted ones.
    auto app = db->NewAppender();
    for (int i = 0; i < kSeries; ++i) {
      for (int k = 200; k < 260; ++k) {
        ASSERT_OK(app->Append(0, SeriesLabels(i), SampleIn{0, 1000 * k, -1.0 * k}).status());
        model[SeriesLabels(i)].push_back({1000 * k, -1.0 * k});
      }
    }
    ASSERT_OK(app->Commit());
    for (int i = 0; i < kSeries; i += 5) {
      for (int k = 190; k < 200; ++k) Add(*db, &model, i, 1000 * k + 500, 0.5);
    }
  }
  // Deletions in the persisted range for every seventh series.
  for (int i = 3; i < kSeries; i += 7) {
    ASSERT_OK(db->DeleteSeries({Eq("id", std::to_string(i))}, 50'000, 150'000));
    std::erase_if(model[SeriesLabels(i)],
                  [](const Sample& s) { return s.t >= 50'000 && s.t <= 150'000; });
  }
  // One series with a single chunk spanning a range it has no sample in.
  Add(*db, &model, 1000, 10'000, 1);
  Add(*db, &model, 1000, 255'000, 2);

  ExpectSelect(*db, model, kMinTimestamp, kMaxTimestamp);
  ExpectSelect(*db, model, 60'000, 140'000);   // inside the deleted stretch of some series
  ExpectSelect(*db, model, 189'000, 201'000);  // persisted, out-of-order and head together
  ExpectSelect(*db, model, 255'500, 300'000);  // only series 1000... and nothing else
  ExpectSelect(*db, model, 12'000, 254'000);   // series 1000 overlaps but has no sample here

  // The last sample of an instant selector: the head knows it for most series (one sample
  // comes back); deleted series (sealed heads) and ranges ending before the newest sample are
  // read as usual.
  EXPECT_GT(ExpectLastSamples(*db, model, 200'000, 259'000), static_cast<size_t>(kSeries) / 2);
  EXPECT_GT(ExpectLastSamples(*db, model, 250'000, 400'000), static_cast<size_t>(kSeries) / 2);
  EXPECT_EQ(ExpectLastSamples(*db, model, 100'000, 230'000), 0u);
  ExpectLastSamples(*db, model, 10'000, 10'000);
  ExpectLastSamples(*db, model, 300'000, 400'000);  // after every sample: nothing
  ASSERT_OK(db->Close());
}

TEST_F(TsdbStreamingSelectTest, RangesAtTheEdgesOfPersistedDataFindIt) {
  // Select reads the store only for series whose persisted span (kept in memory, restored from
  // head marks at open) overlaps the range: ranges that touch that span's ends by one
  // millisecond must still find the persisted samples there, before and after a reopen, a
  // deletion and an out-of-order chunk.
  constexpr int kSeries = 70;  // more than one of Select's batches
  Model model;
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
    auto app = db->NewAppender();
    for (int i = 0; i < kSeries; ++i) {
      for (int k = 0; k < 100; ++k) {
        ASSERT_OK(app->Append(0, SeriesLabels(i), SampleIn{0, 1000 * k, i + 0.25 * k}).status());
        model[SeriesLabels(i)].push_back({1000 * k, i + 0.25 * k});
      }
    }
    ASSERT_OK(app->Commit());
    ASSERT_OK(db->Flush());  // persisted span of every series: [0, 99'000]
    for (int i = 0; i < kSeries; ++i) {
      for (int k = 100; k < 150; ++k) Add(*db, &model, i, 1000 * k, -1.0 * k);
    }
    ExpectSelect(*db, model, 99'000, 120'000);  // the persisted span's last millisecond
    ExpectSelect(*db, model, 99'001, 120'000);  // head only
    ExpectSelect(*db, model, -5'000, 0);        // the persisted span's first millisecond
    ExpectSelect(*db, model, 98'500, 99'500);   // inside the persisted span, between samples
    ASSERT_OK(db->Close());
  }
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore());  // spans from the head marks, heads replayed
  ExpectSelect(*db, model, 99'000, 120'000);
  ExpectSelect(*db, model, 99'001, 149'000);
  ExpectSelect(*db, model, -5'000, 0);

  // A deletion narrows series 5's persisted span to [0, 89'000].
  ASSERT_OK(db->DeleteSeries({Eq("id", "5")}, 90'000, 99'999));
  std::erase_if(model[SeriesLabels(5)],
                [](const Sample& s) { return s.t >= 90'000 && s.t <= 99'999; });
  ExpectSelect(*db, model, 89'000, 130'000);
  ExpectSelect(*db, model, 89'001, 130'000);

  // An out-of-order sample inside the head's range, cut into its own persisted chunk by Flush,
  // then more head data after it.
  Add(*db, &model, 7, 120'500, 7.5);
  ASSERT_OK(db->Flush());
  for (int k = 150; k < 160; ++k) Add(*db, &model, 7, 1000 * k, 1.0 * k);
  ExpectSelect(*db, model, 120'400, 120'600);
  ExpectSelect(*db, model, 120'500, 155'000);
  ExpectSelect(*db, model, 149'001, 160'000);
  ASSERT_OK(db->Close());
}

TEST_F(TsdbStreamingSelectTest, SetsStayConsistentWhileHeadsAreCutAndWritten) {
  // A set taken before more data arrives and heads are cut (Flush) still returns each series'
  // samples as a gap-free prefix: nothing a series had at Select time goes missing.
  ASSERT_OK_AND_ASSIGN(auto db, OpenStore());
  constexpr int kSeries = 130;
  {
    auto app = db->NewAppender();
    for (int i = 0; i < kSeries; ++i) {
      for (int k = 0; k < 50; ++k) {
        ASSERT_OK(app->Append(0, SeriesLabels(i), SampleIn{0, 1000 * k, 1.0 * k}).status());
      }
    }
    ASSERT_OK(app->Commit());
  }
  ASSERT_OK_AND_ASSIGN(auto q, db->NewQuerier(kMinTimestamp, kMaxTimestamp));
  ASSERT_OK_AND_ASSIGN(auto set, q->Select(true, nullptr, {Eq("__name__", "s")}));
  {
    auto app = db->NewAppender();
    for (int i = 0; i < kSeries; ++i) {
      for (int k = 50; k < 80; ++k) {
        ASSERT_OK(app->Append(0, SeriesLabels(i), SampleIn{0, 1000 * k, 1.0 * k}).status());
      }
    }
    ASSERT_OK(app->Commit());
    ASSERT_OK(db->Flush());
  }
  ASSERT_OK_AND_ASSIGN(auto got, MaterializeSeriesSet(*set));
  ASSERT_EQ(got.size(), static_cast<size_t>(kSeries));
  for (size_t i = 1; i < got.size(); ++i) EXPECT_LT(got[i - 1].labels, got[i].labels);
  for (const auto& s : got) {
    ASSERT_GE(s.samples.size(), 50u) << s.labels.ToString();
    for (size_t j = 0; j < s.samples.size(); ++j) {
      ASSERT_EQ(s.samples[j].t, static_cast<Timestamp>(1000 * j)) << s.labels.ToString();
    }
  }
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace tidemark::testing
