// Boost.Beast implementation of HttpServer.
//
// One Session per connection reads a request, hands it to a handler (inline or on a pool) and
// writes the response before reading the next one, so pipelined requests are answered in order.
// While a pooled handler runs, the session keeps reading so that it notices the client going away
// and can tell the handler (DisconnectSignal) to stop. With a web config (--web.config.file) a
// connection may speak TLS, and requests pass basic authentication before they are routed.
#include "tidemark/http/server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "basic_auth.h"
#include "dispatch.h"
#include "lifo_pool.h"
#include "web_snapshot.h"

namespace tidemark::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using Response = bhttp::response<bhttp::string_body>;

namespace {

class ServerImpl;

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `tls` (may be null) makes the connection TLS; it is kept alive with the connection.
  Session(tcp::socket&& socket, ServerImpl* server, uint64_t id,
          std::shared_ptr<ssl::context> tls);
  ~Session();
  void Start();
  // Closes the connection if it is waiting for a request; otherwise it closes after the
  // in-flight response. Runs on the session's strand.
  void CloseIfIdle();
  // Steady-clock nanoseconds since the session began waiting for a request (keep-alive idle,
  // headers still arriving, TLS handshake); 0 while it is busy. Read from the acceptor.
  int64_t waiting_since() const { return waiting_since_.load(std::memory_order_relaxed); }
  // Claims the session for eviction: true once, for a session that is waiting.
  bool ClaimForEviction() { return waiting_since_.exchange(0) != 0; }

 private:
  void ReadHeader();
  void OnHeader(beast::error_code ec, size_t);
  void ReadBody();
  void OnBody(beast::error_code ec, size_t);
  void Handle();
  // Reads while a pooled handler runs: EOF or an error means the client is gone.
  void WatchForDisconnect();
  void OnWatch(beast::error_code ec, size_t n);
  void Write(std::shared_ptr<bhttp::response<bhttp::string_body>> res);
  void OnWrite(beast::error_code ec, size_t);
  void SendAndClose(int status, std::string body);
  // After an early error response: stop sending, discard what the client still sends (bounded)
  // so it can read our answer instead of getting a connection reset, then close.
  void DrainAndClose();
  void DoClose();
  void OnHandshake(beast::error_code ec);
  void SetIdle(bool idle);

  // The TCP layer (timeouts, cancel, close) and, through WithStream, the stream requests travel
  // on: TLS over it or the TCP stream itself.
  beast::tcp_stream& lowest() { return tls_ ? tls_->next_layer() : *plain_; }
  template <class F>
  void WithStream(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(*plain_);
    }
  }

  std::shared_ptr<ssl::context> tls_context_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  bool closing_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<bhttp::response<bhttp::string_body>> res_;
  std::shared_ptr<bhttp::response<bhttp::empty_body>> continue_;
  ServerImpl* server_;
  uint64_t id_;
  bool idle_ = false;
  std::atomic<int64_t> waiting_since_{0};
  bool keep_alive_ = true;
  bool close_after_write_ = false;
  bool drain_after_write_ = false;
  size_t drained_ = 0;
  std::shared_ptr<DisconnectSignal> disconnect_;  // of the request a pooled handler is running
  bool watching_ = false;                         // a WatchForDisconnect read is pending
  bool read_after_watch_ = false;                 // ReadHeader waits for that read to finish
  std::vector<char> scratch_;
  std::string remote_;
};

class ServerImpl : public HttpServer {
 public:
  ServerImpl(const ServerOptions& o, const Router& router, MetricsRegistry* metrics, Logger* logger)
      : options_(o),
        iocs_(MakeContexts(o.io_threads)),
        acceptor_(net::make_strand(*iocs_[0])),
        query_pool_(static_cast<size_t>(o.query_threads)),
        blocking_pool_(static_cast<size_t>(o.blocking_threads)),
        dispatcher_(router, DispatchOptions{o.max_decompressed_body_bytes, o.min_gzip_bytes,
                                            o.server_name, o.route_prefix},
                    metrics, logger),
        logger_(logger) {
    if (o.web != nullptr) auth_pool_.emplace(1);
    if (metrics != nullptr) {
      evicted_ = metrics->GetCounter(
          "tidemark_http_connections_evicted_total",
          "Connections waiting for a request that were closed to admit a new one at "
          "--web.max-connections.");
    }
  }

  ~ServerImpl() override { Stop(0); }

  static std::vector<std::unique_ptr<net::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<net::io_context>> iocs;
    for (int i = 0; i < std::max(1, n); ++i) iocs.push_back(std::make_unique<net::io_context>(1));
    return iocs;
  }

  Status Listen() {
    std::string host = options_.listen;
    std::string port = "0";
    size_t colon = host.rfind(':');
    if (colon == std::string::npos) return Status::InvalidArgument("listen address must be host:port: " + options_.listen);
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "0.0.0.0";
    beast::error_code ec;
    tcp::resolver resolver(*iocs_[0]);
    auto results = resolver.resolve(host, port, ec);
    if (ec || results.empty()) return Status::InvalidArgument("cannot resolve listen address " + options_.listen + ": " + ec.message());
    tcp::endpoint ep = results.begin()->endpoint();
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return Status::Unavailable("cannot listen on " + options_.listen + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    DoAccept();
    for (auto& ioc : iocs_) {
      // A context without connections would otherwise return from run() at once.
      work_.push_back(net::make_work_guard(*ioc));
      threads_.emplace_back([&ioc] { ioc->run(); });
    }
    return Status::OK();
  }

  uint16_t port() const override { return port_; }

  void Stop(int64_t grace_ms) override {
    if (stopped_.exchange(true)) return;
    stopping_ = true;
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    CloseIdleSessions();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
    {
      std::unique_lock<std::mutex> lock(sessions_mu_);
      while (!sessions_.empty() && std::chrono::steady_clock::now() < deadline) {
        sessions_cv_.wait_for(lock, std::chrono::milliseconds(20));
        // Connections that became idle after their last response are closed too.
        lock.unlock();
        CloseIdleSessions();
        lock.lock();
      }
    }
    for (auto& ioc : iocs_) ioc->stop();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    query_pool_.Stop();
    blocking_pool_.Stop();
    if (auth_pool_) {
      auth_pool_->stop();
      auth_pool_->join();
    }
  }

  // Session bookkeeping.
  void Register(uint64_t id, std::weak_ptr<Session> s) {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    sessions_[id] = std::move(s);
  }
  void Unregister(uint64_t id) {
    {
      std::lock_guard<std::mutex> lock(sessions_mu_);
      sessions_.erase(id);
      sessions_cv_.notify_all();
    }
    ResumeAccepting();
  }
  // A session began waiting for a request: if accepting paused at the cap, it can now make room.
  void SessionWaiting() {
    if (accept_paused_.load()) ResumeAccepting();
  }
  bool stopping() const { return stopping_.load(); }
  const ServerOptions& options() const { return options_; }

  using Done = std::function<void(std::shared_ptr<Response>)>;

  // Runs the request through the router on the right executor and calls `done` with the
  // response (on an arbitrary thread). When the handler runs on a pool, returns the signal the
  // session sets if the client disconnects meanwhile; null when it ran inline.
  // With basic_auth_users, credentials are checked first (as exporter-toolkit wraps the whole
  // handler); a verdict not in the cache costs a bcrypt run, which goes to the auth thread.
  std::shared_ptr<DisconnectSignal> Dispatch(bhttp::request<bhttp::string_body>&& breq,
                                             const std::string& remote, Done done) {
    std::shared_ptr<const WebSnapshot> web = options_.web ? options_.web->Current(false) : nullptr;
    if (!web || web->config.users.empty()) {
      return RouteAndRun(std::move(breq), remote, web, done, nullptr);
    }
    const auto header = breq[bhttp::field::authorization];
    auto creds = ParseBasicAuthorization(std::string_view(header.data(), header.size()));
    std::optional<bool> verdict = false;
    if (creds) verdict = web->auth->Cached(web->config.users, *creds);
    if (verdict) {
      if (*verdict) return RouteAndRun(std::move(breq), remote, web, done, nullptr);
      done(Unauthorized(*web, breq));
      return nullptr;
    }
    auto disconnect = std::make_shared<DisconnectSignal>();
    auto req = std::make_shared<bhttp::request<bhttp::string_body>>(std::move(breq));
    net::post(*auth_pool_, [this, web, c = std::move(*creds), req, remote, done, disconnect] {
      if (!web->auth->Verify(web->config.users, c)) {
        return done(Unauthorized(*web, *req));
      }
      RouteAndRun(std::move(*req), remote, web, done, disconnect);
    });
    return disconnect;
  }

  // exporter-toolkit's answer: Go's http.Error(w, "Unauthorized", 401) with the challenge.
  std::shared_ptr<Response> Unauthorized(const WebSnapshot& web,
                                         const bhttp::request<bhttp::string_body>& req) const {
    auto res = std::make_shared<Response>(bhttp::status::unauthorized, req.version());
    res->set(bhttp::field::server, options_.server_name);
    for (const auto& [k, v] : web.config.headers) res->set(k, v);
    res->set(bhttp::field::www_authenticate, "Basic");
    res->set(bhttp::field::content_type, "text/plain; charset=utf-8");
    res->set("X-Content-Type-Options", "nosniff");
    res->body() = "Unauthorized\n";
    res->prepare_payload();
    if (req.method() == bhttp::verb::head) res->body().clear();  // Content-Length stays
    return res;
  }

  // Routes and runs an admitted request. `disconnect` is given when the caller already handed
  // one to the session (the request left the I/O thread for authentication).
  std::shared_ptr<DisconnectSignal> RouteAndRun(bhttp::request<bhttp::string_body>&& breq,
                                                const std::string& remote,
                                                const std::shared_ptr<const WebSnapshot>& web,
                                                const Done& done,
                                                std::shared_ptr<DisconnectSignal> disconnect) {
    std::shared_ptr<PreparedRequest> task;
    try {
      task = std::make_shared<PreparedRequest>(dispatcher_.Prepare(std::move(breq), remote));
    } catch (const std::exception& e) {
      logger_->Error("request preparation failed", {{"err", e.what()}});
      done(InternalError());
      return nullptr;
    }
    if (web) task->web_headers = web->config.headers;
    if (!disconnect && task->pool != Pool::kInline) disconnect = std::make_shared<DisconnectSignal>();
    task->req.disconnect = disconnect;
    auto run = [this, task, done] {
      std::shared_ptr<bhttp::response<bhttp::string_body>> res;
      try {
        res = dispatcher_.Run(*task);
      } catch (const std::exception& e) {
        logger_->Error("response building failed", {{"err", e.what()}});
        res = InternalError();
      }
      done(std::move(res));
    };
    switch (task->pool) {
      case Pool::kInline: run(); break;
      case Pool::kQuery: query_pool_.Post(std::move(run)); break;
      case Pool::kBlocking: blocking_pool_.Post(std::move(run)); break;
    }
    return disconnect;
  }

  Logger* logger() { return logger_; }

  static std::shared_ptr<bhttp::response<bhttp::string_body>> InternalError() {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        bhttp::status::internal_server_error, 11);
    res->set(bhttp::field::content_type, "application/json");
    res->body() = R"({"status":"error","errorType":"internal","error":"internal error"})";
    res->prepare_payload();
    return res;
  }

 private:
  void DoAccept() {
    net::io_context& ioc = *iocs_[accepted_++ % iocs_.size()];
    acceptor_.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        uint64_t id = next_id_++;
        // Each connection gets the TLS context of the configuration in effect: as
        // exporter-toolkit, renewed certificates apply from the next connection on.
        std::shared_ptr<ssl::context> tls;
        if (options_.web && options_.web->tls()) tls = options_.web->Current(true)->ssl;
        auto session = std::make_shared<Session>(std::move(s), this, id, std::move(tls));
        Register(id, session);
        session->Start();
      }
      if (!stopping_ && acceptor_.is_open() && MakeRoom()) DoAccept();
    });
  }

  // Keeps open connections at --web.max-connections: over it, closes the session that has waited
  // longest for a request (an idle keep-alive or a client trickling its headers, so such clients
  // cannot lock health checks out) and returns true. When every session is busy, marks accepting
  // as paused and returns false: new connections wait in the listen backlog, as behind Go's
  // LimitListener, until a session closes or starts waiting.
  bool MakeRoom() {
    const size_t max = options_.max_connections;
    if (max == 0) return true;
    {
      std::lock_guard<std::mutex> lock(sessions_mu_);
      if (sessions_.size() <= max) return true;
    }
    // Sorted on a snapshot: the sessions change their waiting times meanwhile.
    std::vector<std::pair<int64_t, std::shared_ptr<Session>>> waiting;
    for (auto& s : LiveSessions()) {
      if (int64_t since = s->waiting_since(); since != 0) waiting.emplace_back(since, std::move(s));
    }
    std::sort(waiting.begin(), waiting.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [since, s] : waiting) {
      if (!s->ClaimForEviction()) continue;  // busy meanwhile, or claimed by an earlier call
      s->CloseIfIdle();
      if (evicted_ != nullptr) evicted_->Inc();
      return true;
    }
    {
      std::lock_guard<std::mutex> lock(sessions_mu_);
      accept_paused_ = true;
    }
    // A session that began waiting before the flag was set did not see it.
    for (auto& s : LiveSessions()) {
      if (s->waiting_since() != 0) {
        ResumeAccepting();
        break;
      }
    }
    return false;
  }

  void ResumeAccepting() {
    {
      std::lock_guard<std::mutex> lock(sessions_mu_);
      if (!accept_paused_ || stopping_) return;
      accept_paused_ = false;
    }
    net::post(acceptor_.get_executor(), [this] {
      if (!stopping_ && acceptor_.is_open()) DoAccept();
    });
  }

  // The sessions still alive; the caller releases them outside the lock (~Session takes it).
  std::vector<std::shared_ptr<Session>> LiveSessions() {
    std::vector<std::shared_ptr<Session>> live;
    std::lock_guard<std::mutex> lock(sessions_mu_);
    live.reserve(sessions_.size());
    for (auto& [id, w] : sessions_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
    return live;
  }

  void CloseIdleSessions() {
    for (auto& s : LiveSessions()) s->CloseIfIdle();
  }

  ServerOptions options_;
  std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions_;
  // One event loop per I/O thread, connections spread over them in turn: a connection's reads,
  // writes and timers stay on one thread, where a shared context handed every event between
  // its threads (several thread switches per request).
  std::vector<std::unique_ptr<net::io_context>> iocs_;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work_;
  tcp::acceptor acceptor_;
  LifoPool query_pool_;
  LifoPool blocking_pool_;
  std::optional<net::thread_pool> auth_pool_;  // bcrypt, one at a time; with a web config only
  Dispatcher dispatcher_;
  Logger* logger_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<bool> accept_paused_{false};  // set under sessions_mu_
  Counter* evicted_ = nullptr;
  uint64_t next_id_ = 1;
  size_t accepted_ = 0;  // on the acceptor's strand
  uint16_t port_ = 0;
};

Session::Session(tcp::socket&& socket, ServerImpl* server, uint64_t id,
                 std::shared_ptr<ssl::context> tls)
    : tls_context_(std::move(tls)), server_(server), id_(id) {
  beast::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  if (tls_context_) {
    tls_.emplace(std::move(socket), *tls_context_);
  } else {
    plain_.emplace(std::move(socket));
  }
}

Session::~Session() { server_->Unregister(id_); }

void Session::Start() {
  net::dispatch(lowest().get_executor(), [self = shared_from_this()] {
    if (!self->tls_) return self->ReadHeader();
    // The handshake counts as idle time: a server that stops closes it like a waiting connection.
    self->SetIdle(true);
    self->lowest().expires_after(std::chrono::milliseconds(self->server_->options().read_timeout_ms));
    self->tls_->async_handshake(ssl::stream_base::server,
                                beast::bind_front_handler(&Session::OnHandshake, self));
  });
}

void Session::SetIdle(bool idle) {
  idle_ = idle;
  if (!idle) {
    waiting_since_.store(0, std::memory_order_relaxed);
    return;
  }
  waiting_since_.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                       std::memory_order_relaxed);
  server_->SessionWaiting();
}

void Session::OnHandshake(beast::error_code ec) {
  SetIdle(false);
  if (ec) {
    // As Go's http.Server reports "TLS handshake error": a client without the required
    // certificate, or speaking plain HTTP to a TLS port, shows up here.
    server_->logger()->Info("TLS handshake failed", {{"remote", remote_}, {"err", ec.message()}});
    return DoClose();
  }
  ReadHeader();
}

void Session::CloseIfIdle() {
  net::post(lowest().get_executor(), [self = shared_from_this()] {
    if (self->idle_) {
      beast::error_code ec;
      self->lowest().socket().cancel(ec);
    }
    self->close_after_write_ = true;
  });
}

void Session::ReadHeader() {
  if (watching_) {  // one read at a time: continue when the cancelled watch completes
    read_after_watch_ = true;
    return;
  }
  if (server_->stopping() || close_after_write_) return DoClose();
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(server_->options().max_header_bytes));
  parser_->body_limit(server_->options().max_body_bytes);
  SetIdle(true);
  lowest().expires_after(std::chrono::milliseconds(server_->options().idle_timeout_ms));
  WithStream([this](auto& stream) {
    bhttp::async_read_header(stream, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  });
}

void Session::OnHeader(beast::error_code ec, size_t) {
  SetIdle(false);
  if (ec == bhttp::error::header_limit) {
    return SendAndClose(431, "request header fields too large\n");
  }
  if (ec == bhttp::error::body_limit) {  // Content-Length above the limit, seen while parsing
    return SendAndClose(413, ErrorBodyForLimit(server_->options().max_body_bytes));
  }
  if (ec) return DoClose();  // end of stream, idle timeout, reset, or shutdown
  auto len = parser_->content_length();
  if (len && *len > server_->options().max_body_bytes) {
    return SendAndClose(413, ErrorBodyForLimit(server_->options().max_body_bytes));
  }
  auto& req = parser_->get();
  auto expect = req[bhttp::field::expect];
  if (beast::iequals(expect, "100-continue") && !parser_->is_done()) {
    continue_ = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                     req.version());
    lowest().expires_after(std::chrono::milliseconds(server_->options().write_timeout_ms));
    WithStream([this](auto& stream) {
      bhttp::async_write(stream, *continue_,
                         [self = shared_from_this()](beast::error_code wec, size_t) {
                           if (wec) return self->DoClose();
                           self->ReadBody();
                         });
    });
    return;
  }
  ReadBody();
}

void Session::ReadBody() {
  lowest().expires_after(std::chrono::milliseconds(server_->options().read_timeout_ms));
  WithStream([this](auto& stream) {
    bhttp::async_read(stream, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  });
}

void Session::OnBody(beast::error_code ec, size_t) {
  if (ec == bhttp::error::body_limit) {
    return SendAndClose(413, ErrorBodyForLimit(server_->options().max_body_bytes));
  }
  if (ec) return DoClose();
  Handle();
}

void Session::Handle() {
  lowest().expires_never();
  auto req = parser_->release();
  keep_alive_ = req.keep_alive();
  // `done` posts the response to this strand, so Write runs after Handle returns and the watch
  // below has started even if the handler finished first.
  disconnect_ = server_->Dispatch(
      std::move(req), remote_,
      [self = shared_from_this()](std::shared_ptr<bhttp::response<bhttp::string_body>> res) {
        net::post(self->lowest().get_executor(),
                  [self, res = std::move(res)]() mutable { self->Write(std::move(res)); });
      });
  if (disconnect_) WatchForDisconnect();
}

void Session::WatchForDisconnect() {
  // Bytes that arrive meanwhile are the client's next pipelined request: they stay in buffer_ for
  // the parser. Past a bound the session stops watching rather than buffer without limit.
  constexpr size_t kWatchChunk = 4096;
  if (buffer_.size() + kWatchChunk > server_->options().max_header_bytes) return;
  watching_ = true;
  WithStream([this](auto& stream) {
    stream.async_read_some(buffer_.prepare(kWatchChunk),
                           beast::bind_front_handler(&Session::OnWatch, shared_from_this()));
  });
}

void Session::OnWatch(beast::error_code ec, size_t n) {
  watching_ = false;
  buffer_.commit(n);
  if (read_after_watch_) {  // the response went out meanwhile; a real error shows on the next read
    read_after_watch_ = false;
    return ReadHeader();
  }
  if (!disconnect_) return;  // Write cancelled the watch: the response is on its way
  if (!ec) return WatchForDisconnect();
  // EOF, reset or another error: the client is gone (as Go's net/http, Prometheus' server, reads
  // it). The handler learns it through the signal; the session closes after its response.
  disconnect_->Set();
  close_after_write_ = true;
}

void Session::Write(std::shared_ptr<bhttp::response<bhttp::string_body>> res) {
  disconnect_.reset();
  if (watching_) {
    beast::error_code ec;
    lowest().socket().cancel(ec);  // OnWatch sees operation_aborted (or data that already came)
  }
  if (server_->stopping() || close_after_write_) keep_alive_ = false;
  res->keep_alive(keep_alive_);
  res_ = std::move(res);
  lowest().expires_after(std::chrono::milliseconds(server_->options().write_timeout_ms));
  WithStream([this](auto& stream) {
    bhttp::async_write(stream, *res_,
                       beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  });
}

void Session::OnWrite(beast::error_code ec, size_t) {
  res_.reset();
  if (!ec && drain_after_write_) return DrainAndClose();
  if (ec || !keep_alive_) return DoClose();
  ReadHeader();
}

void Session::SendAndClose(int status, std::string body) {
  auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
      static_cast<bhttp::status>(status), 11);
  res->set(bhttp::field::content_type,
           body.starts_with("{") ? "application/json" : "text/plain; charset=utf-8");
  res->body() = std::move(body);
  res->prepare_payload();
  keep_alive_ = false;
  drain_after_write_ = true;
  server_->logger()->Warn("request rejected", {{"status", std::to_string(status)},
                                               {"remote", remote_}});
  Write(std::move(res));
}

void Session::DrainAndClose() {
  beast::error_code ec;
  lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
  scratch_.resize(64 * 1024);
  lowest().expires_after(std::chrono::seconds(5));
  auto self = shared_from_this();
  WithStream([this, self](auto& stream) {
    stream.async_read_some(net::buffer(scratch_), [self](beast::error_code rec, size_t n) {
      self->drained_ += n;
      if (rec || self->drained_ > (256u << 20)) return self->DoClose();
      self->DrainAndClose();
    });
  });
}

void Session::DoClose() {
  if (closing_) return;
  closing_ = true;
  auto close = [](beast::tcp_stream& s) {
    beast::error_code ec;
    s.socket().shutdown(tcp::socket::shutdown_send, ec);
    s.close();
  };
  if (!tls_) return close(*plain_);
  // TLS says goodbye with close_notify first (briefly: a gone peer must not hold the session).
  lowest().expires_after(std::chrono::seconds(1));
  tls_->async_shutdown([self = shared_from_this(), close](beast::error_code) { close(self->lowest()); });
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const ServerOptions& options,
                                                      const Router& router,
                                                      MetricsRegistry* metrics, Logger* logger) {
  ServerOptions o = options;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (o.io_threads <= 0) o.io_threads = cores;
  if (o.query_threads <= 0) o.query_threads = std::max(2, cores);
  if (o.blocking_threads <= 0) o.blocking_threads = std::max(2, cores);
  auto server = std::make_unique<ServerImpl>(o, router, metrics, logger);
  TM_RETURN_IF_ERROR(server->Listen());
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace tidemark::http
