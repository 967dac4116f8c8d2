// One client connection (plain, TLS, or TLS tunnelled through a proxy) that can carry several
// HTTP/1.1 exchanges: every step runs on the connection's own io_context, bounded by a deadline.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "tidemark/httpclient/config.h"
#include "tidemark/storage/model/status.h"
#include "url.h"

namespace tidemark::httpclient {

class Connection {
 public:
  using Clock = std::chrono::steady_clock;
  // The body is a view of the caller's bytes: a request body is never copied.
  using HttpRequest = boost::beast::http::request<boost::beast::http::span_body<const char>>;
  using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

  Connection();
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Bounds every following step until the next call.
  void set_deadline(Clock::time_point d) { deadline_ = d; }

  Status Connect(const Url& to);
  // HTTP CONNECT through the proxy we are connected to, for a TLS tunnel to `target`;
  // `proxy_auth` is the Proxy-Authorization value ("" = none).
  Status Tunnel(const Url& target, const std::string& proxy_auth);
  Status Handshake(boost::asio::ssl::context& ctx, const TlsConfig& tls, const Url& target);

  // Writes `req` and reads the answer (framed by Content-Length, chunked encoding, or the end of
  // the connection). On failure `*nothing_processed` says whether the server cannot have acted
  // on the request: the write failed, or the connection ended (EOF/reset) before any byte of an
  // answer; only then may a request on a reused connection be sent again on a fresh one.
  // `head`: the answer to a HEAD request has no body whatever its headers say.
  Status Exchange(HttpRequest& req, HttpResponse& res, uint64_t body_limit, bool head,
                  bool* nothing_processed);

  // After a successful Exchange: whether another request may follow on this connection (both
  // sides kept it alive, the answer was framed, nothing unread is left).
  bool reusable() const { return reusable_; }
  // Whether an idle connection was closed by the peer (or has unexpected bytes waiting); a
  // cheap non-blocking peek, so a server-closed idle connection is rarely written to at all.
  bool PeerClosed();

 private:
  template <class Start>
  boost::beast::error_code Run(Start&& start);
  boost::asio::ip::tcp::socket& lowest();
  Status Failed(const std::string& what, const boost::beast::error_code& ec);

  Clock::time_point deadline_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
  boost::beast::flat_buffer buffer_;
  bool reusable_ = false;
};

}  // namespace tidemark::httpclient
