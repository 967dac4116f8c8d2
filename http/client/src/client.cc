// The client's request flow: a session's idle connection or a new one (connect, proxy tunnel,
// TLS handshake), the HTTP/1.1 exchange, one retry on a stale reused connection, redirects;
// every step bounded by one deadline.
#include "tidemark/httpclient/client.h"

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <optional>

#include "connection.h"
#include "tls.h"
#include "url.h"

namespace tidemark::httpclient {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
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

}  // namespace

Session::Session() = default;
Session::~Session() = default;

Client::Client(ClientConfig config, std::unique_ptr<Impl> impl)
    : config_(std::move(config)), impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::shared_ptr<const Client>> Client::Create(ClientConfig config) {
  TM_ASSIGN_OR_RETURN(SslCtxPtr ctx, MakeSslContext(config.tls));
  if (!config.proxy_url.empty()) TM_RETURN_IF_ERROR(ParseUrl(config.proxy_url).status());
  auto impl = std::make_unique<Impl>(std::move(ctx));
  return std::shared_ptr<const Client>(new Client(std::move(config), std::move(impl)));
}

Result<Response> Client::Do(const Request& in, Session* session) const {
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(in.timeout_ms);
  std::optional<Url> proxy;
  if (!config_.proxy_url.empty()) {
    TM_ASSIGN_OR_RETURN(Url p, ParseUrl(config_.proxy_url));
    proxy = std::move(p);
  }
  std::string url = in.url, method = in.method;
  bool send_body = true;  // dropped by a redirect that turns the request into a GET
  for (int hop = 0;; ++hop) {
    TM_ASSIGN_OR_RETURN(Url u, ParseUrl(url));
    Connection::HttpRequest req;
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
    if ((send_body && !in.body.empty()) || req.method() == bhttp::verb::post || req.method() == bhttp::verb::put) {
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
    // A session is used by one request at a time; a concurrent one goes on a one-off connection.
    std::unique_lock<std::mutex> session_lock;
    if (session != nullptr) session_lock = std::unique_lock<std::mutex>(session->mu_, std::try_to_lock);
    Session* const s = session_lock.owns_lock() ? session : nullptr;
    req.keep_alive(s != nullptr);
    if (send_body) req.body() = beast::span<const char>(in.body.data(), in.body.size());
    req.prepare_payload();

    const std::string key = u.scheme + "://" + u.HostPort();
    std::unique_ptr<Connection> conn;
    if (s != nullptr && s->idle_) {
      if (s->owner_ == this && s->key_ == key && !s->idle_->PeerClosed()) conn = std::move(s->idle_);
      s->idle_.reset();
    }
    bool reused = conn != nullptr;
    bhttp::response<bhttp::string_body> res;
    for (;;) {
      if (!conn) {
        conn = std::make_unique<Connection>();
        conn->set_deadline(deadline);
        if (s != nullptr) ++s->opened_;
        TM_RETURN_IF_ERROR(conn->Connect(proxy ? *proxy : u));
        if (proxy && u.scheme == "https") {
          TM_RETURN_IF_ERROR(conn->Tunnel(u, proxy->userinfo.empty() ? "" : BasicAuth(proxy->userinfo)));
        }
        if (u.scheme == "https") TM_RETURN_IF_ERROR(conn->Handshake(impl_->ssl, config_.tls, u));
      }
      conn->set_deadline(deadline);
      bool nothing_processed = false;
      Status st = conn->Exchange(req, res, in.body_limit, req.method() == bhttp::verb::head, &nothing_processed);
      if (st.ok()) break;
      conn.reset();
      // The server closed the kept connection before it could act on the request: once more, fresh.
      if (!reused || !nothing_processed) return st;
      reused = false;
    }
    if (s != nullptr && conn->reusable()) {
      s->idle_ = std::move(conn);
      s->owner_ = this;
      s->key_ = key;
    }

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
      send_body = false;
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
