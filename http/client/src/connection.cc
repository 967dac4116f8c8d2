// Connection (connection.h): connect, proxy tunnel, TLS handshake and keep-alive exchanges, each
// step run on a private io_context until it completes or the deadline passes.
#include "connection.h"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>

#include <cerrno>

#include "tls.h"

namespace tidemark::httpclient {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

Connection::Connection() : resolver_(ioc_), socket_(ioc_) {}

Connection::~Connection() {
  beast::error_code ignored;
  lowest().close(ignored);
}

tcp::socket& Connection::lowest() { return tls_ ? tls_->next_layer() : socket_; }

// On timeout the socket is closed (the connection is then unusable) and the step reports
// timed_out.
template <class Start>
beast::error_code Connection::Run(Start&& start) {
  bool done = false;
  beast::error_code result;
  start([&done, &result](beast::error_code ec, auto&&...) {
    result = ec;
    done = true;
  });
  ioc_.restart();
  while (!done && ioc_.run_one_until(deadline_) > 0) {
  }
  if (done) return result;
  beast::error_code ignored;
  resolver_.cancel();
  lowest().close(ignored);
  ioc_.restart();
  ioc_.run();  // lets the aborted operation finish before `done` goes out of scope
  return asio::error::timed_out;
}

Status Connection::Failed(const std::string& what, const beast::error_code& ec) {
  if (ec == asio::error::timed_out) return Status::DeadlineExceeded(what + ": timed out");
  return Status::Unavailable(what + ": " + ec.message());
}

Status Connection::Connect(const Url& to) {
  tcp::resolver::results_type endpoints;
  beast::error_code ec = Run([&](auto handler) {
    resolver_.async_resolve(to.host, to.port,
                            [&endpoints, handler](beast::error_code e, tcp::resolver::results_type r) mutable {
                              endpoints = std::move(r);
                              handler(e);
                            });
  });
  if (ec) return Failed("resolve " + to.host, ec);
  ec = Run([&](auto handler) { asio::async_connect(socket_, endpoints, handler); });
  if (ec) return Failed("connect " + to.HostPort(), ec);
  // Small requests go out at once rather than waiting for the previous answer's ACK (Nagle).
  socket_.set_option(tcp::no_delay(true), ec);
  return Status::OK();
}

Status Connection::Tunnel(const Url& target, const std::string& proxy_auth) {
  bhttp::request<bhttp::empty_body> req{bhttp::verb::connect, target.HostPort(), 11};
  req.set(bhttp::field::host, target.HostPort());
  if (!proxy_auth.empty()) req.set(bhttp::field::proxy_authorization, proxy_auth);
  beast::error_code ec = Run([&](auto handler) { bhttp::async_write(socket_, req, handler); });
  if (ec) return Failed("proxy CONNECT", ec);
  bhttp::response_parser<bhttp::empty_body> parser;
  parser.skip(true);  // a CONNECT answer has no body
  ec = Run([&](auto handler) { bhttp::async_read(socket_, buffer_, parser, handler); });
  if (ec) return Failed("proxy CONNECT", ec);
  if (parser.get().result_int() != 200) {
    return Status::Unavailable("proxy CONNECT to " + target.HostPort() + " answered " +
                               std::to_string(parser.get().result_int()));
  }
  return Status::OK();
}

Status Connection::Handshake(asio::ssl::context& ctx, const TlsConfig& tls, const Url& target) {
  tls_.emplace(std::move(socket_), ctx);
  TM_RETURN_IF_ERROR(PrepareConnection(tls_->native_handle(), tls, target.host));
  beast::error_code ec =
      Run([&](auto handler) { tls_->async_handshake(asio::ssl::stream_base::client, handler); });
  if (!ec) return Status::OK();
  std::string why = ec.message();
  const long verify = SSL_get_verify_result(tls_->native_handle());
  if (verify != X509_V_OK) why += ": " + std::string(X509_verify_cert_error_string(verify));
  return Status::Unavailable("TLS handshake with " + target.HostPort() + ": " + why);
}

Status Connection::Exchange(HttpRequest& req, HttpResponse& res, uint64_t body_limit, bool head,
                            bool* nothing_processed) {
  reusable_ = false;
  *nothing_processed = false;
  beast::error_code ec = tls_ ? Run([&](auto h) { bhttp::async_write(*tls_, req, h); })
                              : Run([&](auto h) { bhttp::async_write(socket_, req, h); });
  if (ec) {
    *nothing_processed = ec != asio::error::timed_out;
    return Failed("sending request", ec);
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(body_limit);
  if (head) parser.skip(true);
  ec = tls_ ? Run([&](auto h) { bhttp::async_read(*tls_, buffer_, parser, h); })
            : Run([&](auto h) { bhttp::async_read(socket_, buffer_, parser, h); });
  if (ec == bhttp::error::body_limit) {
    return Status::ResourceExhausted("response body larger than " + std::to_string(body_limit) + " bytes");
  }
  if (ec) {
    // Beast reports end_of_stream only when the stream ended before any byte of a message.
    const bool closed = ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
                        ec == asio::error::connection_reset || ec == asio::ssl::error::stream_truncated;
    *nothing_processed = closed && !parser.got_some();
    return Failed("reading response", ec);
  }
  reusable_ = req.keep_alive() && parser.get().keep_alive() && !parser.need_eof() && buffer_.size() == 0;
  res = parser.release();
  if (!reusable_) {
    beast::error_code ignored;
    lowest().close(ignored);
  }
  return Status::OK();
}

bool Connection::PeerClosed() {
  if (!lowest().is_open()) return true;
  char byte;
  const ssize_t n = ::recv(lowest().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;  // FIN: the server closed the idle connection
  if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
  // Bytes while idle: on plain HTTP an unsolicited answer (unusable); over TLS possibly a
  // session ticket or close_notify, which the next exchange reads (and retries on a close).
  return !tls_;
}

}  // namespace tidemark::httpclient
