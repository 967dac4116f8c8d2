// The client's request flow: resolve, connect (or tunnel through the proxy), TLS handshake,
// one HTTP/1.1 exchange per connection, redirects; every step bounded by one deadline.
#include "tidemark/httpclient/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <optional>

#include "tls.h"
#include "url.h"

namespace tidemark::httpclient {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

class Client::Impl {
 public:
  explicit Impl(SslCtxPtr ctx) : ssl(ctx.release()) {}
  asio::ssl::context ssl;
};

namespace {

// Go's http.Client stops after 10 redirects.
constexpr int kMaxRedirects = 10;

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) |
                       uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) v |= uint32_t(uint8_t(in[i + 1])) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string BasicAuth(const std::string& userinfo) {
  return "Basic " + Base64(PercentDecode(userinfo));
}

// One connection: every asynchronous step runs on a private io_context until it completes or
// the shared deadline passes (then the socket is closed and the step reports timed_out).
class Connection {
 public:
  explicit Connection(SteadyClock::time_point deadline)
      : deadline_(deadline), resolver_(ioc_), socket_(ioc_) {}

  template <class Start>
  beast::error_code Run(Start&& start) {
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

  Status Connect(const Url& to) {
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
    return Status::OK();
  }

  // HTTP CONNECT through the proxy we are connected to, for a TLS tunnel to `target`.
  Status Tunnel(const Url& target, const Url& proxy) {
    bhttp::request<bhttp::empty_body> req{bhttp::verb::connect, target.HostPort(), 11};
    req.set(bhttp::field::host, target.HostPort());
    if (!proxy.userinfo.empty()) req.set(bhttp::field::proxy_authorization, BasicAuth(proxy.userinfo));
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

  Status Handshake(asio::ssl::context& ctx, const TlsConfig& tls, const Url& target) {
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

  Status Exchange(bhttp::request<bhttp::string_body>& req, bhttp::response<bhttp::string_body>& res,
                  uint64_t body_limit) {
    beast::error_code ec = tls_ ? Run([&](auto h) { bhttp::async_write(*tls_, req, h); })
                                : Run([&](auto h) { bhttp::async_write(socket_, req, h); });
    if (ec) return Failed("sending request", ec);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(body_limit);
    ec = tls_ ? Run([&](auto h) { bhttp::async_read(*tls_, buffer_, parser, h); })
              : Run([&](auto h) { bhttp::async_read(socket_, buffer_, parser, h); });
    if (ec == bhttp::error::body_limit) {
      return Status::ResourceExhausted("response body larger than " + std::to_string(body_limit) + " bytes");
    }
    if (ec) return Failed("reading response", ec);
    res = parser.release();
    beast::error_code ignored;
    lowest().close(ignored);  // one request per connection ("Connection: close")
    return Status::OK();
  }

 private:
  tcp::socket& lowest() { return tls_ ? tls_->next_layer() : socket_; }

  Status Failed(const std::string& what, const beast::error_code& ec) {
    if (ec == asio::error::timed_out) return Status::DeadlineExceeded(what + ": timed out");
    return Status::Unavailable(what + ": " + ec.message());
  }

  SteadyClock::time_point deadline_;
  asio::io_context ioc_;
  tcp::resolver resolver_;
  tcp::socket socket_;
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
  beast::flat_buffer buffer_;
};

}  // namespace

Client::Client(ClientConfig config, std::unique_ptr<Impl> impl)
    : config_(std::move(config)), impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::shared_ptr<const Client>> Client::Create(ClientConfig config) {
  TM_ASSIGN_OR_RETURN(SslCtxPtr ctx, MakeSslContext(config.tls));
  if (!config.proxy_url.empty()) TM_RETURN_IF_ERROR(ParseUrl(config.proxy_url).status());
  auto impl = std::make_unique<Impl>(std::move(ctx));
  return std::shared_ptr<const Client>(new Client(std::move(config), std::move(impl)));
}

Result<Response> Client::Do(const Request& in) const {
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(in.timeout_ms);
  std::optional<Url> proxy;
  if (!config_.proxy_url.empty()) {
    TM_ASSIGN_OR_RETURN(Url p, ParseUrl(config_.proxy_url));
    proxy = std::move(p);
  }
  std::string url = in.url, method = in.method, body = in.body;
  for (int hop = 0;; ++hop) {
    TM_ASSIGN_OR_RETURN(Url u, ParseUrl(url));
    bhttp::request<bhttp::string_body> req;
    req.method(bhttp::string_to_verb(method));
    if (req.method() == bhttp::verb::unknown) return Status::InvalidArgument("bad HTTP method " + method);
    req.version(11);
    const bool via_proxy_plain = proxy && u.scheme == "http";
    // Through a proxy, plain HTTP uses the absolute URI as the request target.
    req.target(via_proxy_plain ? u.scheme + "://" + u.HostPort() + u.target : u.target);
    const bool default_port = u.port == (u.scheme == "https" ? "443" : "80");
    req.set(bhttp::field::host, default_port ? (u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host)
                                             : u.HostPort());
    req.set(bhttp::field::user_agent, "Tidemark");
    if (!body.empty() || req.method() == bhttp::verb::post || req.method() == bhttp::verb::put) {
      req.set(bhttp::field::content_type, in.content_type);
    }
    if (config_.basic_auth) {
      req.set(bhttp::field::authorization, "Basic " + Base64(config_.username + ":" + config_.password));
    } else if (!config_.auth_type.empty()) {
      req.set(bhttp::field::authorization, config_.auth_type + " " + config_.credentials);
    }
    if (via_proxy_plain && !proxy->userinfo.empty()) {
      req.set(bhttp::field::proxy_authorization, BasicAuth(proxy->userinfo));
    }
    for (const auto& [k, v] : in.headers) req.set(k, v);
    req.keep_alive(false);
    req.body() = body;
    req.prepare_payload();

    Connection conn(deadline);
    TM_RETURN_IF_ERROR(conn.Connect(proxy ? *proxy : u));
    if (proxy && u.scheme == "https") TM_RETURN_IF_ERROR(conn.Tunnel(u, *proxy));
    if (u.scheme == "https") TM_RETURN_IF_ERROR(conn.Handshake(impl_->ssl, config_.tls, u));
    bhttp::response<bhttp::string_body> res;
    TM_RETURN_IF_ERROR(conn.Exchange(req, res, in.body_limit));

    const int status = static_cast<int>(res.result_int());
    const bool redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    const auto location = res.find(bhttp::field::location);
    if (!redirect || !config_.follow_redirects || location == res.end()) {
      Response out{status, std::move(res.body()), std::string(res.reason()), {}};
      for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
      return out;
    }
    if (hop + 1 >= kMaxRedirects) {
      return Status::Unavailable("stopped after " + std::to_string(kMaxRedirects) + " redirects");
    }
    url = ResolveLocation(u, std::string(location->value()));
    // As Go's client: 301/302/303 turn a POST into a GET without body; 307/308 keep both.
    if (status <= 303 && method != "GET" && method != "HEAD") {
      method = "GET";
      body.clear();
    }
  }
}

std::string Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (beast::iequals(k, beast::string_view(name.data(), name.size()))) return v;
  }
  return "";
}

std::string UrlHostForLog(const std::string& url) {
  auto u = ParseUrl(url);
  if (!u.ok()) return "<invalid URL>";
  return u->scheme + "://" + u->HostPort();
}

}  // namespace tidemark::httpclient
