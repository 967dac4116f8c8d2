// --web.max-connections: idle or trickling clients at the cap are closed to admit new ones, so
// health checks keep answering; busy connections are never evicted.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "http_test_util.h"
#include "tidemark/storage/storage.h"

namespace tidemark::http {
namespace {

namespace net = boost::asio;
using testing::Get;
using testing::TestServer;

double Evicted(MetricsRegistry& m) {
  return m.GetCounter("tidemark_http_connections_evicted_total", "")->Value();
}

// True once the server has closed `sock` (EOF or reset), within a bound that only keeps a broken
// server from hanging the test.
bool ClosedByServer(net::ip::tcp::socket& sock) {
  sock.non_blocking(true);
  char c;
  for (int i = 0; i < 60000; ++i) {
    boost::system::error_code ec;
    sock.read_some(net::buffer(&c, 1), ec);
    if (ec == net::error::would_block) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    return ec == net::error::eof || ec == net::error::connection_reset;
  }
  return false;
}

TEST(ConnectionLimitTest, WaitingClientsAreEvictedOldestFirstAtTheCap) {
  auto storage = NewMemStorage();
  ApiBackends b;
  b.storage = storage.get();
  ServerOptions o;
  o.max_connections = 4;
  TestServer s(b, o);
  ASSERT_NE(s.port(), 0);
  net::io_context ioc;
  std::vector<net::ip::tcp::socket> idle;
  for (int i = 0; i < 12; ++i) {
    idle.emplace_back(ioc);
    idle.back().connect({net::ip::make_address("127.0.0.1"), s.port()});
    // Half trickle the start of a request (slowloris), half send nothing.
    if (i % 2 == 0) net::write(idle.back(), net::buffer(std::string("GET /-/healthy HTTP/1.1\r\nX")));
  }
  // Each health check is a new connection at the cap: it evicts a waiting one and is answered.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Get(s.port(), "/-/healthy").status, 200);
  EXPECT_GE(Evicted(s.metrics()), 8);
  // The oldest went first.
  EXPECT_TRUE(ClosedByServer(idle.front()));
  EXPECT_TRUE(ClosedByServer(idle[1]));
}

}  // namespace
}  // namespace tidemark::http
