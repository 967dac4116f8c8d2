// Test helpers: an in-process API server on an ephemeral loopback port and a raw HTTP client.
#pragma once

#include <crypt.h>
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <string>
#include <vector>

#include "tidemark/http/api.h"
#include "tidemark/http/log.h"
#include "tidemark/http/server.h"

namespace tidemark::http::testing {

struct Reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

// Sends raw bytes on one connection and reads `n` responses in order.
inline std::vector<Reply> RawExchange(uint16_t port, const std::string& bytes, size_t n) {
  namespace net = boost::asio;
  namespace bhttp = boost::beast::http;
  net::io_context ioc;
  net::ip::tcp::socket sock(ioc);
  sock.connect({net::ip::make_address("127.0.0.1"), port});
  net::write(sock, net::buffer(bytes));
  boost::beast::flat_buffer buf;
  std::vector<Reply> out;
  for (size_t i = 0; i < n; ++i) {
    bhttp::response_parser<bhttp::string_body> p;
    p.body_limit(1 << 30);
    boost::beast::error_code ec;
    bhttp::read(sock, buf, p, ec);
    if (ec) break;
    Reply r;
    r.status = p.get().result_int();
    r.body = p.get().body();
    for (const auto& f : p.get()) {
      std::string k(f.name_string());
      for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[k] = std::string(f.value());
    }
    out.push_back(std::move(r));
  }
  return out;
}

inline Reply Request(uint16_t port, const std::string& method, const std::string& target,
                     const std::string& body = "", const std::vector<std::string>& headers = {}) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& h : headers) req += h + "\r\n";
  if (!body.empty() || method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  auto r = RawExchange(port, req, 1);
  return r.empty() ? Reply{} : r[0];
}

inline Reply Get(uint16_t port, const std::string& target) { return Request(port, "GET", target); }

inline Reply PostForm(uint16_t port, const std::string& target, const std::string& form) {
  return Request(port, "POST", target, form,
                 {"Content-Type: application/x-www-form-urlencoded"});
}

// A bcrypt hash of `password` for basic_auth_users in web configs (cost 4: tests stay fast).
inline std::string Bcrypt(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn("$2y$", 4, nullptr, 0, salt, sizeof(salt)), nullptr);
  crypt_data data{};
  const char* out = crypt_rn(password.c_str(), salt, &data, sizeof(data));
  return out ? out : "";
}

// A server over the given backends (storage must be set by the caller).
class TestServer {
 public:
  explicit TestServer(ApiBackends b, ServerOptions o = {}) : log_(stderr, LogLevel::kError) {
    if (!b.metrics) b.metrics = &metrics_;
    RegisterPrometheusApi(router_, b, &state_);
    o.listen = "127.0.0.1:0";
    o.io_threads = 2;
    o.query_threads = 4;
    auto s = HttpServer::Start(o, router_, &metrics_, &log_);
    if (s.ok()) server_ = std::move(*s);
  }
  ~TestServer() {
    if (server_) server_->Stop(1000);
  }
  uint16_t port() const { return server_ ? server_->port() : 0; }
  Router& router() { return router_; }
  MetricsRegistry& metrics() { return metrics_; }

 private:
  Logger log_;
  MetricsRegistry metrics_;
  ApiState state_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace tidemark::http::testing
