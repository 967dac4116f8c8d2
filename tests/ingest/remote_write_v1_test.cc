// Remote-write 1.0: decoding, storage contents, metadata, status codes and limits.
#include <gtest/gtest.h>

#include "ingest_test_util.h"
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

class RemoteWriteV1Test : public ::testing::Test {
 protected:
  IngestResponse Send(const PbWriter& req) { return ingester_.RemoteWrite(Snappy(req.str()), kCt, "snappy"); }

  std::unique_ptr<Storage> store_ = NewMemStorage();
  IngestOptions opts_;
  Ingester ingester_{*store_, opts_};
};

TEST_F(RemoteWriteV1Test, StoresSeriesExactly) {
  PbWriter req;
  req.Message(1, RwTimeSeries({{"__name__", "up"}, {"job", "node"}, {"instance", "a:9100"}},
                              {{kT0, 1}, {kT0 + 15000, 0}}));
  req.Message(1, RwTimeSeries({{"job", "api"}, {"__name__", "http_requests_total"}, {"code", "200"}},
                              {{kT0, 42.5}}));
  IngestResponse r = Send(req);
  EXPECT_EQ(r.http_status, 204) << r.body;
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(r.headers.empty());
  Dump want = {
      {R"(http_requests_total{code="200", job="api"})", {{kT0, 42.5}}},
      {R"(up{instance="a:9100", job="node"})", {{kT0, 1}, {kT0 + 15000, 0}}},
  };
  EXPECT_EQ(DumpStore(*store_), want);
  IngestStats s = ingester_.Stats();
  EXPECT_EQ(s.requests_remote_write_v1, 1u);
  EXPECT_EQ(s.samples_accepted, 3u);
  EXPECT_EQ(s.requests_failed, 0u);
}

TEST_F(RemoteWriteV1Test, EmptyContentTypeAndEncodingMeanV1Snappy) {
  PbWriter req;
  req.Message(1, RwTimeSeries({{"__name__", "x"}}, {{kT0, 7}}));
  IngestResponse r = ingester_.RemoteWrite(Snappy(req.str()), "", "");
  EXPECT_EQ(r.http_status, 204) << r.body;
  r = ingester_.RemoteWrite(Snappy(req.str()), "application/x-protobuf;proto=prometheus.WriteRequest",
                            "snappy");
  EXPECT_EQ(r.http_status, 204) << r.body;
  EXPECT_EQ(DumpStore(*store_), (Dump{{"x", {{kT0, 7}}}}));
}

TEST_F(RemoteWriteV1Test, MetadataIsKeptAndExemplarsHistogramsCounted) {
  PbWriter req;
  PbWriter ts = RwTimeSeries({{"__name__", "rpc_seconds_bucket"}, {"le", "0.5"}}, {{kT0, 3}});
  ts.Message(3, PbWriter().Double(2, 0.2).Varint(3, kT0));  // exemplar
  req.Message(1, ts);
  req.Message(1, PbWriter().Message(1, PbWriter().Bytes(1, "__name__").Bytes(2, "native"))
                     .Message(4, PbWriter().Varint(1, 3)));  // native histogram only
  req.Message(3, PbWriter().Varint(1, 3).Bytes(2, "rpc_seconds").Bytes(4, "RPC latency").Bytes(5, "seconds"));
  req.Message(3, PbWriter().Varint(1, 1).Bytes(2, "reqs_total").Bytes(4, "Requests"));
  IngestResponse r = Send(req);
  EXPECT_EQ(r.http_status, 204) << r.body;
  std::vector<MetricMetadata> md = ingester_.Metadata();
  ASSERT_EQ(md.size(), 2u);
  EXPECT_EQ(md[0].metric, "reqs_total");
  EXPECT_EQ(md[0].type, "counter");
  EXPECT_EQ(md[0].help, "Requests");
  EXPECT_EQ(md[1].metric, "rpc_seconds");
  EXPECT_EQ(md[1].type, "histogram");
  EXPECT_EQ(md[1].unit, "seconds");
  EXPECT_EQ(ingester_.Metadata("rpc_seconds").size(), 1u);
  EXPECT_EQ(ingester_.Metadata("", 1).size(), 1u);
  IngestStats s = ingester_.Stats();
  EXPECT_EQ(s.exemplars_ignored, 1u);
  EXPECT_EQ(s.histograms_ignored, 1u);
  EXPECT_EQ(s.metadata_received, 2u);
  EXPECT_EQ(DumpStore(*store_), (Dump{{R"(rpc_seconds_bucket{le="0.5"})", {{kT0, 3}}}}));
}

TEST_F(RemoteWriteV1Test, CorruptSnappyIs400AndStoresNothing) {
  PbWriter req;
  req.Message(1, RwTimeSeries({{"__name__", "x"}}, {{kT0, 1}}));
  std::string body = Snappy(req.str());
  body[body.size() / 2] ^= 0x5a;
  body.resize(body.size() - 2);
  IngestResponse r = ingester_.RemoteWrite(body, kCt, "snappy");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.body.find("snappy"), std::string::npos) << r.body;
  r = ingester_.RemoteWrite("this is not snappy at all", kCt, "snappy");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_TRUE(DumpStore(*store_).empty());
  EXPECT_EQ(ingester_.Stats().requests_failed, 2u);
}

TEST_F(RemoteWriteV1Test, SnappyClaimingHugeLengthIs413Or400WithoutAllocating) {
  PbWriter claim;
  claim.PutVarint(uint64_t{1} << 30);  // 1 GiB claimed, a few bytes of data
  IngestResponse r = ingester_.RemoteWrite(claim.str() + "abc", kCt, "snappy");
  EXPECT_EQ(r.http_status, 413) << r.body;
  PbWriter claim2;
  claim2.PutVarint(uint64_t{100} << 20);  // under the limit but impossible for 3 bytes of input
  r = ingester_.RemoteWrite(claim2.str() + "abc", kCt, "snappy");
  EXPECT_EQ(r.http_status, 400) << r.body;
}

TEST_F(RemoteWriteV1Test, TruncatedAndHugeLengthProtobufIs400AndRollsBack) {
  PbWriter req;
  req.Message(1, RwTimeSeries({{"__name__", "good"}}, {{kT0, 1}}));
  req.Message(1, RwTimeSeries({{"__name__", "second"}}, {{kT0, 2}}));
  std::string raw = req.str();
  raw.resize(raw.size() - 3);
  IngestResponse r = ingester_.RemoteWrite(Snappy(raw), kCt, "snappy");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.body.find("malformed protobuf"), std::string::npos) << r.body;
  // A timeseries claiming 1 GB.
  PbWriter huge;
  huge.Raw(std::string("\x0a", 1));
  huge.PutVarint(uint64_t{1} << 30);
  huge.Raw("xyz");
  r = ingester_.RemoteWrite(Snappy(huge.str()), kCt, "snappy");
  EXPECT_EQ(r.http_status, 400);
  // Garbage: a group wire type.
  r = ingester_.RemoteWrite(Snappy("\x0b\x0c\x0d"), kCt, "snappy");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_TRUE(DumpStore(*store_).empty());
}

TEST_F(RemoteWriteV1Test, InvalidLabelsRejectedOthersCommitted) {
  PbWriter req;
  req.Message(1, RwTimeSeries({{"__name__", "ok"}}, {{kT0, 1}}));
  req.Message(1, RwTimeSeries({{"__name__", "bad"}, {"0abc", "v"}}, {{kT0, 1}, {kT0 + 1, 2}}));
  req.Message(1, RwTimeSeries({{"__name__", "dup"}, {"a", "1"}, {"a", "2"}}, {{kT0, 1}}));
  IngestResponse r = Send(req);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.body.find("accepted 1, rejected 3 (invalid: 3"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("0abc"), std::string::npos) << r.body;
  EXPECT_EQ(DumpStore(*store_), (Dump{{"ok", {{kT0, 1}}}}));
  EXPECT_EQ(ingester_.Stats().samples_rejected_invalid, 3u);
}

TEST_F(RemoteWriteV1Test, OutOfWindowAndDuplicatesReportedExactly) {
  PbWriter first;
  first.Message(1, RwTimeSeries({{"__name__", "m"}}, {{kT0, 1}}));
  ASSERT_EQ(Send(first).http_status, 204);
  PbWriter req;
  // Older than the 10-minute window, a conflicting duplicate, an exact duplicate, a new sample.
  req.Message(1, RwTimeSeries({{"__name__", "m"}}, {{kT0 - 3600000, 5}, {kT0, 9}, {kT0, 1}, {kT0 + 1000, 2}}));
  IngestResponse r = Send(req);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.body.find("accepted 2, rejected 2 (invalid: 0, out of order/window: 1, duplicate timestamp: 1"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(DumpStore(*store_), (Dump{{"m", {{kT0, 1}, {kT0 + 1000, 2}}}}));
  IngestStats s = ingester_.Stats();
  EXPECT_EQ(s.samples_rejected_out_of_order, 1u);
  EXPECT_EQ(s.samples_rejected_duplicate, 1u);
}

TEST_F(RemoteWriteV1Test, LabelLimits) {
  IngestOptions o;
  o.max_labels_per_series = 3;
  o.max_label_name_len = 8;
  o.max_label_value_len = 10;
  Ingester ing(*store_, o);
  PbWriter req;
  req.Message(1, RwTimeSeries({{"__name__", "a"}, {"b", "1"}, {"c", "1"}, {"d", "1"}}, {{kT0, 1}}));
  IngestResponse r = ing.RemoteWrite(Snappy(req.str()), kCt, "snappy");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.body.find("4 labels, more than the limit of 3"), std::string::npos) << r.body;
  PbWriter req2;
  req2.Message(1, RwTimeSeries({{"__name__", "a"}, {"very_long_name", "1"}}, {{kT0, 1}}));
  r = ing.RemoteWrite(Snappy(req2.str()), kCt, "snappy");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.body.find("longer than the limit of 8"), std::string::npos) << r.body;
  PbWriter req3;
  req3.Message(1, RwTimeSeries({{"__name__", "a"}, {"b", "01234567890"}}, {{kT0, 1}}));
  r = ing.RemoteWrite(Snappy(req3.str()), kCt, "snappy");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.body.find("longer than the limit of 10"), std::string::npos) << r.body;
  EXPECT_TRUE(DumpStore(*store_).empty());
}

TEST_F(RemoteWriteV1Test, SizeLimitsAre413) {
  PbWriter req;
  for (int i = 0; i < 50; ++i) req.Message(1, RwTimeSeries({{"__name__", "s" + std::to_string(i)}}, {{kT0, 1}}));
  IngestOptions o;
  o.max_decompressed_bytes = req.str().size() - 1;
  Ingester small(*store_, o);
  IngestResponse r = small.RemoteWrite(Snappy(req.str()), kCt, "snappy");
  EXPECT_EQ(r.http_status, 413) << r.body;
  IngestOptions o2;
  o2.max_body_bytes = 10;
  Ingester tiny(*store_, o2);
  r = tiny.RemoteWrite(Snappy(req.str()), kCt, "snappy");
  EXPECT_EQ(r.http_status, 413) << r.body;
  EXPECT_TRUE(DumpStore(*store_).empty());
}

TEST_F(RemoteWriteV1Test, UnsupportedContentTypeOrEncodingIs415) {
  PbWriter req;
  req.Message(1, RwTimeSeries({{"__name__", "x"}}, {{kT0, 1}}));
  std::string body = Snappy(req.str());
  EXPECT_EQ(ingester_.RemoteWrite(body, "application/x-protobuf;proto=foo.Bar", "snappy").http_status, 415);
  EXPECT_EQ(ingester_.RemoteWrite(body, "application/json", "snappy").http_status, 415);
  EXPECT_EQ(ingester_.RemoteWrite(body, kCt, "gzip").http_status, 415);
  EXPECT_TRUE(DumpStore(*store_).empty());
}

// A store whose appender fails in a chosen way, for the retryable paths.
class FailingStore : public Appendable {
 public:
  FailingStore(Status append_error, Status commit_error)
      : append_error_(std::move(append_error)), commit_error_(std::move(commit_error)) {}
  std::unique_ptr<Appender> NewAppender() override { return std::make_unique<App>(*this); }
  int commits = 0;
  int rollbacks = 0;

 private:
  class App : public Appender {
   public:
    explicit App(FailingStore& s) : s_(s) {}
    Result<SeriesRef> Append(SeriesRef, const Labels&, const SampleIn&, const AppendOptions&) override {
      if (!s_.append_error_.ok()) return s_.append_error_;
      return SeriesRef{1};
    }
    Status Commit() override {
      ++s_.commits;
      return s_.commit_error_;
    }
    Status Rollback() override {
      ++s_.rollbacks;
      return Status::OK();
    }

   private:
    FailingStore& s_;
  };
  Status append_error_;
  Status commit_error_;
};

TEST(RemoteWriteRetryable, StorageFailuresAre5xxOr429) {
  PbWriter req;
  req.Message(1, RwTimeSeries({{"__name__", "x"}}, {{kT0, 1}}));
  std::string body = Snappy(req.str());
  {
    FailingStore fs(Status::OK(), Status::Unavailable("shutting down"));
    Ingester ing(fs, {});
    IngestResponse r = ing.RemoteWrite(body, kCt, "snappy");
    EXPECT_EQ(r.http_status, 503);
    EXPECT_NE(r.body.find("shutting down"), std::string::npos);
    EXPECT_EQ(ing.Stats().samples_accepted, 0u);
  }
  {
    FailingStore fs(Status::ResourceExhausted("too busy"), Status::OK());
    Ingester ing(fs, {});
    EXPECT_EQ(ing.RemoteWrite(body, kCt, "snappy").http_status, 429);
    EXPECT_EQ(fs.commits, 0);
    EXPECT_EQ(fs.rollbacks, 1);
  }
  {
    FailingStore fs(Status::Internal("disk on fire"), Status::OK());
    Ingester ing(fs, {});
    EXPECT_EQ(ing.RemoteWrite(body, kCt, "snappy").http_status, 500);
  }
}

}  // namespace
}  // namespace tidemark::ingest
