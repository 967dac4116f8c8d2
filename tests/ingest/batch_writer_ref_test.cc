// BatchWriter's ref cache (AddSeriesViews with a ref entry, as the scrape loop keeps one per
// series): the entry learns the store's ref once the series exists, a stale or wrong entry never
// sends a sample to another series, and runs of new series are all created.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "batch_writer.h"
#include "storage/storage_test_util.h"

namespace tidemark::ingest {
namespace {

using tidemark::testing::Eq;
using tidemark::testing::Query;

class BatchWriterRefTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StorageOptions o;
    o.dir = dir_.path();
    o.retention_ms = 0;
    auto opened = Storage::Open(o);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    for (int i = 0; i < 100; ++i) {
      labels_.push_back(Labels{{"__name__", "m" + std::to_string(i)}, {"job", "x"}});
    }
    for (const Labels& l : labels_) {
      std::vector<LabelPairView> v;
      for (const Label& x : l) v.push_back({x.name, x.value});
      views_.push_back(std::move(v));
    }
  }

  // One writer, one sample at `t` for every series (value = index), each with its ref entry.
  void WriteAll(int64_t t) {
    BatchWriter w(*store_, opts_);
    std::vector<SampleIn> s(labels_.size());
    for (size_t i = 0; i < labels_.size(); ++i) {
      s[i] = {0, t, double(i)};
      w.AddSeriesViews(views_[i], std::span(&s[i], 1), &refs_[i]);
    }
    ASSERT_OK(w.Finish());
    EXPECT_EQ(w.accepted(), labels_.size());
  }

  // Values stored for series i, in time order.
  std::vector<double> Values(size_t i) {
    auto got = Query(*store_, {Eq("__name__", std::string(labels_[i].MetricName()))});
    EXPECT_TRUE(got.ok());
    std::vector<double> out;
    if (got.ok() && got->size() == 1) {
      for (const Sample& s : got->front().samples) out.push_back(s.v);
    }
    return out;
  }

  tidemark::testing::TempDir dir_;
  std::unique_ptr<Storage> store_;
  IngestOptions opts_;
  std::vector<Labels> labels_;
  std::vector<std::vector<LabelPairView>> views_;
  std::vector<SeriesRef> refs_ = std::vector<SeriesRef>(100, 0);
};

TEST_F(BatchWriterRefTest, EntriesLearnRefsAndWrongOnesDoNotMisdirectSamples) {
  WriteAll(1000);  // creates every series: entries not known yet
  WriteAll(2000);  // found by their labels: every entry is set, all distinct
  std::vector<SeriesRef> learned = refs_;
  std::sort(learned.begin(), learned.end());
  EXPECT_NE(learned.front(), SeriesRef{0});
  EXPECT_EQ(std::adjacent_find(learned.begin(), learned.end()), learned.end());
  const std::vector<SeriesRef> right = refs_;
  // Entries shuffled (another series' ref) or never valid: samples still go by labels, and the
  // entries are corrected.
  for (size_t i = 0; i < refs_.size(); ++i) refs_[i] = i % 2 ? right[(i + 7) % right.size()] : right.back() + 1000 + i;
  WriteAll(3000);
  EXPECT_EQ(refs_, right);
  for (size_t i = 0; i < labels_.size(); ++i) {
    EXPECT_EQ(Values(i), (std::vector<double>{double(i), double(i), double(i)})) << i;
  }
  EXPECT_EQ(store_->Stats().num_series, uint64_t{100});
}

}  // namespace
}  // namespace tidemark::ingest
