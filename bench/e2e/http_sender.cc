// Boost.Beast synchronous client: one thread and one keep-alive connection per shard.
#include "http_sender.h"

#include <atomic>
#include <barrier>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/http/span_body.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace tidemark::e2e {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

enum class Outcome { kOk, kRejected, kRetry };

class Connection {
 public:
  Connection(const SendOptions& options, const tcp::resolver::results_type& endpoints)
      : options_(options), endpoints_(endpoints) {}

  // Sends one body; fills `error` with the response text on a non-2xx answer.
  Outcome Send(std::string_view body, std::string* error) {
    beast::error_code ec;
    if (!socket_) {
      socket_.emplace(io_);
      asio::connect(*socket_, endpoints_, ec);
      if (ec) return Fail("connect: " + ec.message(), error);
      socket_->set_option(tcp::no_delay(true), ec);
    }
    http::request<http::span_body<const char>> req{http::verb::post, options_.path, 11};
    req.set(http::field::host, options_.host + ":" + options_.port);
    req.set(http::field::user_agent, "tidemark-e2e-load/1");
    req.set(http::field::content_type, "application/x-protobuf");
    req.set(http::field::content_encoding, "snappy");
    req.set("X-Prometheus-Remote-Write-Version", "0.1.0");
    req.keep_alive(true);
    req.body() = http::span_body<const char>::value_type(body.data(), body.size());
    req.prepare_payload();
    http::write(*socket_, req, ec);
    if (ec) return Fail("write: " + ec.message(), error);
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 << 20);
    http::read(*socket_, buffer_, parser, ec);
    if (ec) return Fail("read: " + ec.message(), error);
    const auto& res = parser.get();
    if (!res.keep_alive()) Close();
    const unsigned code = res.result_int();
    if (code >= 200 && code < 300) return Outcome::kOk;
    *error = "HTTP " + std::to_string(code) + ": " + res.body().substr(0, 300);
    return code == 429 || code >= 500 ? Outcome::kRetry : Outcome::kRejected;
  }

 private:
  Outcome Fail(std::string message, std::string* error) {
    *error = std::move(message);
    Close();
    return Outcome::kRetry;
  }
  void Close() {
    beast::error_code ignored;
    if (socket_) socket_->close(ignored);
    socket_.reset();
    buffer_.clear();
  }

  const SendOptions& options_;
  const tcp::resolver::results_type& endpoints_;
  asio::io_context io_;
  std::optional<tcp::socket> socket_;
  beast::flat_buffer buffer_;
};

}  // namespace

SendStats SendBatches(const LoadedBatchFile& file, const SendOptions& options) {
  SendStats total;
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(options.host, options.port, ec);
  if (ec) {
    total.first_error = "resolve: " + ec.message();
    return total;
  }
  const uint32_t shards = file.header.num_shards;
  const uint32_t windows = std::max<uint32_t>(file.header.num_windows, 1);
  // by_shard[s][w]: indices of shard s's batches in window w, in file order.
  std::vector<std::vector<std::vector<size_t>>> by_shard(shards, std::vector<std::vector<size_t>>(windows));
  for (size_t i = 0; i < file.batches.size(); ++i) {
    const Batch& b = file.batches[i];
    by_shard[b.shard][std::min(b.window, windows - 1)].push_back(i);
  }
  std::barrier sync(static_cast<std::ptrdiff_t>(shards));
  // Set when a batch fails for good (target down): everyone stops instead of retrying every batch.
  std::atomic<bool> abort{false};
  std::mutex mu;
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (uint32_t s = 0; s < shards; ++s) {
    threads.emplace_back([&, s] {
      SendStats st;
      Connection conn(options, endpoints);
      std::string error;
      for (uint32_t w = 0; w < windows; ++w) {
        for (size_t idx : by_shard[s][w]) {
          if (abort.load()) break;
          const Batch& b = file.batches[idx];
          Outcome out = Outcome::kRetry;
          auto backoff = std::chrono::milliseconds(10);
          for (int attempt = 0; attempt < options.max_attempts; ++attempt) {
            out = conn.Send(b.body, &error);
            if (out != Outcome::kRetry) break;
            ++st.retries;
            if (st.first_error.empty()) st.first_error = error;
            std::this_thread::sleep_for(backoff);
            backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
          }
          st.body_bytes += static_cast<int64_t>(b.body.size());
          if (out == Outcome::kOk) {
            ++st.batches_ok;
            st.samples_ok += b.num_samples;
          } else if (out == Outcome::kRejected) {
            ++st.batches_rejected;
            st.samples_rejected += b.num_samples;
            if (st.first_error.empty()) st.first_error = error;
          } else {
            ++st.batches_failed;
            abort.store(true);
          }
        }
        if (abort.load()) {
          if (options.sync_windows) sync.arrive_and_drop();
          break;
        }
        if (options.sync_windows) sync.arrive_and_wait();
      }
      std::lock_guard<std::mutex> lock(mu);
      total.samples_ok += st.samples_ok;
      total.samples_rejected += st.samples_rejected;
      total.batches_ok += st.batches_ok;
      total.batches_rejected += st.batches_rejected;
      total.batches_failed += st.batches_failed;
      total.retries += st.retries;
      total.body_bytes += st.body_bytes;
      if (total.first_error.empty()) total.first_error = st.first_error;
    });
  }
  for (auto& t : threads) t.join();
  total.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return total;
}

}  // namespace tidemark::e2e
