// End-to-end API tests over a real socket: JSON shapes, errors, limits, gzip, pipelining.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "http_test_util.h"
#include "tidemark/http/format.h"
#include "tidemark/http/gzip.h"
#include "tidemark/storage/model/gzip.h"
#include "tidemark/query/ast.h"
#include "tidemark/storage/storage.h"

namespace tidemark::http {
namespace {

using testing::Get;
using testing::PostForm;
using testing::RawExchange;
using testing::Request;
using testing::TestServer;

// A scripted engine: instant "1+1" -> scalar 2, "up" -> vector, "slow" -> waits for cancel,
// "block" -> waits until released, "throw" -> throws, "toomany" -> execution error, anything
// else -> bad_data; every range query -> one series with value t/1000 at each step.
class FakeEngine : public query::QueryEngine {
 public:
  Result<query::QueryValue> InstantQuery(std::string_view q, Timestamp t,
                                          const query::CancelToken* c) override {
    query::QueryValue v;
    if (q == "1+1") {
      v.kind = query::ValueKind::kScalar;
      v.scalar = 2;
      v.t = t;
      return v;
    }
    if (q == "up") {
      v.kind = query::ValueKind::kVector;
      v.vector.push_back({Labels{{"__name__", "up"}, {"job", "api"}}, t, 1});
      v.vector.push_back({Labels{{"__name__", "up"}, {"job", "db"}}, t, 0});
      return v;
    }
    if (q == "slow") {
      while (!c->canceled.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return Status::Canceled("query canceled");
    }
    if (q == "block") {
      std::unique_lock<std::mutex> lock(mu);
      ++blocked;
      cv.notify_all();
      cv.wait(lock, [this] { return released; });
      v.kind = query::ValueKind::kVector;
      return v;
    }
    if (q == "throw") throw std::runtime_error("boom");
    if (q == "toomany") return Status::ResourceExhausted("query processing would load too many samples into memory");
    return Status::InvalidArgument("1:4: parse error: unexpected end of input");
  }

  Result<query::QueryValue> RangeQuery(std::string_view, Timestamp s, Timestamp e, int64_t step,
                                        const query::CancelToken*) override {
    query::QueryValue v;
    v.kind = query::ValueKind::kMatrix;
    query::MatrixSeries ms{Labels{{"job", "x"}}, {}};
    for (Timestamp t = s; t <= e; t += step) ms.points.push_back({t, static_cast<double>(t) / 1000});
    v.matrix.push_back(ms);
    return v;
  }

  std::mutex mu;
  std::condition_variable cv;
  int blocked = 0;
  bool released = false;
};

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = NewMemStorage();
    auto app = storage_->NewAppender();
    for (int i = 0; i < 3; ++i) {
      Timestamp t = 1700000000000 + i * 15000;
      ASSERT_TRUE(app->Append(0, Labels{{"__name__", "up"}, {"job", "api"}, {"instance", "a:1"}},
                              {0, t, 1}).ok());
      ASSERT_TRUE(app->Append(0, Labels{{"__name__", "up"}, {"job", "db"}, {"instance", "b:1"}},
                              {0, t, 0}).ok());
      ASSERT_TRUE(app->Append(0, Labels{{"__name__", "http_requests_total"}, {"job", "api"},
                                        {"code", "200"}}, {0, t, 10.0 * i}).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
    b_.storage = storage_.get();
    b_.engine = &engine_;
  }

  std::unique_ptr<Storage> storage_;
  FakeEngine engine_;
  ApiBackends b_;
};

TEST_F(ApiServerTest, HealthAndReady) {
  TestServer s(b_);
  auto r = Get(s.port(), "/-/healthy");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Get(s.port(), "/-/ready").status, 200);
  EXPECT_EQ(Get(s.port(), "/nope").status, 404);
  EXPECT_EQ(Request(s.port(), "DELETE", "/api/v1/query").status, 405);
}

TEST_F(ApiServerTest, InstantQueryShapes) {
  TestServer s(b_);
  auto r = Get(s.port(), "/api/v1/query?query=1%2B1&time=1700000000.5");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000.500,\"2\"]}}");
  EXPECT_EQ(r.headers["content-type"], "application/json");
  auto p = PostForm(s.port(), "/api/v1/query", "query=up&time=2023-11-14T22:13:20Z");
  EXPECT_EQ(p.body,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            "{\"metric\":{\"__name__\":\"up\",\"job\":\"api\"},\"value\":[1700000000,\"1\"]},"
            "{\"metric\":{\"__name__\":\"up\",\"job\":\"db\"},\"value\":[1700000000,\"0\"]}]}}");
  auto lim = Get(s.port(), "/api/v1/query?query=up&time=1&limit=1");
  EXPECT_NE(lim.body.find("\"warnings\":[\"results truncated due to limit\"]"), std::string::npos);
}

TEST_F(ApiServerTest, QueryErrors) {
  TestServer s(b_);
  auto bad = Get(s.port(), "/api/v1/query?query=bad(");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, ErrorJson("bad_data", "1:4: parse error: unexpected end of input"));
  auto bt = Get(s.port(), "/api/v1/query?query=up&time=xyz");
  EXPECT_EQ(bt.status, 400);
  EXPECT_EQ(bt.body, ErrorJson("bad_data", "invalid parameter \"time\": cannot parse \"xyz\" to a valid timestamp"));
  auto ex = Get(s.port(), "/api/v1/query?query=toomany");
  EXPECT_EQ(ex.status, 422);
  EXPECT_NE(ex.body.find("\"errorType\":\"execution\""), std::string::npos);
  auto th = Get(s.port(), "/api/v1/query?query=throw");
  EXPECT_EQ(th.status, 500);
  EXPECT_NE(th.body.find("\"errorType\":\"internal\""), std::string::npos);
  auto to = Get(s.port(), "/api/v1/query?query=slow&timeout=0.05");
  EXPECT_EQ(to.status, 503);
  EXPECT_NE(to.body.find("\"errorType\":\"timeout\""), std::string::npos);
}

TEST_F(ApiServerTest, RangeQueryValidation) {
  TestServer s(b_);
  auto ok = Get(s.port(), "/api/v1/query_range?query=x&start=10&end=12&step=1s");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"job\":\"x\"},\"values\":[[10,\"10\"],[11,\"11\"],[12,\"12\"]]}]}}");
  auto e1 = Get(s.port(), "/api/v1/query_range?query=x&start=10&end=5&step=1");
  EXPECT_EQ(e1.body, ErrorJson("bad_data", "invalid parameter \"end\": end timestamp must not be before start time"));
  auto e2 = Get(s.port(), "/api/v1/query_range?query=x&start=0&end=100000&step=1");
  EXPECT_EQ(e2.status, 400);
  EXPECT_NE(e2.body.find("exceeded maximum resolution of 11,000 points per timeseries"), std::string::npos);
  auto e3 = Get(s.port(), "/api/v1/query_range?query=x&start=0&end=10&step=0");
  EXPECT_NE(e3.body.find("zero or negative query resolution step widths are not accepted"), std::string::npos);
  auto e4 = Get(s.port(), "/api/v1/query_range?query=x&end=10&step=1");
  EXPECT_EQ(e4.body, ErrorJson("bad_data", "invalid parameter \"start\": cannot parse \"\" to a valid timestamp"));
}

TEST_F(ApiServerTest, LabelsSeriesValues) {
  TestServer s(b_);
  EXPECT_EQ(Get(s.port(), "/api/v1/labels").body,
            "{\"status\":\"success\",\"data\":[\"__name__\",\"code\",\"instance\",\"job\"]}");
  EXPECT_EQ(Get(s.port(), "/api/v1/label/__name__/values").body,
            "{\"status\":\"success\",\"data\":[\"http_requests_total\",\"up\"]}");
  EXPECT_EQ(Get(s.port(), "/api/v1/label/job/values?match[]=up").body,
            "{\"status\":\"success\",\"data\":[\"api\",\"db\"]}");
  EXPECT_EQ(Get(s.port(), "/api/v1/label/job/values?match[]=http_requests_total").body,
            "{\"status\":\"success\",\"data\":[\"api\"]}");
  EXPECT_EQ(Get(s.port(), "/api/v1/label/nope/values").body, "{\"status\":\"success\",\"data\":[]}");
  EXPECT_EQ(Get(s.port(), "/api/v1/label/1bad/values").status, 400);
  auto series = PostForm(s.port(), "/api/v1/series",
                         "match%5B%5D=up%7Bjob%3D%22db%22%7D&start=1699999999&end=1700000100");
  EXPECT_EQ(series.body,
            "{\"status\":\"success\",\"data\":[{\"__name__\":\"up\",\"instance\":\"b:1\",\"job\":\"db\"}]}");
  EXPECT_EQ(Get(s.port(), "/api/v1/series").body, ErrorJson("bad_data", "no match[] parameter provided"));
  EXPECT_EQ(Get(s.port(), "/api/v1/series?match[]=up&start=1800000000").body,
            "{\"status\":\"success\",\"data\":[]}");
  EXPECT_EQ(Get(s.port(), "/api/v1/series?match[]=%7B").status, 400);
  auto lim = Get(s.port(), "/api/v1/labels?limit=2");
  EXPECT_EQ(lim.body, "{\"status\":\"success\",\"data\":[\"__name__\",\"code\"],\"warnings\":[\"results truncated due to limit\"]}");
}

TEST_F(ApiServerTest, StatusEndpoints) {
  TestServer s(b_);
  auto bi = Get(s.port(), "/api/v1/status/buildinfo");
  EXPECT_NE(bi.body.find("\"version\":\"2.42.0\""), std::string::npos);
  EXPECT_EQ(Get(s.port(), "/api/v1/rules").body, "{\"status\":\"success\",\"data\":{\"groups\":[]}}");
  EXPECT_EQ(Get(s.port(), "/api/v1/alerts").body, "{\"status\":\"success\",\"data\":{\"alerts\":[]}}");
  EXPECT_EQ(Get(s.port(), "/api/v1/query_exemplars?query=up").body, "{\"status\":\"success\",\"data\":[]}");
  EXPECT_EQ(Get(s.port(), "/api/v1/metadata").body, "{\"status\":\"success\",\"data\":{}}");
  auto tsdb = Get(s.port(), "/api/v1/status/tsdb");
  EXPECT_EQ(tsdb.status, 200);
  EXPECT_NE(tsdb.body.find("\"headStats\""), std::string::npos);
  auto del = PostForm(s.port(), "/api/v1/admin/tsdb/delete_series", "match[]=up");
  EXPECT_EQ(del.status, 503);
  EXPECT_EQ(del.body, ErrorJson("unavailable", "admin APIs disabled"));
}

TEST_F(ApiServerTest, AdminDeleteWhenEnabled) {
  b_.enable_admin_api = true;
  TestServer s(b_);
  EXPECT_EQ(PostForm(s.port(), "/api/v1/admin/tsdb/delete_series", "match[]=up").status, 204);
  EXPECT_EQ(Get(s.port(), "/api/v1/label/__name__/values").body,
            "{\"status\":\"success\",\"data\":[\"http_requests_total\"]}");
}

TEST_F(ApiServerTest, PipelinedRequestsAnsweredInOrder) {
  TestServer s(b_);
  std::string reqs;
  for (const char* q : {"up", "1%2B1", "bad(", "up"}) {
    reqs += std::string("GET /api/v1/query?query=") + q + "&time=5 HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  reqs += "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  auto replies = RawExchange(s.port(), reqs, 5);
  ASSERT_EQ(replies.size(), 5u);
  EXPECT_NE(replies[0].body.find("\"vector\""), std::string::npos);
  EXPECT_NE(replies[1].body.find("\"scalar\""), std::string::npos);
  EXPECT_EQ(replies[2].status, 400);
  EXPECT_NE(replies[3].body.find("\"vector\""), std::string::npos);
  EXPECT_EQ(replies[4].status, 200);
}

TEST_F(ApiServerTest, BodyLimitAnd413) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  TestServer s(b_, o);
  std::string form = "query=up&pad=" + std::string(5000, 'x');
  EXPECT_EQ(PostForm(s.port(), "/api/v1/query", form).status, 413);
  // Chunked bodies are limited too.
  std::string chunked = "POST /api/v1/query HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                        "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 10; ++i) chunked += "1f4\r\n" + std::string(500, 'y') + "\r\n";
  chunked += "0\r\n\r\n";
  auto r = RawExchange(s.port(), chunked, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 413);
}

TEST_F(ApiServerTest, ChunkedAndGzipRequestBodies) {
  TestServer s(b_);
  std::string chunked = "POST /api/v1/query HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                        "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "6\r\nquery=\r\n5\r\n1%2B1\r\n0\r\n\r\n";
  auto r = RawExchange(s.port(), chunked, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NE(r[0].body.find("\"scalar\""), std::string::npos);
  std::string gz = GzipCompress("query=up&time=1");
  auto g = Request(s.port(), "POST", "/api/v1/query", gz,
                   {"Content-Type: application/x-www-form-urlencoded", "Content-Encoding: gzip"});
  EXPECT_EQ(g.status, 200);
  EXPECT_NE(g.body.find("\"vector\""), std::string::npos);
  auto bad = Request(s.port(), "POST", "/api/v1/query", "garbage",
                     {"Content-Type: application/x-www-form-urlencoded", "Content-Encoding: gzip"});
  EXPECT_EQ(bad.status, 400);
}

TEST_F(ApiServerTest, GzipResponses) {
  TestServer s(b_);
  auto r = Request(s.port(), "GET", "/api/v1/query_range?query=x&start=0&end=1000&step=1", "",
                   {"Accept-Encoding: gzip"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-encoding"], "gzip");
  std::string plain;
  ASSERT_TRUE(GzipDecompress(r.body, 1 << 24, &plain).ok());
  EXPECT_EQ(plain.rfind("{\"status\":\"success\"", 0), 0u);
  auto small = Request(s.port(), "GET", "/-/healthy", "", {"Accept-Encoding: gzip"});
  EXPECT_EQ(small.headers.count("content-encoding"), 0u);
}

// Waits (bounded, so a broken server fails instead of hanging) until `n` queries are blocked.
void WaitBlocked(FakeEngine& e, int n) {
  std::unique_lock<std::mutex> lock(e.mu);
  ASSERT_TRUE(e.cv.wait_for(lock, std::chrono::seconds(60), [&] { return e.blocked == n; }));
}

void Release(FakeEngine& e) {
  {
    std::lock_guard<std::mutex> lock(e.mu);
    e.released = true;
  }
  e.cv.notify_all();
}

TEST_F(ApiServerTest, QueryBeyondConcurrencyAndFullQueueIs503) {
  query::QueryGate gate(1, 0);
  b_.query_gate = &gate;
  TestServer s(b_);
  std::thread first([&] { Get(s.port(), "/api/v1/query?query=block"); });
  WaitBlocked(engine_, 1);
  auto r = Get(s.port(), "/api/v1/query?query=up");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("\"errorType\":\"unavailable\""), std::string::npos);
  EXPECT_NE(r.body.find("--query.max-queue-length"), std::string::npos) << r.body;
  // Health checks are not blocked by the running query.
  EXPECT_EQ(Get(s.port(), "/-/ready").status, 200);
  Release(engine_);
  first.join();
  EXPECT_EQ(Get(s.port(), "/api/v1/query?query=up").status, 200);
}

TEST_F(ApiServerTest, QueryBeyondConcurrencyWaitsForASlot) {
  MetricsRegistry metrics;
  query::QueryGate gate(1, 1, &metrics);
  b_.query_gate = &gate;
  TestServer s(b_);
  std::thread first([&] { Get(s.port(), "/api/v1/query?query=block"); });
  WaitBlocked(engine_, 1);
  int queued_status = 0;
  std::thread queued([&] { queued_status = Get(s.port(), "/api/v1/query?query=1%2B1").status; });
  Gauge* queries = metrics.GetGauge("prometheus_engine_queries", "");
  for (int i = 0; i < 60000 && queries->Value() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(queries->Value(), 2);  // one running, one waiting
  // The queue holds one: a third query finds it full.
  EXPECT_EQ(Get(s.port(), "/api/v1/query?query=up").status, 503);
  Release(engine_);
  first.join();
  queued.join();
  EXPECT_EQ(queued_status, 200);
}

TEST_F(ApiServerTest, QueuedQueryTimesOutWithItsOwnTimeout) {
  query::QueryGate gate(1, 4);
  b_.query_gate = &gate;
  TestServer s(b_);
  std::thread first([&] { Get(s.port(), "/api/v1/query?query=block"); });
  WaitBlocked(engine_, 1);
  auto r = Get(s.port(), "/api/v1/query?query=up&timeout=50ms");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("\"errorType\":\"timeout\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("query timed out in query queue"), std::string::npos) << r.body;
  Release(engine_);
  first.join();
}

TEST_F(ApiServerTest, MetricsEndpointCountsRequests) {
  TestServer s(b_);
  Get(s.port(), "/-/healthy");
  auto m = Get(s.port(), "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("tidemark_http_requests_total{handler=\"healthy\",code=\"200\"} 1"),
            std::string::npos);
}

TEST_F(ApiServerTest, HeadHasHeadersButNoBody) {
  TestServer s(b_);
  namespace net = boost::asio;
  net::io_context ioc;
  net::ip::tcp::socket sock(ioc);
  sock.connect({net::ip::make_address("127.0.0.1"), s.port()});
  std::string req = "HEAD /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  net::write(sock, net::buffer(req));
  std::string all;
  boost::system::error_code ec;
  char buf[4096];
  for (;;) {
    size_t n = sock.read_some(net::buffer(buf), ec);
    if (ec) break;
    all.append(buf, n);
  }
  EXPECT_EQ(all.rfind("HTTP/1.1 200", 0), 0u) << all;
  EXPECT_NE(all.find("Content-Length: 28\r\n"), std::string::npos) << all;
  EXPECT_EQ(all.substr(all.size() - 4), "\r\n\r\n");  // nothing after the headers
}

TEST_F(ApiServerTest, HeaderLimit) {
  ServerOptions o;
  o.max_header_bytes = 512;
  TestServer s(b_, o);
  auto r = Request(s.port(), "GET", "/-/healthy", "", {"X-Big: " + std::string(2000, 'a')});
  EXPECT_EQ(r.status, 431);
}

}  // namespace
}  // namespace tidemark::http
