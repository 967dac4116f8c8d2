// Boost.Beast implementation of HttpServer.
//
// One Session per connection reads a request, hands it to a handler (inline or on a pool) and
// writes the response before reading the next one, so pipelined requests are answered in order.
// While a pooled handler runs, the session keeps reading so that it notices the client going away
// and can tell the handler (DisconnectSignal) to stop.
#include "tidemark/http/server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "dispatch.h"

namespace tidemark::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class ServerImpl;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, ServerImpl* server, uint64_t id);
  ~Session();
  void Start();
  // Closes the connection if it is waiting for a request; otherwise it closes after the
  // in-flight response. Runs on the session's strand.
  void CloseIfIdle();

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

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<bhttp::response<bhttp::string_body>> res_;
  std::shared_ptr<bhttp::response<bhttp::empty_body>> continue_;
  ServerImpl* server_;
  uint64_t id_;
  bool idle_ = false;
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
        ioc_(o.io_threads),
        acceptor_(net::make_strand(ioc_)),
        query_pool_(static_cast<size_t>(o.query_threads)),
        blocking_pool_(static_cast<size_t>(o.blocking_threads)),
        dispatcher_(router, DispatchOptions{o.max_decompressed_body_bytes, o.min_gzip_bytes,
                                            o.server_name},
                    metrics, logger),
        logger_(logger) {}

  ~ServerImpl() override { Stop(0); }

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
    tcp::resolver resolver(ioc_);
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
    for (int i = 0; i < options_.io_threads; ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
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
    ioc_.stop();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    query_pool_.stop();
    blocking_pool_.stop();
    query_pool_.join();
    blocking_pool_.join();
  }

  // Session bookkeeping.
  void Register(uint64_t id, std::weak_ptr<Session> s) {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    sessions_[id] = std::move(s);
  }
  void Unregister(uint64_t id) {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    sessions_.erase(id);
    sessions_cv_.notify_all();
  }
  bool stopping() const { return stopping_.load(); }
  const ServerOptions& options() const { return options_; }

  // Runs the request through the router on the right executor and calls `done` with the
  // response (on an arbitrary thread). When the handler runs on a pool, returns the signal the
  // session sets if the client disconnects meanwhile; null when it ran inline.
  std::shared_ptr<DisconnectSignal> Dispatch(
      bhttp::request<bhttp::string_body>&& breq, const std::string& remote,
      std::function<void(std::shared_ptr<bhttp::response<bhttp::string_body>>)> done) {
    std::shared_ptr<PreparedRequest> task;
    try {
      task = std::make_shared<PreparedRequest>(dispatcher_.Prepare(std::move(breq), remote));
    } catch (const std::exception& e) {
      logger_->Error("request preparation failed", {{"err", e.what()}});
      done(InternalError());
      return nullptr;
    }
    std::shared_ptr<DisconnectSignal> disconnect;
    if (task->pool != Pool::kInline) {
      disconnect = std::make_shared<DisconnectSignal>();
      task->req.disconnect = disconnect;
    }
    auto run = [this, task, done = std::move(done)] {
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
      case Pool::kQuery: net::post(query_pool_, std::move(run)); break;
      case Pool::kBlocking: net::post(blocking_pool_, std::move(run)); break;
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
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        uint64_t id = next_id_++;
        auto session = std::make_shared<Session>(std::move(s), this, id);
        Register(id, session);
        session->Start();
      }
      if (!stopping_ && acceptor_.is_open()) DoAccept();
    });
  }

  void CloseIdleSessions() {
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard<std::mutex> lock(sessions_mu_);
      for (auto& [id, w] : sessions_) {
        if (auto s = w.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->CloseIfIdle();
  }

  ServerOptions options_;
  std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::thread_pool query_pool_;
  net::thread_pool blocking_pool_;
  Dispatcher dispatcher_;
  Logger* logger_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> stopped_{false};
  uint64_t next_id_ = 1;
  uint16_t port_ = 0;
};

Session::Session(tcp::socket&& socket, ServerImpl* server, uint64_t id)
    : stream_(std::move(socket)), server_(server), id_(id) {
  beast::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
}

Session::~Session() { server_->Unregister(id_); }

void Session::Start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
}

void Session::CloseIfIdle() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->idle_) {
      beast::error_code ec;
      self->stream_.socket().cancel(ec);
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
  idle_ = true;
  stream_.expires_after(std::chrono::milliseconds(server_->options().idle_timeout_ms));
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
}

void Session::OnHeader(beast::error_code ec, size_t) {
  idle_ = false;
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
    stream_.expires_after(std::chrono::milliseconds(server_->options().write_timeout_ms));
    bhttp::async_write(stream_, *continue_,
                       [self = shared_from_this()](beast::error_code wec, size_t) {
                         if (wec) return self->DoClose();
                         self->ReadBody();
                       });
    return;
  }
  ReadBody();
}

void Session::ReadBody() {
  stream_.expires_after(std::chrono::milliseconds(server_->options().read_timeout_ms));
  bhttp::async_read(stream_, buffer_, *parser_,
                    beast::bind_front_handler(&Session::OnBody, shared_from_this()));
}

void Session::OnBody(beast::error_code ec, size_t) {
  if (ec == bhttp::error::body_limit) {
    return SendAndClose(413, ErrorBodyForLimit(server_->options().max_body_bytes));
  }
  if (ec) return DoClose();
  Handle();
}

void Session::Handle() {
  stream_.expires_never();
  auto req = parser_->release();
  keep_alive_ = req.keep_alive();
  // `done` posts the response to this strand, so Write runs after Handle returns and the watch
  // below has started even if the handler finished first.
  disconnect_ = server_->Dispatch(
      std::move(req), remote_,
      [self = shared_from_this()](std::shared_ptr<bhttp::response<bhttp::string_body>> res) {
        net::post(self->stream_.get_executor(),
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
  stream_.async_read_some(buffer_.prepare(kWatchChunk),
                          beast::bind_front_handler(&Session::OnWatch, shared_from_this()));
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
    stream_.socket().cancel(ec);  // OnWatch sees operation_aborted (or data that already came)
  }
  if (server_->stopping() || close_after_write_) keep_alive_ = false;
  res->keep_alive(keep_alive_);
  res_ = std::move(res);
  stream_.expires_after(std::chrono::milliseconds(server_->options().write_timeout_ms));
  bhttp::async_write(stream_, *res_,
                     beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
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
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  scratch_.resize(64 * 1024);
  stream_.expires_after(std::chrono::seconds(5));
  auto self = shared_from_this();
  stream_.async_read_some(net::buffer(scratch_), [self](beast::error_code rec, size_t n) {
    self->drained_ += n;
    if (rec || self->drained_ > (256u << 20)) return self->DoClose();
    self->DrainAndClose();
  });
}

void Session::DoClose() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.close();
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
