// Remote write into the RocksDB store, whose appender has the fast path for series it already
// holds (Appender::AppendExisting): stored data, rejections and counters must be exactly what
// the full path gives.
#include <gtest/gtest.h>

#include "ingest_test_util.h"
#include "storage/storage_test_util.h"
#include "support/compress.h"
#include "support/pb_encoder.h"
#include "tidemark/ingest/ingester.h"

namespace tidemark::ingest {
namespace {

using testing::Dump;
using testing::DumpStore;
using testing::PbWriter;
using testing::RwTimeSeries;
using tidemark::testing::Snappy;

constexpr std::string_view kCt = "application/x-protobuf";
constexpr int64_t kT0 = 1700000000000;

class RemoteWriteTsdbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StorageOptions o;
    o.dir = dir_.path();
    o.retention_ms = 0;
    auto opened = Storage::Open(o);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    ingester_ = std::make_unique<Ingester>(*store_, opts_);
  }
  IngestResponse Send(const PbWriter& req) {
    return ingester_->RemoteWrite(Snappy(req.str()), kCt, "snappy");
  }

  tidemark::testing::TempDir dir_;
  std::unique_ptr<Storage> store_;
  IngestOptions opts_;
  std::unique_ptr<Ingester> ingester_;
};

TEST_F(RemoteWriteTsdbTest, RepeatedSeriesAreStoredOnceWhateverTheLabelOrder) {
  for (int k = 0; k < 3; ++k) {
    PbWriter req;
    // One sample per series per request, as Prometheus sends; the second series arrives with
    // its labels unsorted in the last request (the full path sorts them: same series).
    req.Message(1, RwTimeSeries({{"__name__", "up"}, {"instance", "a:9100"}, {"job", "node"}},
                                {{kT0 + k * 15000, 1}}));
    if (k < 2) {
      req.Message(1, RwTimeSeries({{"__name__", "load1"}, {"instance", "a:9100"}}, {{kT0 + k * 15000, 0.5 + k}}));
    } else {
      req.Message(1, RwTimeSeries({{"instance", "a:9100"}, {"__name__", "load1"}}, {{kT0 + k * 15000, 0.5 + k}}));
    }
    IngestResponse r = Send(req);
    ASSERT_EQ(r.http_status, 204) << r.body;
  }
  Dump want = {
      {R"(load1{instance="a:9100"})", {{kT0, 0.5}, {kT0 + 15000, 1.5}, {kT0 + 30000, 2.5}}},
      {R"(up{instance="a:9100", job="node"})", {{kT0, 1}, {kT0 + 15000, 1}, {kT0 + 30000, 1}}},
  };
  EXPECT_EQ(DumpStore(*store_), want);
  EXPECT_EQ(store_->Stats().num_series, 2u);
  EXPECT_EQ(ingester_->Stats().samples_accepted, 6u);
}

TEST_F(RemoteWriteTsdbTest, OutOfWindowAndDuplicatesOfAnExistingSeriesReportedExactly) {
  PbWriter first;
  first.Message(1, RwTimeSeries({{"__name__", "m"}, {"job", "a"}}, {{kT0, 1}}));
  ASSERT_EQ(Send(first).http_status, 204);
  PbWriter req;
  // Older than the 10-minute window, a conflicting duplicate, an exact duplicate, a new sample;
  // then the same again as separate series entries (the per-sample shape remote write uses).
  req.Message(1, RwTimeSeries({{"__name__", "m"}, {"job", "a"}},
                              {{kT0 - 3600000, 5}, {kT0, 9}, {kT0, 1}, {kT0 + 1000, 2}}));
  req.Message(1, RwTimeSeries({{"__name__", "m"}, {"job", "a"}}, {{kT0 - 3600000, 5}}));
  req.Message(1, RwTimeSeries({{"__name__", "m"}, {"job", "a"}}, {{kT0 + 1000, 3}}));
  req.Message(1, RwTimeSeries({{"__name__", "m"}, {"job", "a"}}, {{kT0 + 1000, 2}}));
  IngestResponse r = Send(req);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.body.find("accepted 3, rejected 4 (invalid: 0, out of order/window: 2, duplicate timestamp: 2"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(DumpStore(*store_), (Dump{{R"(m{job="a"})", {{kT0, 1}, {kT0 + 1000, 2}}}}));
  IngestStats s = ingester_->Stats();
  EXPECT_EQ(s.samples_rejected_out_of_order, 2u);
  EXPECT_EQ(s.samples_rejected_duplicate, 2u);
  StorageStats st = store_->Stats();
  EXPECT_EQ(st.rejected_out_of_order, 2u);
  EXPECT_EQ(st.rejected_duplicate, 2u);
}

// More series than one run of the fast path, new and known ones interleaved, with rejections of
// known series among them: every sample lands or is counted as the per-series path would, and the
// first error reported is the first in request order.
TEST_F(RemoteWriteTsdbTest, LongRequestsMixingNewAndKnownSeriesStoreEverySampleInOrder) {
  auto series = [](int i) {
    return std::vector<std::pair<std::string, std::string>>{{"__name__", "m" + std::to_string(i)},
                                                            {"job", "node"}};
  };
  PbWriter first;
  for (int i = 0; i < 300; i += 2) first.Message(1, RwTimeSeries(series(i), {{kT0, double(i)}}));
  ASSERT_EQ(Send(first).http_status, 204);
  PbWriter req;
  for (int i = 0; i < 300; ++i) {
    if (i == 101) {
      req.Message(1, RwTimeSeries(series(i - 1), {{kT0 - 3600000, 7}}));  // too old
    }
    if (i == 201) req.Message(1, RwTimeSeries(series(i - 1), {{kT0, 8}}));  // conflicts
    req.Message(1, RwTimeSeries(series(i), {{kT0 + 15000, double(i) + 0.5}}));
  }
  IngestResponse r = Send(req);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.body.find("accepted 300, rejected 2 (invalid: 0, out of order/window: 1, duplicate timestamp: 1"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("m100"), std::string::npos) << "first error should name m100: " << r.body;
  Dump got = DumpStore(*store_);
  ASSERT_EQ(got.size(), 300u);
  for (int i = 0; i < 300; ++i) {
    const std::string key = "m" + std::to_string(i) + R"({job="node"})";
    std::vector<std::pair<Timestamp, double>> want;
    if (i % 2 == 0) want.push_back({kT0, double(i)});
    want.push_back({kT0 + 15000, double(i) + 0.5});
    EXPECT_EQ(got[key], want) << key;
  }
  EXPECT_EQ(store_->Stats().num_series, 300u);
  EXPECT_EQ(ingester_->Stats().samples_accepted, 150u + 300u);
}

TEST_F(RemoteWriteTsdbTest, LimitsStillApplyToSeriesTheStoreHas) {
  PbWriter first;
  first.Message(1, RwTimeSeries({{"__name__", "m"}, {"job", "a-long-value"}}, {{kT0, 1}}));
  ASSERT_EQ(Send(first).http_status, 204);
  IngestOptions tight;
  tight.max_label_value_len = 4;
  Ingester strict(*store_, tight);
  PbWriter req;
  req.Message(1, RwTimeSeries({{"__name__", "m"}, {"job", "a-long-value"}}, {{kT0 + 1000, 2}}));
  IngestResponse r = strict.RemoteWrite(Snappy(req.str()), kCt, "snappy");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(strict.Stats().samples_rejected_limit[static_cast<size_t>(IngestLimit::kLabelValueLength)], 1u);
  EXPECT_EQ(DumpStore(*store_), (Dump{{R"(m{job="a-long-value"})", {{kT0, 1}}}}));
}

}  // namespace
}  // namespace tidemark::ingest
