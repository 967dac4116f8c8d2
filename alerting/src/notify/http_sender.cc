// HTTP delivery with Boost.Beast: a small blocking client (timeouts via async ops + run_for)
// and the retrying sender thread.
#include "notify/http_sender.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>

namespace tidemark::alerting {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;

struct ParsedUrl {
  std::string host, port, target;
};

Result<ParsedUrl> ParseHttpUrl(const std::string& url) {
  constexpr std::string_view kHttp = "http://";
  if (url.rfind("https://", 0) == 0) {
    return Status::InvalidArgument("https URLs are not supported (use http://): " + url);
  }
  if (url.rfind(kHttp, 0) != 0) return Status::InvalidArgument("not an http URL: " + url);
  std::string rest = url.substr(kHttp.size());
  size_t slash = rest.find('/');
  ParsedUrl p;
  std::string hostport = rest.substr(0, slash);
  p.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (!hostport.empty() && hostport[0] == '[') {
    size_t e = hostport.find(']');
    if (e == std::string::npos) return Status::InvalidArgument("bad URL host: " + url);
    p.host = hostport.substr(1, e - 1);
    p.port = e + 2 <= hostport.size() ? hostport.substr(e + 2) : "";
  } else {
    size_t c = hostport.rfind(':');
    p.host = hostport.substr(0, c);
    p.port = c == std::string::npos ? "" : hostport.substr(c + 1);
  }
  if (p.port.empty()) p.port = "80";
  if (p.host.empty()) return Status::InvalidArgument("bad URL host: " + url);
  return p;
}

}  // namespace

Result<HttpResponse> HttpPost(const std::string& url, const std::string& body,
                              const std::string& content_type, int timeout_ms) {
  TM_ASSIGN_OR_RETURN(ParsedUrl u, ParseHttpUrl(url));
  try {
    asio::io_context ioc;
    asio::ip::tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    http::request<http::string_body> req{http::verb::post, u.target, 11};
    req.set(http::field::host, u.host + ":" + u.port);
    req.set(http::field::user_agent, "Tidemark");
    req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    beast::error_code result_ec;
    bool finished = false;
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    resolver.async_resolve(u.host, u.port, [&](beast::error_code ec, auto results) {
      if (ec) {
        result_ec = ec;
        finished = true;
        return;
      }
      stream.async_connect(results, [&](beast::error_code ec2, auto) {
        if (ec2) {
          result_ec = ec2;
          finished = true;
          return;
        }
        http::async_write(stream, req, [&](beast::error_code ec3, size_t) {
          if (ec3) {
            result_ec = ec3;
            finished = true;
            return;
          }
          http::async_read(stream, buffer, res, [&](beast::error_code ec4, size_t) {
            result_ec = ec4;
            finished = true;
          });
        });
      });
    });
    ioc.run_for(std::chrono::milliseconds(timeout_ms + 1000));
    if (!finished) return Status::DeadlineExceeded("timeout posting to " + url);
    if (result_ec) return Status::Unavailable("post " + url + ": " + result_ec.message());
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    return HttpResponse{static_cast<int>(res.result_int()), res.body()};
  } catch (const std::exception& e) {
    return Status::Unavailable("post " + url + ": " + e.what());
  }
}

HttpSender::HttpSender(Options options) : options_(options), thread_([this] { Loop(); }) {}

HttpSender::~HttpSender() { Stop(); }

void HttpSender::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HttpSender::Enqueue(Delivery d) {
  std::function<void(const Status&)> dropped_cb;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (queue_.size() >= options_.max_queue) {
      dropped_cb = std::move(queue_.front().done);
      queue_.pop_front();
      dropped_.fetch_add(1);
    }
    d.next_try = std::chrono::steady_clock::now();
    queue_.push_back(std::move(d));
  }
  cv_.notify_all();
  if (dropped_cb) dropped_cb(Status::ResourceExhausted("notification queue full"));
}

size_t HttpSender::queue_length() const {
  std::lock_guard<std::mutex> l(mu_);
  return queue_.size() + in_flight_;
}

bool HttpSender::Drain(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (queue_length() == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return queue_length() == 0;
}

void HttpSender::Loop() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_) {
    if (queue_.empty()) {
      cv_.wait(l);
      continue;
    }
    // The entry due first (retries wait for their backoff; fresh entries are due now).
    auto it = std::min_element(queue_.begin(), queue_.end(), [](const Delivery& a, const Delivery& b) {
      return a.next_try < b.next_try;
    });
    auto now = std::chrono::steady_clock::now();
    if (it->next_try > now) {
      cv_.wait_until(l, it->next_try);
      continue;
    }
    Delivery d = std::move(*it);
    queue_.erase(it);
    ++in_flight_;
    l.unlock();
    auto res = HttpPost(d.url, d.body, d.content_type, options_.timeout_ms);
    Status outcome;
    bool retry = false;
    if (!res.ok()) {
      outcome = res.status();
      retry = res.status().code() != StatusCode::kInvalidArgument;
    } else if (res->status >= 200 && res->status < 300) {
      outcome = Status::OK();
    } else {
      outcome = Status::Unavailable("HTTP " + std::to_string(res->status) + " from " + d.url +
                                    ": " + res->body.substr(0, 200));
      retry = res->status >= 500 || res->status == 429;
    }
    ++d.attempts;
    l.lock();
    if (!outcome.ok() && retry && d.attempts < options_.max_attempts && !stop_) {
      int64_t backoff = static_cast<int64_t>(options_.initial_backoff_ms) << (d.attempts - 1);
      backoff = std::min<int64_t>(backoff, options_.max_backoff_ms);
      d.next_try = std::chrono::steady_clock::now() + std::chrono::milliseconds(backoff);
      queue_.push_back(std::move(d));
      --in_flight_;
      continue;
    }
    // Count before leaving in-flight, so a Drain() that returns sees the outcome counted.
    (outcome.ok() ? sent_ : failed_).fetch_add(1);
    --in_flight_;
    if (d.done) {
      l.unlock();
      d.done(outcome);
      l.lock();
    }
  }
}

}  // namespace tidemark::alerting
