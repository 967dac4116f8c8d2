// A blocking HTTP/1.1 client over Boost.Beast with TLS (OpenSSL): verifies against the system CA
// store (or tls_config's CA), sets SNI, checks the host name, adds auth, tunnels through a proxy,
// follows redirects, and enforces one overall deadline per request. Thread-safe; one per config.
// A Session keeps one connection open between requests (HTTP/1.1 keep-alive).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include "tidemark/httpclient/config.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::httpclient {

struct Request {
  std::string method = "POST";
  std::string url;  // http:// or https://
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  int timeout_ms = 10'000;  // whole exchange, redirects included
  uint64_t body_limit = 8u << 20;  // response body bytes (as received); more is an error
};

struct Response {
  int status = 0;
  std::string body;
  std::string reason;  // the status line's reason phrase
  std::vector<std::pair<std::string, std::string>> headers;
  // The first value of header `name` (case-insensitive), "" when absent.
  std::string Header(std::string_view name) const;
};

class Connection;

// One reusable connection, kept open between requests to the same scheme://host:port through
// the same Client (a remote-write shard, a scrape target). Owned by its user; when two threads
// use one Session at once, the second request goes on a one-off connection.
class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  // Connections opened for requests made through this session (tests, benchmarks).
  uint64_t connections_opened() const { return opened_; }

 private:
  friend class Client;
  std::mutex mu_;
  const void* owner_ = nullptr;  // the Client the idle connection belongs to
  std::string key_;              // its scheme://host:port
  std::unique_ptr<Connection> idle_;
  uint64_t opened_ = 0;
};

class Client {
 public:
  // Builds the TLS context (CA, client certificate); bad PEM is an error.
  static Result<std::shared_ptr<const Client>> Create(ClientConfig config);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Any HTTP answer is a Response (the caller judges the status); network, TLS, timeout and
  // redirect-limit failures are errors. Error messages never contain the URL's path or query.
  // Without a session the connection is closed after the answer (`Connection: close`). With
  // one, the session's idle connection is reused when it goes to the same place and the server
  // kept it open; when a reused connection turns out closed before the server can have acted
  // on the request (the write failed, or EOF before any byte of an answer), the request is sent
  // once more on a fresh connection.
  Result<Response> Do(const Request& req, Session* session = nullptr) const;

  const ClientConfig& config() const { return config_; }

  class Impl;

 private:
  Client(ClientConfig config, std::unique_ptr<Impl> impl);
  ClientConfig config_;
  std::unique_ptr<Impl> impl_;
};

// "scheme://host:port" of a URL: what logs may show (never the path, which can hold a secret).
std::string UrlHostForLog(const std::string& url);

}  // namespace tidemark::httpclient
