// Remote-write 2.0: symbol table, label refs, start timestamps, metadata, written-count headers.
#include <gtest/gtest.h>

#include "ingest_test_util.h"
#include "support/compress.h"
#include "support/pb_encoder.h"
#include "tidemark/ingest/ingester.h"

namespace tidemark::ingest {
namespace {

using testing::Dump;
using testing::DumpStore;
using testing::Header;
using testing::PbWriter;
using tidemark::testing::Snappy;

constexpr std::string_view kCtV2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
constexpr int64_t kT0 = 1700000000000;

PbWriter Sample(int64_t t, double v, int64_t st = 0) {
  PbWriter s;
  s.Double(1, v).Varint(2, static_cast<uint64_t>(t));
  if (st) s.Varint(3, static_cast<uint64_t>(st));
  return s;
}

class RemoteWriteV2Test : public ::testing::Test {
 protected:
  IngestResponse Send(const PbWriter& req) { return ingester_.RemoteWrite(Snappy(req.str()), kCtV2, "snappy"); }
  std::unique_ptr<Storage> store_ = NewMemStorage();
  Ingester ingester_{*store_, {}};
};

TEST_F(RemoteWriteV2Test, SymbolsRefsSamplesAndHeaders) {
  PbWriter req;
  // symbols: 0 "", 1 __name__, 2 http_requests_total, 3 job, 4 api, 5 code, 6 500, 7 help, 8 unit
  for (std::string_view s : {"", "__name__", "http_requests_total", "job", "api", "code", "500",
                             "Total requests", "requests"}) {
    req.Bytes(4, s);
  }
  PbWriter ts1;
  ts1.PackedVarint(1, {1, 2, 5, 6, 3, 4});
  ts1.Message(2, Sample(kT0, 10, kT0 - 60000)).Message(2, Sample(kT0 + 1000, 12));
  ts1.Message(4, PbWriter().Double(2, 1).Varint(3, kT0));                    // exemplar, ignored
  ts1.Message(5, PbWriter().Varint(1, 1).Varint(3, 7).Varint(4, 8));        // counter metadata
  req.Message(5, ts1);
  PbWriter ts2;
  ts2.PackedVarint(1, {1, 2, 3, 4});
  ts2.Message(2, Sample(kT0, 3));
  ts2.Message(3, PbWriter().Varint(1, 5));  // native histogram, ignored
  req.Message(5, ts2);
  IngestResponse r = Send(req);
  EXPECT_EQ(r.http_status, 204) << r.body;
  EXPECT_EQ(Header(r.headers, "X-Prometheus-Remote-Write-Samples-Written"), "3");
  EXPECT_EQ(Header(r.headers, "X-Prometheus-Remote-Write-Histograms-Written"), "0");
  EXPECT_EQ(Header(r.headers, "X-Prometheus-Remote-Write-Exemplars-Written"), "0");
  Dump want = {
      {R"(http_requests_total{code="500", job="api"})", {{kT0, 10}, {kT0 + 1000, 12}}},
      {R"(http_requests_total{job="api"})", {{kT0, 3}}},
  };
  EXPECT_EQ(DumpStore(*store_), want);
  auto md = ingester_.Metadata("http_requests_total");
  ASSERT_EQ(md.size(), 1u);
  EXPECT_EQ(md[0].type, "counter");
  EXPECT_EQ(md[0].help, "Total requests");
  EXPECT_EQ(md[0].unit, "requests");
  IngestStats s = ingester_.Stats();
  EXPECT_EQ(s.requests_remote_write_v2, 1u);
  EXPECT_EQ(s.exemplars_ignored, 1u);
  EXPECT_EQ(s.histograms_ignored, 1u);
}

TEST_F(RemoteWriteV2Test, SymbolsAfterSeriesAndUnpackedRefs) {
  PbWriter req;
  PbWriter ts;
  ts.Varint(1, 1).Varint(1, 2);  // unpacked refs
  ts.Message(2, Sample(kT0, 1));
  req.Message(5, ts);
  req.Bytes(4, "").Bytes(4, "__name__").Bytes(4, "late");
  IngestResponse r = Send(req);
  EXPECT_EQ(r.http_status, 204) << r.body;
  EXPECT_EQ(DumpStore(*store_), (Dump{{"late", {{kT0, 1}}}}));
}

TEST_F(RemoteWriteV2Test, BadRefsAre400) {
  PbWriter req;
  req.Bytes(4, "").Bytes(4, "__name__").Bytes(4, "x");
  PbWriter ok;
  ok.PackedVarint(1, {1, 2}).Message(2, Sample(kT0, 1));
  req.Message(5, ok);
  PbWriter bad;
  bad.PackedVarint(1, {1, 99}).Message(2, Sample(kT0, 1));
  req.Message(5, bad);
  IngestResponse r = Send(req);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.body.find("symbol reference 99 out of range"), std::string::npos) << r.body;
  PbWriter odd;
  odd.Bytes(4, "").Bytes(4, "__name__");
  odd.Message(5, PbWriter().PackedVarint(1, {1}).Message(2, Sample(kT0, 1)));
  r = Send(odd);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.body.find("odd number"), std::string::npos) << r.body;
  PbWriter nonempty_first;
  nonempty_first.Bytes(4, "x");
  r = Send(nonempty_first);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_TRUE(DumpStore(*store_).empty());  // decode errors roll the whole batch back
}

TEST_F(RemoteWriteV2Test, PartialRejectionStillReportsWrittenCount) {
  PbWriter req;
  req.Bytes(4, "").Bytes(4, "__name__").Bytes(4, "m").Bytes(4, "bad-name");
  req.Message(5, PbWriter().PackedVarint(1, {1, 2}).Message(2, Sample(kT0, 1)).Message(2, Sample(kT0 + 1, 2)));
  req.Message(5, PbWriter().PackedVarint(1, {1, 2, 3, 2}).Message(2, Sample(kT0, 1)));
  IngestResponse r = Send(req);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(Header(r.headers, "X-Prometheus-Remote-Write-Samples-Written"), "2");
  EXPECT_NE(r.body.find("bad-name"), std::string::npos) << r.body;
  EXPECT_EQ(DumpStore(*store_), (Dump{{"m", {{kT0, 1}, {kT0 + 1, 2}}}}));
}

TEST(RemoteWriteV2Limits, TooManyLabelsRejectsSeriesOnly) {
  auto store = NewMemStorage();
  IngestOptions o;
  o.max_labels_per_series = 2;
  Ingester ing(*store, o);
  PbWriter req;
  req.Bytes(4, "").Bytes(4, "__name__").Bytes(4, "m").Bytes(4, "a").Bytes(4, "b").Bytes(4, "c");
  req.Message(5, PbWriter().PackedVarint(1, {1, 2, 3, 4, 5, 4}).Message(2, Sample(kT0, 1)));  // 3 labels
  req.Message(5, PbWriter().PackedVarint(1, {1, 2, 3, 5}).Message(2, Sample(kT0, 2)));        // 2 labels
  IngestResponse r = ing.RemoteWrite(Snappy(req.str()), kCtV2, "snappy");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.body.find("3 labels, more than the limit of 2"), std::string::npos) << r.body;
  EXPECT_EQ(Header(r.headers, "X-Prometheus-Remote-Write-Samples-Written"), "1");
  EXPECT_EQ(DumpStore(*store), (Dump{{R"(m{a="c"})", {{kT0, 2}}}}));
}

}  // namespace
}  // namespace tidemark::ingest
