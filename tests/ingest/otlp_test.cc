// OTLP metrics: protobuf and JSON decoding, translation to Prometheus series, responses, errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ingest_test_util.h"
#include "protowire.h"
#include "support/compress.h"
#include "support/pb_encoder.h"
#include "tidemark/ingest/ingester.h"

namespace tidemark::ingest {
namespace {

using testing::Dump;
using testing::DumpStore;
using tidemark::testing::Gzip;
using testing::KeyValueStr;
using testing::Metric;
using testing::NumberPoint;
using testing::PbWriter;
using testing::ResourceMetrics;

constexpr uint64_t kNs0 = 1700000000000000000ULL;  // = 1700000000000 ms
constexpr uint64_t kStartNs = kNs0 - 60'000'000'000ULL;
constexpr int64_t kT0 = 1700000000000;
constexpr std::string_view kPb = "application/x-protobuf";
constexpr std::string_view kJson = "application/json";

// One request covering every metric kind, in protobuf.
std::string ProtoRequest() {
  std::vector<PbWriter> metrics;
  // Monotonic cumulative sum (counter) with an annotation unit.
  metrics.push_back(Metric("http.server.requests", "{request}", 7,
                           PbWriter().Message(1, NumberPoint({{"http.method", "GET"}, {"http.status_code", "200"}},
                                                             kStartNs, kNs0, 7))
                               .Varint(2, 2).Varint(3, 1),
                           "Requests served"));
  // Non-monotonic cumulative sum (up-down counter), unit By.
  metrics.push_back(Metric("queue.size", "By", 7,
                           PbWriter().Message(1, NumberPoint({{"queue", "a"}}, kStartNs, kNs0, -3)).Varint(2, 2)));
  // Gauge with unit 1 → _ratio; one point without a recorded value → StaleNaN.
  metrics.push_back(Metric("cpu.utilization", "1", 5,
                           PbWriter()
                               .Message(1, NumberPoint({{"cpu", "0"}}, 0, kNs0, 0.25))
                               .Message(1, NumberPoint({{"cpu", "1"}}, 0, kNs0, 0, 1))));
  // Histogram in milliseconds.
  PbWriter hp;
  hp.Message(9, KeyValueStr("route", "/a"));
  hp.Fixed64(2, kStartNs).Fixed64(3, kNs0).Fixed64(4, 6).Double(5, 123.5);
  hp.PackedFixed64(6, {1, 2, 3}).PackedDouble(7, {10, 100});
  metrics.push_back(Metric("rpc.duration", "ms", 9, PbWriter().Message(1, hp).Varint(2, 2)));
  // Summary.
  PbWriter sp;
  sp.Fixed64(2, kStartNs).Fixed64(3, kNs0).Fixed64(4, 10).Double(5, 4.5);
  sp.Message(6, PbWriter().Double(1, 0.5).Double(2, 0.4)).Message(6, PbWriter().Double(1, 0.99).Double(2, 1.5));
  metrics.push_back(Metric("gc.pause", "s", 11, PbWriter().Message(1, sp)));
  // A delta sum (converted to cumulative: its first point starts the total) and an exponential
  // histogram (rejected).
  metrics.push_back(Metric("delta.count", "", 7,
                           PbWriter().Message(1, NumberPoint({}, kStartNs, kNs0, 1)).Varint(2, 1).Varint(3, 1)));
  metrics.push_back(Metric("exp.hist", "s", 10, PbWriter().Message(1, PbWriter().Fixed64(4, 1)).Varint(2, 2)));
  PbWriter req;
  req.Message(1, ResourceMetrics({{"service.name", "checkout"},
                                  {"service.namespace", "shop"},
                                  {"service.instance.id", "i-1"},
                                  {"host.name", "h1"},
                                  {"deployment.environment", "prod"}},
                                 metrics));
  return req.str();
}

// The same request in OTLP/JSON.
std::string JsonRequest() {
  return R"JSON({"resourceMetrics":[{
  "resource":{"attributes":[
    {"key":"service.name","value":{"stringValue":"checkout"}},
    {"key":"service.namespace","value":{"stringValue":"shop"}},
    {"key":"service.instance.id","value":{"stringValue":"i-1"}},
    {"key":"host.name","value":{"stringValue":"h1"}},
    {"key":"deployment.environment","value":{"stringValue":"prod"}}]},
  "scopeMetrics":[{"scope":{"name":"test-scope","version":"1.0"},"metrics":[
    {"name":"http.server.requests","unit":"{request}","description":"Requests served",
     "sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[
       {"attributes":[{"key":"http.method","value":{"stringValue":"GET"}},
                      {"key":"http.status_code","value":{"stringValue":"200"}}],
        "startTimeUnixNano":"1699999940000000000","timeUnixNano":"1700000000000000000","asDouble":7}]}},
    {"name":"queue.size","unit":"By","sum":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_CUMULATIVE",
     "dataPoints":[{"attributes":[{"key":"queue","value":{"stringValue":"a"}}],
       "startTimeUnixNano":"1699999940000000000","timeUnixNano":1700000000000000000,"asInt":"-3"}]}},
    {"name":"cpu.utilization","unit":"1","gauge":{"dataPoints":[
       {"attributes":[{"key":"cpu","value":{"stringValue":"0"}}],"timeUnixNano":"1700000000000000000","asDouble":0.25},
       {"attributes":[{"key":"cpu","value":{"stringValue":"1"}}],"timeUnixNano":"1700000000000000000","flags":1}]}},
    {"name":"rpc.duration","unit":"ms","histogram":{"aggregationTemporality":2,"dataPoints":[
       {"attributes":[{"key":"route","value":{"stringValue":"/a"}}],
        "startTimeUnixNano":"1699999940000000000","timeUnixNano":"1700000000000000000",
        "count":"6","sum":123.5,"bucketCounts":["1","2",3],"explicitBounds":[10,100]}]}},
    {"name":"gc.pause","unit":"s","summary":{"dataPoints":[
       {"startTimeUnixNano":"1699999940000000000","timeUnixNano":"1700000000000000000","count":"10","sum":4.5,
        "quantileValues":[{"quantile":0.5,"value":0.4},{"quantile":0.99,"value":1.5}]}]}},
    {"name":"delta.count","sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[
       {"startTimeUnixNano":"1699999940000000000","timeUnixNano":"1700000000000000000","asInt":"1"}]}},
    {"name":"exp.hist","unit":"s","exponentialHistogram":{"aggregationTemporality":2,"dataPoints":[{"count":"1"}]}}
  ]}]}]})JSON";
}

Dump ExpectedDump() {
  const std::string res = R"(instance="i-1", job="shop/checkout")";
  return {
      {R"(cpu_utilization_ratio{cpu="0", )" + res + "}", {{kT0, 0.25}}},
      // cpu="1" holds a StaleNaN, which compares unequal to itself; checked separately.
      {R"(delta_count_total{)" + res + "}", {{kT0, 1}}},
      {R"(gc_pause_seconds_count{)" + res + "}", {{kT0, 10}}},
      {R"(gc_pause_seconds_sum{)" + res + "}", {{kT0, 4.5}}},
      {R"(gc_pause_seconds{)" + res + R"(, quantile="0.5"})", {{kT0, 0.4}}},
      {R"(gc_pause_seconds{)" + res + R"(, quantile="0.99"})", {{kT0, 1.5}}},
      {R"(http_server_requests_total{http_method="GET", http_status_code="200", )" + res + "}", {{kT0, 7}}},
      {R"(queue_size_bytes{)" + res + R"(, queue="a"})", {{kT0, -3}}},
      {R"(rpc_duration_milliseconds_bucket{)" + res + R"(, le="+Inf", route="/a"})", {{kT0, 6}}},
      {R"(rpc_duration_milliseconds_bucket{)" + res + R"(, le="10", route="/a"})", {{kT0, 1}}},
      {R"(rpc_duration_milliseconds_bucket{)" + res + R"(, le="100", route="/a"})", {{kT0, 3}}},
      {R"(rpc_duration_milliseconds_count{)" + res + R"(, route="/a"})", {{kT0, 6}}},
      {R"(rpc_duration_milliseconds_sum{)" + res + R"(, route="/a"})", {{kT0, 123.5}}},
      {R"(target_info{deployment_environment="prod", host_name="h1", )" + res + "}", {{kT0, 1}}},
  };
}

void CheckStore(Storage& store) {
  Dump got = DumpStore(store);
  std::string stale_key = R"(cpu_utilization_ratio{cpu="1", instance="i-1", job="shop/checkout"})";
  ASSERT_EQ(got.count(stale_key), 1u);
  ASSERT_EQ(got[stale_key].size(), 1u);
  EXPECT_TRUE(IsStaleNaN(got[stale_key][0].second));
  got.erase(stale_key);
  EXPECT_EQ(got, ExpectedDump());
}

TEST(OtlpTest, ProtobufTranslatesEveryKind) {
  auto store = NewMemStorage();
  Ingester ing(*store, {});
  IngestResponse r = ing.Otlp(ProtoRequest(), kPb, "");
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.content_type, "application/x-protobuf");
  // partial_success (1) { rejected_data_points (1): 2, error_message (2): "..." }
  uint64_t rejected = 0;
  std::string_view message;
  ProtoReader resp(r.body);
  while (resp.Next()) {
    std::string_view ps;
    ASSERT_EQ(resp.field(), 1u);
    ASSERT_TRUE(resp.Bytes(&ps));
    ProtoReader pr(ps);
    while (pr.Next()) {
      if (pr.field() == 1) {
        ASSERT_TRUE(pr.Varint(&rejected));
      } else {
        ASSERT_TRUE(pr.Bytes(&message));
      }
    }
    ASSERT_FALSE(pr.error());
  }
  ASSERT_FALSE(resp.error());
  EXPECT_EQ(rejected, 1u);
  EXPECT_NE(message.find("rejected 1 of 8 data points"), std::string::npos) << message;
  EXPECT_NE(message.find("exponential histograms"), std::string::npos) << message;
  CheckStore(*store);
  IngestStats s = ing.Stats();
  EXPECT_EQ(s.requests_otlp_protobuf, 1u);
  EXPECT_EQ(s.samples_rejected_unsupported, 1u);
  auto md = ing.Metadata("http_server_requests_total");
  ASSERT_EQ(md.size(), 1u);
  EXPECT_EQ(md[0].type, "counter");
  EXPECT_EQ(md[0].help, "Requests served");
  EXPECT_EQ(ing.Metadata("rpc_duration_milliseconds")[0].unit, "milliseconds");
  EXPECT_EQ(ing.Metadata("queue_size_bytes")[0].type, "gauge");
}

TEST(OtlpTest, JsonMatchesProtobuf) {
  auto store = NewMemStorage();
  Ingester ing(*store, {});
  IngestResponse r = ing.Otlp(JsonRequest(), "application/json; charset=utf-8", "");
  EXPECT_EQ(r.http_status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["partialSuccess"]["rejectedDataPoints"], "1");
  EXPECT_NE(j["partialSuccess"]["errorMessage"].get<std::string>().find("exponential histograms"),
            std::string::npos)
      << r.body;
  CheckStore(*store);
  EXPECT_EQ(ing.Stats().requests_otlp_json, 1u);
}

TEST(OtlpTest, GzipBodiesAndFullSuccessResponse) {
  auto store = NewMemStorage();
  Ingester ing(*store, {});
  PbWriter req;
  req.Message(1, ResourceMetrics({{"service.name", "svc"}},
                                 {Metric("g", "", 5, PbWriter().Message(1, NumberPoint({}, 0, kNs0, 5)))}));
  IngestResponse r = ing.Otlp(Gzip(req.str()), kPb, "gzip");
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.body, "");  // empty ExportMetricsServiceResponse
  r = ing.Otlp(Gzip(R"({"resourceMetrics":[]})"), kJson, "gzip");
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.body, "{}");
  // No target_info: the resource has only identifying attributes.
  EXPECT_EQ(DumpStore(*store), (Dump{{R"(g{job="svc"})", {{kT0, 5}}}}));
}

TEST(OtlpTest, ErrorStatuses) {
  auto store = NewMemStorage();
  IngestOptions o;
  o.max_decompressed_bytes = 1000;
  Ingester ing(*store, o);
  // Unsupported content type.
  IngestResponse r = ing.Otlp("{}", "text/plain", "");
  EXPECT_EQ(r.http_status, 415);
  // Undecodable protobuf: google.rpc.Status {code: 3 (INVALID_ARGUMENT), message}.
  r = ing.Otlp(std::string("\x0a\xff\xff\xff\xff\x0f", 6), kPb, "");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(r.content_type, "application/x-protobuf");
  ASSERT_GE(r.body.size(), 2u);
  EXPECT_EQ(r.body.substr(0, 2), std::string("\x08\x03", 2));
  EXPECT_NE(r.body.find("malformed protobuf"), std::string::npos);
  // Bad JSON and wrongly-typed JSON.
  r = ing.Otlp("{\"resourceMetrics\": [", kJson, "");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(nlohmann::json::parse(r.body)["code"], 3);
  r = ing.Otlp(R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x","gauge":{"dataPoints":[{"timeUnixNano":"abc"}]}}]}]}]})",
               kJson, "");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.body.find("timeUnixNano"), std::string::npos) << r.body;
  // Deeply nested JSON and deeply nested protobuf AnyValue arrays.
  r = ing.Otlp(std::string(900, '['), kJson, "");
  EXPECT_EQ(r.http_status, 400);
  PbWriter any;
  any.Bytes(1, "leaf");
  for (int i = 0; i < 60; ++i) any = std::move(PbWriter().Message(5, PbWriter().Message(1, any)));
  PbWriter req;
  req.Message(1, PbWriter().Message(1, PbWriter().Message(1, PbWriter().Bytes(1, "k").Message(2, any))));
  r = ing.Otlp(req.str(), kPb, "");
  EXPECT_EQ(r.http_status, 400);
  // Corrupt gzip, too-large gzip, unknown encoding.
  EXPECT_EQ(ing.Otlp("not gzip", kPb, "gzip").http_status, 400);
  EXPECT_EQ(ing.Otlp(Gzip(std::string(5000, 'a')), kJson, "gzip").http_status, 413);
  std::string gz = Gzip(std::string(500, ' ') + "{}");
  EXPECT_EQ(ing.Otlp(gz.substr(0, gz.size() - 12), kJson, "gzip").http_status, 400);
  EXPECT_EQ(ing.Otlp("{}", kJson, "br").http_status, 415);
  EXPECT_EQ(ing.Otlp(std::string(2000, ' '), kJson, "").http_status, 413);
  EXPECT_TRUE(DumpStore(*store).empty());
}

TEST(OtlpTest, CollidingAttributesAndPromotedResourceAttributes) {
  auto store = NewMemStorage();
  IngestOptions o;
  o.otlp.promote_resource_attributes = {"k8s.pod.name", "missing.attr"};
  o.otlp_target_info = false;
  Ingester ing(*store, o);
  PbWriter req;
  req.Message(1, ResourceMetrics({{"service.name", "svc"}, {"k8s.pod.name", "pod-1"}},
                                 {Metric("m", "", 5,
                                         PbWriter().Message(1, NumberPoint({{"a.b", "1"}, {"a_b", "2"}, {"2x", "z"},
                                                                            {"_y", "w"}, {"job", "ignored"}},
                                                                           0, kNs0, 1)))}));
  IngestResponse r = ing.Otlp(req.str(), kPb, "");
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(DumpStore(*store),
            (Dump{{R"(m{a_b="1;2", job="svc", k8s_pod_name="pod-1", key_2x="z", key_y="w"})", {{kT0, 1}}}}));
}

TEST(OtlpTest, NonStringAttributeValuesRendered) {
  auto store = NewMemStorage();
  Ingester ing(*store, {});
  std::string body = R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[
    {"timeUnixNano":"1700000000000000000","asDouble":1,"attributes":[
      {"key":"b","value":{"boolValue":true}},{"key":"i","value":{"intValue":"-42"}},
      {"key":"d","value":{"doubleValue":0.5}},
      {"key":"arr","value":{"arrayValue":{"values":[{"stringValue":"x"},{"intValue":"1"}]}}}]}]}}]}]}]})";
  IngestResponse r = ing.Otlp(body, kJson, "");
  EXPECT_EQ(r.http_status, 200) << r.body;
  EXPECT_EQ(DumpStore(*store), (Dump{{R"(m{arr="[\"x\",1]", b="true", d="0.5", i="-42"})", {{kT0, 1}}}}));
}

TEST(OtlpTest, StorageRejectionsReportedAsPartialSuccess) {
  auto store = NewMemStorage();
  Ingester ing(*store, {});
  auto send = [&](double v) {
    PbWriter req;
    req.Message(1, ResourceMetrics({}, {Metric("m", "", 5, PbWriter().Message(1, NumberPoint({}, 0, kNs0, v)))}));
    return ing.Otlp(req.str(), kJson == "" ? kJson : kPb, "");
  };
  EXPECT_EQ(send(1).body, "");
  IngestResponse r = send(2);  // same timestamp, different value
  EXPECT_EQ(r.http_status, 200);
  EXPECT_NE(r.body.find("rejected 1 of 1 data points"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("duplicate"), std::string::npos) << r.body;
  EXPECT_EQ(DumpStore(*store), (Dump{{"m", {{kT0, 1}}}}));
}

TEST(OtlpTest, DataPointCapIs413) {
  auto store = NewMemStorage();
  IngestOptions o;
  o.otlp_max_data_points = 2;
  Ingester ing(*store, o);
  PbWriter gauge;
  for (int i = 0; i < 3; ++i) gauge.Message(1, NumberPoint({}, 0, kNs0 + i * 1000000ULL, i));
  PbWriter req;
  req.Message(1, ResourceMetrics({}, {Metric("m", "", 5, gauge)}));
  IngestResponse r = ing.Otlp(req.str(), kPb, "");
  EXPECT_EQ(r.http_status, 413);
  EXPECT_NE(r.body.find("more than 2 data points"), std::string::npos);
  std::string json = R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[
    {"timeUnixNano":"1","asDouble":1},{"timeUnixNano":"2","asDouble":1},{"timeUnixNano":"3","asDouble":1}]}}]}]}]})";
  EXPECT_EQ(ing.Otlp(json, kJson, "").http_status, 413);
  EXPECT_TRUE(DumpStore(*store).empty());
}

}  // namespace
}  // namespace tidemark::ingest
