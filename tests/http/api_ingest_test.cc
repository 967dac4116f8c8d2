// Remote-write, OTLP and metadata routes over a real Ingester and in-memory store: what the
// ingester answers reaches the client unchanged, and what it stores is queryable.
#include <gtest/gtest.h>

#include "http_test_util.h"
#include "support/compress.h"
#include "support/pb_encoder.h"
#include "tidemark/ingest/ingester.h"
#include "tidemark/storage/storage.h"

namespace tidemark::http {
namespace {

using ingest::testing::PbWriter;
using ingest::testing::RwTimeSeries;
using testing::Get;
using testing::Request;

constexpr int64_t kT0 = 1700000000000;

class ApiIngestTest : public ::testing::Test {
 protected:
  ApiBackends Backends() {
    ApiBackends b;
    b.storage = storage_.get();
    b.ingester = &ingester_;
    return b;
  }

  std::unique_ptr<Storage> storage_ = NewMemStorage();
  ingest::Ingester ingester_{*storage_, ingest::IngestOptions{}};
};

TEST_F(ApiIngestTest, RemoteWriteStoresSamplesAndMetadata) {
  testing::TestServer s(Backends());
  PbWriter req;
  req.Message(1, RwTimeSeries({{"__name__", "reqs_total"}, {"job", "api"}}, {{kT0, 5}}));
  req.Message(3, PbWriter().Varint(1, 1).Bytes(2, "reqs_total").Bytes(4, "Requests"));
  auto r = Request(s.port(), "POST", "/api/v1/write", tidemark::testing::Snappy(req.str()),
                   {"Content-Type: application/x-protobuf", "Content-Encoding: snappy"});
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(Get(s.port(), "/api/v1/series?match[]=reqs_total").body,
            "{\"status\":\"success\",\"data\":[{\"__name__\":\"reqs_total\",\"job\":\"api\"}]}");
  EXPECT_EQ(Get(s.port(), "/api/v1/metadata").body,
            "{\"status\":\"success\",\"data\":{\"reqs_total\":[{\"type\":\"counter\","
            "\"help\":\"Requests\",\"unit\":\"\"}]}}");
  EXPECT_EQ(Get(s.port(), "/api/v1/metadata?metric=other").body,
            "{\"status\":\"success\",\"data\":{}}");
}

TEST_F(ApiIngestTest, IngesterErrorsPassThrough) {
  testing::TestServer s(Backends());
  const std::string ct = "application/x-protobuf;proto=io.example.Unknown";
  ingest::IngestResponse want = ingester_.RemoteWrite("x", ct, "snappy");
  ASSERT_GE(want.http_status, 400);
  auto r = Request(s.port(), "POST", "/api/v1/write", "x",
                   {"Content-Type: " + ct, "Content-Encoding: snappy"});
  EXPECT_EQ(r.status, want.http_status);
  EXPECT_EQ(r.body, want.body);
  EXPECT_EQ(r.headers["content-type"], want.content_type);
}

TEST_F(ApiIngestTest, OtlpJsonIsStored) {
  testing::TestServer s(Backends());
  const std::string body =
      R"({"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name",)"
      R"("value":{"stringValue":"svc"}}]},"scopeMetrics":[{"metrics":[{"name":"temp",)"
      R"("gauge":{"dataPoints":[{"timeUnixNano":"1700000000000000000","asDouble":21.5}]}}]}]}]})";
  auto r = Request(s.port(), "POST", "/api/v1/otlp/v1/metrics", body,
                   {"Content-Type: application/json"});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Get(s.port(), "/api/v1/series?match[]=temp").body,
            "{\"status\":\"success\",\"data\":[{\"__name__\":\"temp\",\"job\":\"svc\"}]}");
}

TEST_F(ApiIngestTest, NoIngesterIsUnavailable) {
  ApiBackends b = Backends();
  b.ingester = nullptr;
  testing::TestServer s(b);
  EXPECT_EQ(Request(s.port(), "POST", "/api/v1/write", "x").status, 503);
  EXPECT_EQ(Request(s.port(), "POST", "/api/v1/otlp/v1/metrics", "x").status, 503);
  EXPECT_EQ(Get(s.port(), "/api/v1/metadata").body, "{\"status\":\"success\",\"data\":{}}");
}

}  // namespace
}  // namespace tidemark::http
