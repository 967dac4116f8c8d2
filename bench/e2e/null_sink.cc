// Thread-per-connection Beast server: GET /-/ready → 200, anything else → 204 after reading the body.
#include "null_sink.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <atomic>
#include <memory>
#include <thread>

namespace tidemark::e2e {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

void Serve(tcp::socket socket, int fail_every, std::shared_ptr<std::atomic<int64_t>> writes) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(256 << 20);
    http::read(socket, buffer, parser, ec);
    if (ec) break;
    const auto& req = parser.get();
    http::response<http::string_body> res;
    res.version(11);
    if (req.target() == "/-/ready" || req.target() == "/-/healthy") {
      res.result(http::status::ok);
      res.body() = "ready\n";
    } else if (fail_every > 0 && ++*writes % fail_every == 0) {
      res.result(http::status::service_unavailable);
      res.body() = "injected failure\n";
    } else {
      res.result(http::status::no_content);
    }
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    http::write(socket, res, ec);
    if (ec || !req.keep_alive()) break;
  }
  socket.shutdown(tcp::socket::shutdown_both, ec);
}

}  // namespace

std::string RunNullSink(const NullSinkOptions& options) {
  asio::io_context io;
  beast::error_code ec;
  tcp::endpoint ep(asio::ip::make_address(options.host, ec), options.port);
  if (ec) return "bad address: " + ec.message();
  tcp::acceptor acceptor(io);
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return "listen: " + ec.message();
  auto writes = std::make_shared<std::atomic<int64_t>>(0);
  for (;;) {
    tcp::socket socket(io);
    acceptor.accept(socket, ec);
    if (ec) continue;
    std::thread(Serve, std::move(socket), options.fail_every, writes).detach();  // until peer closes
  }
}

}  // namespace tidemark::e2e
