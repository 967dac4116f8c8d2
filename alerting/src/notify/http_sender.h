// Asynchronous notification delivery: every receiver integration (receiver + kind + index) has
// its own bounded queue and its own sender threads (at most Options::max_concurrency), so a slow
// or dead receiver never delays another. Retries with exponential backoff on 5xx/429/network
// errors, a warn log line per failed attempt, per-receiver/integration counters. Callers never
// block on the network. HTTP integrations fill client/url/body; any other transport (SMTP, …)
// plugs in through Delivery::transport.
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
#include <utility>
#include <vector>

#include "tidemark/alerting/notify.h"
#include "tidemark/httpclient/client.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::alerting {

// What a receiver answered to one attempt.
struct SendAnswer {
  int code = 0;            // HTTP status (or the protocol's reply code, e.g. SMTP's)
  std::string body;        // the answer (logs keep its first 256 bytes)
  bool delivered = false;  // the receiver accepted the notification
  bool retryable = false;  // not delivered, but a later attempt may succeed
};
// Sends `body` (the rendered notification) once within `timeout_ms`. An error Status means no
// answer at all (network, TLS): retried unless its code is kInvalidArgument (can never work).
using Transport = std::function<Result<SendAnswer>(const std::string& body, int timeout_ms)>;

struct Delivery {
  // How to send: `transport` when set, else an HTTP POST of `body` to `url` through `client`
  // (2xx delivered; 5xx and 429 retryable, other answers final, as in Alertmanager).
  Transport transport;
  std::shared_ptr<const httpclient::Client> client;
  std::string url;
  std::string body;
  std::string content_type = "application/json";
  std::string method = "POST";
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers (secrets)
  int timeout_ms = 0;        // per attempt; 0 = the sender's default
  std::string receiver;      // for logs, metrics and the choice of queue
  std::string integration;   // kind: "webhook" | "slack" | "pagerduty" | … | "alertmanager"
  int index = 0;             // the integration's position in its receiver, for logs: slack[0]
  // A newer delivery with the same non-empty key replaces a queued older one (which then
  // finishes with kCanceled): a fresh notification supersedes a stale retry.
  std::string key;
  // Retry until this time (then give up); unset = retry up to Options::max_attempts times.
  std::chrono::steady_clock::time_point give_up_at{};
  // Called once on a sender thread with the final outcome: OK (delivered), kInvalidArgument
  // (refused for good), kCanceled (superseded), kResourceExhausted (queue full), or kUnavailable
  // (gave up retrying, or the sender stopped).
  std::function<void(const Status&)> done;
  int attempts = 0;
  uint64_t generation = 0;  // set by Enqueue, per key
  std::chrono::steady_clock::time_point next_try{};
};

// One attempt of `d` (its transport, or the HTTP POST), as the sender makes it; also what
// `notify test` uses to report the receiver's answer.
Result<SendAnswer> SendOnce(const Delivery& d, int default_timeout_ms);

class HttpSender {
 public:
  struct Options {
    size_t max_queue = 10'000;   // per integration
    size_t max_concurrency = 4;  // requests in flight per integration
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

  // Queues a delivery on its integration's queue; drops that queue's oldest entry (counted)
  // when full. Never blocks on the network.
  void Enqueue(Delivery d);
  // Waits (up to `timeout_ms`) until every queue is empty; for tests and shutdown.
  bool Drain(int timeout_ms);
  void Stop();

  uint64_t sent() const { return sent_.load(); }
  uint64_t failed() const { return failed_.load(); }
  uint64_t dropped() const { return dropped_.load(); }
  size_t queue_length() const;
  size_t queue_capacity() const { return options_.max_queue; }  // of each integration's queue
  std::vector<IntegrationCounts> PerIntegration() const;

 private:
  // One integration's queue and the threads serving it.
  struct Lane {
    std::deque<Delivery> queue;
    std::condition_variable cv;
    size_t in_flight = 0;
    size_t workers = 0;
    size_t waiting = 0;  // workers blocked on cv
    std::map<std::string, uint64_t> generations;  // newest generation per key with work pending
  };

  void Worker(Lane* lane);
  // Sends once; returns the outcome and whether another attempt could succeed.
  Status Attempt(Delivery& d, bool* retryable);
  void Finish(Lane* lane, Delivery d, const Status& outcome, std::unique_lock<std::mutex>& l);
  IntegrationCounts& CountsLocked(const Delivery& d);

  Options options_;
  mutable std::mutex mu_;
  bool stop_ = false;
  std::map<std::string, std::unique_ptr<Lane>> lanes_;  // by receiver, kind and index
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> sent_{0}, failed_{0}, dropped_{0};
  std::map<std::pair<std::string, std::string>, IntegrationCounts> counts_;
};

}  // namespace tidemark::alerting
