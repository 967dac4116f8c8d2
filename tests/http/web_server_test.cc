// --web.config.file on real listeners: every route of the API and OTLP routers is tried without,
// with wrong and with right basic-auth credentials, over plain HTTP and over TLS, and with and
// without a client certificate where one is required (private CAs made with the openssl CLI).
#include <gtest/gtest.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "http_test_util.h"
#include "support/status_matchers.h"
#include "tidemark/http/web_config.h"
#include "tidemark/storage/storage.h"

namespace tidemark::http {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using testing::Bcrypt;
using testing::Reply;

constexpr const char* kRight = "Basic YWxpY2U6b3BlbiBzZXNhbWU=";  // alice:open sesame
constexpr const char* kWrong = "Basic YWxpY2U6b3BlbiBzZXNhbWF=";  // alice:open sesamA
constexpr const char* kNewRight = "Basic YWxpY2U6bmV3";          // alice:new

// Two CAs; a server certificate for 127.0.0.1 and a client certificate from the first, and a
// client certificate from the second (which the server must not trust).
class Pki {
 public:
  Pki() : dir_(fs::temp_directory_path() / ("tm_webpki_" + std::to_string(::getpid()))) {
    fs::create_directories(dir_);
    std::ofstream(dir_ / "server.ext") << "subjectAltName=IP:127.0.0.1\n";
    std::ofstream(dir_ / "client.ext") << "extendedKeyUsage=clientAuth\n";
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    auto ca = [&](const std::string& n) {
      return " && openssl req -x509" + ec + " -keyout " + n + ".key -out " + n +
             ".crt -days 2 -subj /CN=" + n;
    };
    auto leaf = [&](const std::string& n, const std::string& issuer, const std::string& ext) {
      return " && openssl req" + ec + " -keyout " + n + ".key -out " + n + ".csr -subj /CN=" + n +
             " && openssl x509 -req -in " + n + ".csr -CA " + issuer + ".crt -CAkey " + issuer +
             ".key -CAcreateserial -out " + n + ".crt -days 2 -extfile " + ext;
    };
    const std::string cmd = "cd " + dir_.string() + " && true" + ca("ca") + ca("otherca") +
                            leaf("server", "ca", "server.ext") + leaf("client", "ca", "client.ext") +
                            leaf("stranger", "otherca", "client.ext");
    ok_ = std::system((cmd + " >/dev/null 2>&1").c_str()) == 0;
  }
  ~Pki() { fs::remove_all(dir_); }
  bool ok() const { return ok_; }
  std::string path(const std::string& f) const { return (dir_ / f).string(); }

 private:
  fs::path dir_;
  bool ok_ = false;
};

struct ClientTls {
  bool on = false;
  std::string ca, cert, key;
};

template <class Stream>
Reply Exchange(Stream& s, const std::string& method, const std::string& req) {
  Reply out;
  beast::error_code ec;
  net::write(s, net::buffer(req), ec);
  if (ec) return out;
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> p;
  p.skip(method == "HEAD");
  bhttp::read(s, buf, p, ec);  // with TLS 1.3 a refused client certificate shows up here
  if (ec) return out;
  out.status = p.get().result_int();
  out.body = p.get().body();
  for (const auto& f : p.get()) {
    std::string k(f.name_string());
    for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[k] = std::string(f.value());
  }
  return out;
}

// One request on a fresh connection; status 0 when the connection or TLS handshake failed.
Reply Send(uint16_t port, const ClientTls& tls, const std::string& method, const std::string& target,
           const std::string& authorization) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!authorization.empty()) req += "Authorization: " + authorization + "\r\n";
  if (method == "POST" || method == "PUT") req += "Content-Length: 0\r\n";
  req += "\r\n";
  net::io_context ioc;
  beast::error_code ec;
  const net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
  if (!tls.on) {
    beast::tcp_stream s(ioc);
    s.expires_after(std::chrono::seconds(10));
    s.connect(ep, ec);
    return ec ? Reply{} : Exchange(s, method, req);
  }
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(tls.ca);
  ctx.set_verify_mode(ssl::verify_peer);
  if (!tls.cert.empty()) {
    ctx.use_certificate_chain_file(tls.cert);
    ctx.use_private_key_file(tls.key, ssl::context::pem);
  }
  beast::ssl_stream<beast::tcp_stream> s(ioc, ctx);
  beast::get_lowest_layer(s).expires_after(std::chrono::seconds(10));
  beast::get_lowest_layer(s).connect(ep, ec);
  if (!ec) s.handshake(ssl::stream_base::client, ec);
  return ec ? Reply{} : Exchange(s, method, req);
}

struct Target {
  uint16_t port;
  std::string method, path;
};

// Two listeners (API and OTLP) sharing one web config, as `tidemark serve` runs them.
class Listeners {
 public:
  Listeners(const std::string& web_yaml, const std::string& dir) : log_(stderr, LogLevel::kError) {
    path_ = dir + "/web.yml";
    Rewrite(web_yaml);
    auto w = WebConfigWatcher::Open(path_, &log_);
    EXPECT_OK(w.status());
    if (!w.ok()) return;
    web_ = std::move(*w);
    storage_ = NewMemStorage();
    ApiBackends b;
    b.storage = storage_.get();
    b.metrics = &metrics_;
    b.enable_lifecycle = true;
    RegisterPrometheusApi(api_router_, b, &state_);
    RegisterOtlpRoutes(otlp_router_, b);
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.io_threads = 2;
    o.web = web_.get();
    for (Router* r : {&api_router_, &otlp_router_}) {
      auto s = HttpServer::Start(o, *r, &metrics_, &log_);
      EXPECT_OK(s.status());
      if (s.ok()) servers_.push_back(std::move(*s));
    }
  }
  ~Listeners() {
    for (auto& s : servers_) s->Stop(1000);
  }
  bool ok() const { return servers_.size() == 2; }
  void Rewrite(const std::string& yaml) { std::ofstream(path_, std::ios::trunc) << yaml; }

  // Every route and method of both routers, with ":name" segments filled in.
  std::vector<Target> Targets() const {
    std::vector<Target> out;
    const Router* routers[] = {&api_router_, &otlp_router_};
    for (size_t i = 0; i < 2; ++i) {
      for (const Route& r : routers[i]->routes()) {
        std::string path;
        for (size_t pos = 0; pos < r.pattern.size();) {
          size_t slash = r.pattern.find('/', pos + 1);
          std::string seg = r.pattern.substr(pos, slash == std::string::npos ? slash : slash - pos);
          path += seg.size() > 1 && seg[1] == ':' ? "/x" : seg;
          pos = slash == std::string::npos ? r.pattern.size() : slash;
        }
        for (const auto& m : r.methods) {
          // Shutting the test's own server down is not what this test is about.
          if (r.pattern == "/-/quit" && m != "GET") continue;
          out.push_back({servers_[i]->port(), m, path});
        }
      }
    }
    return out;
  }

 private:
  Logger log_;
  std::string path_;
  std::unique_ptr<WebConfigWatcher> web_;
  std::unique_ptr<Storage> storage_;
  MetricsRegistry metrics_;
  ApiState state_;
  Router api_router_, otlp_router_;
  std::vector<std::unique_ptr<HttpServer>> servers_;
};

class WebServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new Pki(); }
  static void TearDownTestSuite() { delete pki_; }
  void SetUp() override {
    if (!pki_->ok()) GTEST_SKIP() << "openssl CLI could not make the test certificates";
    dir_ = fs::temp_directory_path() / ("tm_websrv_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Users(const std::string& password) {
    return "basic_auth_users:\n  alice: \"" + Bcrypt(password) + "\"\n"
           "http_server_config:\n  headers:\n    X-Frame-Options: deny\n";
  }
  std::string Tls(const std::string& client_auth) {
    std::string y = "tls_server_config:\n  cert_file: " + pki_->path("server.crt") +
                    "\n  key_file: " + pki_->path("server.key") + "\n";
    if (!client_auth.empty()) {
      y += "  client_auth_type: " + client_auth + "\n  client_ca_file: " + pki_->path("ca.crt") + "\n";
    }
    return y;
  }

  // Every route: no credentials and wrong ones get exporter-toolkit's 401; right ones get past
  // authentication. The configured header is on every answer.
  void CheckEveryRoute(const Listeners& l, const ClientTls& tls) {
    const auto targets = l.Targets();
    ASSERT_GT(targets.size(), 30u);
    for (const Target& t : targets) {
      const std::string what = t.method + " " + t.path;
      for (const char* auth : {"", kWrong}) {
        Reply r = Send(t.port, tls, t.method, t.path, auth);
        EXPECT_EQ(r.status, 401) << what << " auth=" << auth;
        EXPECT_EQ(r.headers["www-authenticate"], "Basic") << what;
        EXPECT_EQ(r.headers["x-frame-options"], "deny") << what;
        EXPECT_EQ(r.body, t.method == "HEAD" ? "" : "Unauthorized\n") << what;
      }
      Reply ok = Send(t.port, tls, t.method, t.path, kRight);
      EXPECT_NE(ok.status, 0) << what;
      EXPECT_NE(ok.status, 401) << what;
      EXPECT_EQ(ok.headers.count("www-authenticate"), 0u) << what;
      EXPECT_EQ(ok.headers["x-frame-options"], "deny") << what;
    }
  }

  static Pki* pki_;
  fs::path dir_;
};
Pki* WebServerTest::pki_ = nullptr;

TEST_F(WebServerTest, PlainHttpEveryRoute) {
  Listeners l(Users("open sesame"), dir_.string());
  ASSERT_TRUE(l.ok());
  CheckEveryRoute(l, {});
  // Talking TLS to a plain listener gets nowhere.
  EXPECT_EQ(Send(l.Targets()[0].port, {true, pki_->path("ca.crt"), "", ""}, "GET", "/-/healthy",
                 kRight).status, 0);
}

TEST_F(WebServerTest, TlsEveryRoute) {
  Listeners l(Tls("") + Users("open sesame"), dir_.string());
  ASSERT_TRUE(l.ok());
  CheckEveryRoute(l, {true, pki_->path("ca.crt"), "", ""});
  // Plain HTTP to the TLS listener is not answered.
  EXPECT_EQ(Send(l.Targets()[0].port, {}, "GET", "/-/healthy", kRight).status, 0);
}

TEST_F(WebServerTest, ClientCertificateRequired) {
  Listeners l(Tls("RequireAndVerifyClientCert") + Users("open sesame"), dir_.string());
  ASSERT_TRUE(l.ok());
  const ClientTls with_cert{true, pki_->path("ca.crt"), pki_->path("client.crt"),
                            pki_->path("client.key")};
  CheckEveryRoute(l, with_cert);
  const ClientTls none{true, pki_->path("ca.crt"), "", ""};
  const ClientTls stranger{true, pki_->path("ca.crt"), pki_->path("stranger.crt"),
                           pki_->path("stranger.key")};
  // The handshake does not depend on the route: a sample of them, on both listeners.
  const auto targets = l.Targets();
  for (size_t i : {size_t{0}, targets.size() / 2, targets.size() - 1}) {  // the last is OTLP's
    const Target& t = targets[i];
    EXPECT_EQ(Send(t.port, none, t.method, t.path, kRight).status, 0) << t.path;
    EXPECT_EQ(Send(t.port, stranger, t.method, t.path, kRight).status, 0) << t.path;
  }
}

TEST_F(WebServerTest, VerifyClientCertIfGiven) {
  Listeners l(Tls("VerifyClientCertIfGiven"), dir_.string());
  ASSERT_TRUE(l.ok());
  const uint16_t port = l.Targets()[0].port;
  EXPECT_EQ(Send(port, {true, pki_->path("ca.crt"), "", ""}, "GET", "/-/healthy", "").status, 200);
  EXPECT_EQ(Send(port, {true, pki_->path("ca.crt"), pki_->path("client.crt"), pki_->path("client.key")},
                 "GET", "/-/healthy", "").status, 200);
  EXPECT_EQ(Send(port, {true, pki_->path("ca.crt"), pki_->path("stranger.crt"),
                        pki_->path("stranger.key")},
                 "GET", "/-/healthy", "").status, 0);
}

// The file is re-read: a new password applies to the next request, a broken file keeps the last
// good one.
TEST_F(WebServerTest, ChangedUsersApplyAtOnce) {
  Listeners l(Users("open sesame"), dir_.string());
  ASSERT_TRUE(l.ok());
  const uint16_t port = l.Targets()[0].port;
  EXPECT_EQ(Send(port, {}, "GET", "/-/healthy", kRight).status, 200);
  l.Rewrite(Users("new"));
  EXPECT_EQ(Send(port, {}, "GET", "/-/healthy", kRight).status, 401);
  EXPECT_EQ(Send(port, {}, "GET", "/-/healthy", kNewRight).status, 200);
  l.Rewrite("basic_auth_users: [broken\n");
  EXPECT_EQ(Send(port, {}, "GET", "/-/healthy", kNewRight).status, 200);
  EXPECT_EQ(Send(port, {}, "GET", "/-/healthy", "").status, 401);
  l.Rewrite("");  // no users: open again
  EXPECT_EQ(Send(port, {}, "GET", "/-/healthy", "").status, 200);
}

}  // namespace
}  // namespace tidemark::http
