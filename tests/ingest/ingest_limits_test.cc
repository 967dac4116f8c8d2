// Series and label limits (IngestOptions): answered 400 naming the limit's flag, valid samples
// kept, refusals counted per limit; on the memory store and on the RocksDB store's head.
#include <gtest/gtest.h>

#include "ingest_test_util.h"
#include "storage/storage_test_util.h"
#include "support/compress.h"
#include "support/pb_encoder.h"
#include "tidemark/ingest/ingester.h"

namespace tidemark::ingest {
namespace {

using testing::DumpStore;
using testing::Metric;
using testing::NumberPoint;
using testing::PbWriter;
using testing::ResourceMetrics;
using testing::RwTimeSeries;
using tidemark::testing::Snappy;

constexpr std::string_view kCt = "application/x-protobuf";
constexpr int64_t kT0 = 1700000000000;
constexpr uint64_t kNs0 = 1700000000000000000ULL;

uint64_t Refused(const Ingester& ing, IngestLimit l) {
  return ing.Stats().samples_rejected_limit[static_cast<size_t>(l)];
}

class IngestLimitsTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (!GetParam()) {
      store_ = NewMemStorage();
      return;
    }
    StorageOptions o;
    o.dir = dir_.path();
    o.retention_ms = 0;
    auto opened = Storage::Open(o);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  IngestResponse Send(Ingester& ing, const PbWriter& req) {
    return ing.RemoteWrite(Snappy(req.str()), kCt, "snappy");
  }

  tidemark::testing::TempDir dir_;
  std::unique_ptr<Storage> store_;
};

TEST_P(IngestLimitsTest, SeriesLimitRefusesNewSeriesOnly) {
  IngestOptions o;
  o.max_series = 3;
  Ingester ing(*store_, o);
  PbWriter first;
  for (int i = 0; i < 2; ++i) first.Message(1, RwTimeSeries({{"__name__", "m"}, {"i", std::to_string(i)}}, {{kT0, 1}}));
  ASSERT_EQ(Send(ing, first).http_status, 204);
  PbWriter req;
  for (int i = 0; i < 5; ++i) {
    req.Message(1, RwTimeSeries({{"__name__", "m"}, {"i", std::to_string(i)}}, {{kT0 + 1000, 2}, {kT0 + 2000, 3}}));
  }
  IngestResponse r = Send(ing, req);
  EXPECT_EQ(r.http_status, 400) << r.body;
  EXPECT_NE(r.body.find("--ingest.series-limit: series limit of 3 reached"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("limits: 4"), std::string::npos) << r.body;
  EXPECT_EQ(DumpStore(*store_).size(), 3u);
  EXPECT_EQ(Refused(ing, IngestLimit::kSeriesLimit), 4u);  // both samples of series 3 and 4
  // Series the store holds keep taking samples.
  PbWriter again;
  for (int i = 0; i < 3; ++i) again.Message(1, RwTimeSeries({{"__name__", "m"}, {"i", std::to_string(i)}}, {{kT0 + 3000, 4}}));
  EXPECT_EQ(Send(ing, again).http_status, 204);
}

TEST_P(IngestLimitsTest, PerMetricSeriesLimitCountsEachName) {
  IngestOptions o;
  o.max_series_per_metric = 2;
  Ingester ing(*store_, o);
  PbWriter req;
  for (int i = 0; i < 3; ++i) req.Message(1, RwTimeSeries({{"__name__", "a"}, {"i", std::to_string(i)}}, {{kT0, 1}}));
  for (int i = 0; i < 2; ++i) req.Message(1, RwTimeSeries({{"__name__", "b"}, {"i", std::to_string(i)}}, {{kT0, 1}}));
  IngestResponse r = Send(ing, req);
  EXPECT_EQ(r.http_status, 400) << r.body;
  EXPECT_NE(r.body.find("--ingest.series-limit-per-metric: per-metric series limit of 2 reached for metric \"a\""),
            std::string::npos)
      << r.body;
  EXPECT_EQ(DumpStore(*store_).size(), 4u);
  EXPECT_EQ(Refused(ing, IngestLimit::kSeriesLimitPerMetric), 1u);
  EXPECT_EQ(Refused(ing, IngestLimit::kSeriesLimit), 0u);
}

TEST_P(IngestLimitsTest, LabelLimitsAreCountedPerLimitAndZeroDisablesThem) {
  IngestOptions o;
  o.max_labels_per_series = 3;
  o.max_label_name_len = 8;
  o.max_label_value_len = 10;
  Ingester ing(*store_, o);
  PbWriter req;
  req.Message(1, RwTimeSeries({{"__name__", "a"}, {"b", "1"}, {"c", "1"}, {"d", "1"}}, {{kT0, 1}}));
  req.Message(1, RwTimeSeries({{"__name__", "a"}, {"very_long_name", "1"}}, {{kT0, 1}, {kT0 + 1, 1}}));
  req.Message(1, RwTimeSeries({{"__name__", "a"}, {"b", "01234567890"}}, {{kT0, 1}}));
  req.Message(1, RwTimeSeries({{"__name__", "ok"}}, {{kT0, 1}}));
  IngestResponse r = Send(ing, req);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.body.find("--ingest.label-limit: series has 4 labels, more than the limit of 3"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(Refused(ing, IngestLimit::kLabelLimit), 1u);
  EXPECT_EQ(Refused(ing, IngestLimit::kLabelNameLength), 2u);
  EXPECT_EQ(Refused(ing, IngestLimit::kLabelValueLength), 1u);
  EXPECT_EQ(ing.Stats().samples_rejected_invalid, 0u);
  EXPECT_EQ(DumpStore(*store_).size(), 1u);

  IngestOptions none;
  none.max_labels_per_series = none.max_label_name_len = none.max_label_value_len = 0;
  Ingester unlimited(*store_, none);
  PbWriter big;
  std::vector<std::pair<std::string, std::string>> labels = {{"__name__", "wide"}};
  for (int i = 0; i < 100; ++i) labels.push_back({"l" + std::to_string(100 + i), std::string(5000, 'v')});
  big.Message(1, RwTimeSeries(labels, {{kT0, 1}}));
  r = Send(unlimited, big);
  EXPECT_EQ(r.http_status, 204) << r.body;
}

TEST_P(IngestLimitsTest, OtlpAnswers400NamingTheLimit) {
  IngestOptions o;
  o.max_series_per_metric = 1;
  Ingester ing(*store_, o);
  PbWriter req;
  req.Message(1, ResourceMetrics({{"service.name", "svc"}},
                                 {Metric("g", "", 5,
                                         PbWriter()
                                             .Message(1, NumberPoint({{"k", "1"}}, 0, kNs0, 5))
                                             .Message(1, NumberPoint({{"k", "2"}}, 0, kNs0, 6)))}));
  IngestResponse r = ing.Otlp(req.str(), "application/x-protobuf", "");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.body.find("--ingest.series-limit-per-metric"), std::string::npos) << r.body;
  EXPECT_EQ(DumpStore(*store_).size(), 1u);  // the first point's series was kept
  EXPECT_EQ(Refused(ing, IngestLimit::kSeriesLimitPerMetric), 1u);
}

INSTANTIATE_TEST_SUITE_P(Stores, IngestLimitsTest, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "Tsdb" : "Memory"; });

}  // namespace
}  // namespace tidemark::ingest
