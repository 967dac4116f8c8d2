// Asynchronous HTTP POST delivery with a bounded queue, retries with exponential backoff on
// 5xx/429/network errors, and counters. One sender thread; callers never block on the network.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tidemark/storage/model/status.h"

namespace tidemark::alerting {

struct HttpResponse {
  int status = 0;
  std::string body;
};

// Blocking POST of `body` to an http:// URL with an overall timeout. https is not supported.
Result<HttpResponse> HttpPost(const std::string& url, const std::string& body,
                              const std::string& content_type, int timeout_ms);

struct Delivery {
  std::string url;
  std::string body;
  std::string content_type = "application/json";
  // Called on the sender thread once, with the final outcome (OK or the last error).
  std::function<void(const Status&)> done;
  int attempts = 0;
  std::chrono::steady_clock::time_point next_try{};
};

class HttpSender {
 public:
  struct Options {
    size_t max_queue = 10'000;
    int max_attempts = 5;
    int timeout_ms = 10'000;
    int initial_backoff_ms = 500;
    int max_backoff_ms = 30'000;
  };
  explicit HttpSender(Options options);
  ~HttpSender();
  HttpSender(const HttpSender&) = delete;
  HttpSender& operator=(const HttpSender&) = delete;

  // Queues a delivery; drops the oldest queued one (counted) when full. Never blocks long.
  void Enqueue(Delivery d);
  // Waits (up to `timeout_ms`) until the queue is empty; for tests and shutdown.
  bool Drain(int timeout_ms);
  void Stop();

  uint64_t sent() const { return sent_.load(); }
  uint64_t failed() const { return failed_.load(); }
  uint64_t dropped() const { return dropped_.load(); }
  size_t queue_length() const;

 private:
  void Loop();

  Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Delivery> queue_;
  size_t in_flight_ = 0;
  bool stop_ = false;
  std::atomic<uint64_t> sent_{0}, failed_{0}, dropped_{0};
  std::thread thread_;
};

}  // namespace tidemark::alerting
