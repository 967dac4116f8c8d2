// Asynchronous notification delivery over the shared HTTP client: a bounded queue, retries with
// exponential backoff on 5xx/429/network errors, a warn log line per failed attempt, and
// per-receiver/integration counters. One sender thread; callers never block on the network.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tidemark/alerting/notify.h"
#include "tidemark/httpclient/client.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::alerting {

struct Delivery {
  std::shared_ptr<const httpclient::Client> client;  // required
  std::string url;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers (secrets)
  // When set, performs the delivery instead of POSTing `body` to `url` (SMTP, multi-request
  // integrations), and says whether a failure may be retried.
  std::function<Status(bool* retryable)> send;
  int timeout_ms = 0;        // per request; 0 = the sender's default
  std::string receiver;      // for logs and metrics
  std::string integration;   // kind for metrics: "webhook" | "slack" | "pagerduty" | ... | "alertmanager"
  int index = 0;             // the integration's position in its receiver, for logs: slack[0]
  // A newer delivery with the same non-empty key replaces a queued older one (which then
  // finishes with kCanceled): a fresh notification supersedes a stale retry.
  std::string key;
  // Retry until this time (then give up); unset = retry up to Options::max_attempts times.
  std::chrono::steady_clock::time_point give_up_at{};
  // Called on the sender thread once, with the final outcome (OK or the last error).
  std::function<void(const Status&)> done;
  int attempts = 0;
  uint64_t generation = 0;  // set by Enqueue, per key
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
    LogSink log;  // nullable
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
  size_t queue_capacity() const { return options_.max_queue; }
  std::vector<IntegrationCounts> PerIntegration() const;

 private:
  void Loop();
  // Sends once; returns the outcome and whether another attempt could succeed.
  Status Attempt(Delivery& d, bool* retryable);
  void Finish(Delivery d, const Status& outcome, std::unique_lock<std::mutex>& l);
  IntegrationCounts& CountsLocked(const Delivery& d);

  Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Delivery> queue_;
  size_t in_flight_ = 0;
  bool stop_ = false;
  std::atomic<uint64_t> sent_{0}, failed_{0}, dropped_{0};
  std::map<std::pair<std::string, std::string>, IntegrationCounts> counts_;
  std::map<std::string, uint64_t> generations_;  // newest generation per key with work pending
  std::thread thread_;
};

}  // namespace tidemark::alerting
