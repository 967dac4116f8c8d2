// A query whose client disconnects is cancelled (DisconnectSignal), and a client that keeps its
// connection and pipelines its next request while a query runs is answered normally.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "http_test_util.h"
#include "tidemark/storage/storage.h"

namespace tidemark::http {
namespace {

namespace net = boost::asio;
using testing::TestServer;

// Bounds every wait so a broken server fails the test instead of hanging it; never reached when
// the code works (nothing here measures time).
constexpr auto kLiveness = std::chrono::seconds(60);

// The fixture is its own engine: "hold" runs until its token is cancelled or the test releases it.
class ClientDisconnectTest : public ::testing::Test, public query::QueryEngine {
 protected:
  void SetUp() override {
    storage_ = NewMemStorage();
    b_.storage = storage_.get();
    b_.engine = this;
  }

  Result<query::QueryValue> InstantQuery(std::string_view q, Timestamp t,
                                          const query::CancelToken* c) override {
    if (q == "hold") {
      std::unique_lock<std::mutex> lock(mu_);
      ++entered_;
      cv_.notify_all();
      while (!released_ && !c->canceled.load()) cv_.wait_for(lock, std::chrono::milliseconds(1));
      if (c->canceled.load()) {
        ++saw_cancel_;
        cv_.notify_all();
        return Status::Canceled("query was canceled in expression evaluation");
      }
    }
    query::QueryValue v;
    v.kind = query::ValueKind::kScalar;
    v.scalar = q == "hold" ? 7 : 1;
    v.t = t;
    return v;
  }
  Result<query::QueryValue> RangeQuery(std::string_view, Timestamp, Timestamp, int64_t,
                                        const query::CancelToken*) override {
    return Status::Internal("range queries are not used here");
  }

  bool WaitFor(const std::function<bool()>& done) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kLiveness, done);
  }

  std::unique_ptr<Storage> storage_;
  ApiBackends b_;
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  int saw_cancel_ = 0;
  bool released_ = false;
};

double FailedCount(MetricsRegistry& m, const std::string& reason) {
  return m
      .GetCounter("tidemark_queries_failed_total", "Failed PromQL queries by reason.",
                  {"type", "reason"}, {"instant", reason})
      ->Value();
}

// Opens a connection to `port` and sends `request` on it.
void Send(net::ip::tcp::socket& sock, uint16_t port, const std::string& request) {
  sock.connect({net::ip::make_address("127.0.0.1"), port});
  net::write(sock, net::buffer(request));
}

TEST_F(ClientDisconnectTest, ClosingTheConnectionCancelsTheRunningQuery) {
  TestServer s(b_);
  ASSERT_NE(s.port(), 0);
  net::io_context ioc;
  net::ip::tcp::socket sock(ioc);
  Send(sock, s.port(), "GET /api/v1/query?query=hold HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(WaitFor([this] { return entered_ == 1; }));
  sock.close();  // Grafana dropping a superseded query
  ASSERT_TRUE(WaitFor([this] { return saw_cancel_ == 1; }));
  // The failure is counted after the handler returns, on the worker thread.
  auto deadline = std::chrono::steady_clock::now() + kLiveness;
  while (FailedCount(s.metrics(), "client_disconnected") < 1 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(FailedCount(s.metrics(), "client_disconnected"), 1);
  EXPECT_EQ(FailedCount(s.metrics(), "Canceled"), 0);
}

TEST_F(ClientDisconnectTest, ClosingTheConnectionCancelsAQueryWaitingForASlot) {
  query::QueryGate gate(1, 1);
  b_.query_gate = &gate;
  TestServer s(b_);
  ASSERT_NE(s.port(), 0);
  net::io_context ioc;
  net::ip::tcp::socket running(ioc), waiting(ioc);
  Send(running, s.port(), "GET /api/v1/query?query=hold HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(WaitFor([this] { return entered_ == 1; }));
  Send(waiting, s.port(), "GET /api/v1/query?query=hold HTTP/1.1\r\nHost: x\r\n\r\n");
  waiting.close();
  auto deadline = std::chrono::steady_clock::now() + kLiveness;
  while (FailedCount(s.metrics(), "client_disconnected") < 1 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(FailedCount(s.metrics(), "client_disconnected"), 1);
  {
    std::lock_guard<std::mutex> lock(mu_);
    EXPECT_EQ(entered_, 1);  // the waiting query never started
    released_ = true;
  }
  cv_.notify_all();
  boost::beast::flat_buffer buf;
  boost::beast::http::response<boost::beast::http::string_body> res;
  boost::beast::error_code ec;
  boost::beast::http::read(running, buf, res, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 200);
}

TEST_F(ClientDisconnectTest, PipelinedRequestDuringAQueryIsKeptAndAnswered) {
  TestServer s(b_);
  ASSERT_NE(s.port(), 0);
  net::io_context ioc;
  net::ip::tcp::socket sock(ioc);
  Send(sock, s.port(), "GET /api/v1/query?query=hold&time=5 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(WaitFor([this] { return entered_ == 1; }));
  // Arrives while the first query runs: the server reads it while watching for a disconnect.
  net::write(
      sock,
      net::buffer(std::string(
          "GET /api/v1/query?query=one&time=5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
  {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
  }
  cv_.notify_all();
  boost::beast::flat_buffer buf;
  std::vector<std::string> bodies;
  for (int i = 0; i < 2; ++i) {
    boost::beast::http::response<boost::beast::http::string_body> res;
    boost::beast::error_code ec;
    boost::beast::http::read(sock, buf, res, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(res.result_int(), 200);
    bodies.push_back(res.body());
  }
  EXPECT_NE(bodies[0].find("[5,\"7\"]"), std::string::npos) << bodies[0];
  EXPECT_NE(bodies[1].find("[5,\"1\"]"), std::string::npos) << bodies[1];
  EXPECT_EQ(saw_cancel_, 0);
  EXPECT_EQ(FailedCount(s.metrics(), "client_disconnected"), 0);
}

}  // namespace
}  // namespace tidemark::http
