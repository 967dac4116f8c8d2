// The per-integration retrying senders; logs every failed attempt (host only: webhook and Slack
// URL paths are secrets).
#include "notify/http_sender.h"

#include <algorithm>

namespace tidemark::alerting {

Result<SendAnswer> SendOnce(const Delivery& d, int default_timeout_ms) {
  const int timeout_ms = d.timeout_ms > 0 ? d.timeout_ms : default_timeout_ms;
  if (d.transport) return d.transport(d.body, timeout_ms);
  if (!d.client) return Status::InvalidArgument("delivery without HTTP client");
  httpclient::Request req;
  req.method = d.method;
  req.url = d.url;
  req.body = d.body;
  req.content_type = d.content_type;
  req.headers = d.headers;
  req.timeout_ms = timeout_ms;
  TM_ASSIGN_OR_RETURN(httpclient::Response res, d.client->Do(req));
  SendAnswer a;
  a.code = res.status;
  a.body = std::move(res.body);
  a.delivered = res.status >= 200 && res.status < 300;
  // As Alertmanager: 5xx and 429 are worth retrying, other answers are final.
  a.retryable = res.status >= 500 || res.status == 429;
  return a;
}

HttpSender::HttpSender(Options options) : options_(std::move(options)) {
  options_.max_concurrency = std::max<size_t>(options_.max_concurrency, 1);
}

HttpSender::~HttpSender() { Stop(); }

void HttpSender::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
    for (auto& [k, lane] : lanes_) lane->cv.notify_all();
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

IntegrationCounts& HttpSender::CountsLocked(const Delivery& d) {
  IntegrationCounts& c = counts_[{d.receiver, d.integration}];
  c.receiver = d.receiver;
  c.integration = d.integration;
  return c;
}

void HttpSender::Enqueue(Delivery d) {
  std::vector<std::function<void(const Status&)>> cancelled;
  std::function<void(const Status&)> dropped_cb;
  {
    std::lock_guard<std::mutex> l(mu_);
    ++CountsLocked(d).total;
    std::unique_ptr<Lane>& lp = lanes_[d.receiver + '\n' + d.integration + '\n' + std::to_string(d.index)];
    if (!lp) lp = std::make_unique<Lane>();
    Lane* lane = lp.get();
    if (!d.key.empty()) {
      d.generation = ++lane->generations[d.key];
      for (auto it = lane->queue.begin(); it != lane->queue.end();) {
        if (it->key != d.key) {
          ++it;
          continue;
        }
        ++CountsLocked(*it).failed;
        failed_.fetch_add(1);
        if (it->done) cancelled.push_back(std::move(it->done));
        it = lane->queue.erase(it);
      }
    }
    if (lane->queue.size() >= options_.max_queue) {
      ++CountsLocked(lane->queue.front()).failed;
      dropped_cb = std::move(lane->queue.front().done);
      lane->queue.pop_front();
      dropped_.fetch_add(1);
    }
    d.next_try = std::chrono::steady_clock::now();
    lane->queue.push_back(std::move(d));
    if (lane->waiting > 0) {
      lane->cv.notify_one();
    } else if (lane->workers < options_.max_concurrency && !stop_) {
      // Every worker of this integration is busy sending: one more, up to the bound.
      ++lane->workers;
      threads_.emplace_back([this, lane] { Worker(lane); });
    }
  }
  for (auto& cb : cancelled) cb(Status::Canceled("superseded by a newer notification"));
  if (dropped_cb) dropped_cb(Status::ResourceExhausted("notification queue full"));
}

size_t HttpSender::queue_length() const {
  std::lock_guard<std::mutex> l(mu_);
  size_t n = 0;
  for (const auto& [k, lane] : lanes_) n += lane->queue.size() + lane->in_flight;
  return n;
}

std::vector<IntegrationCounts> HttpSender::PerIntegration() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<IntegrationCounts> out;
  for (const auto& [k, c] : counts_) out.push_back(c);
  return out;
}

bool HttpSender::Drain(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (queue_length() == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return queue_length() == 0;
}

Status HttpSender::Attempt(Delivery& d, bool* retryable) {
  ++d.attempts;
  auto res = SendOnce(d, options_.timeout_ms);
  if (res.ok() && res->delivered) return Status::OK();
  LogFields fields = {{"receiver", d.receiver},
                      {"integration", d.integration + "[" + std::to_string(d.index) + "]"},
                      {"attempt", std::to_string(d.attempts)},
                      // smtp://host:port (e-mail) has no path to hide.
                      {"host", d.url.rfind("smtp://", 0) == 0 ? d.url : httpclient::UrlHostForLog(d.url)}};
  Status outcome;
  if (!res.ok()) {
    outcome = res.status();
    // A malformed URL or request never gets better; network and TLS errors may.
    *retryable = res.status().code() != StatusCode::kInvalidArgument;
    fields.emplace_back("err", res.status().message());
  } else {
    *retryable = res->retryable;
    outcome = Status(*retryable ? StatusCode::kUnavailable : StatusCode::kInvalidArgument,
                     "answer " + std::to_string(res->code));
    fields.emplace_back("status", std::to_string(res->code));
    fields.emplace_back("body", res->body.substr(0, 256));
  }
  fields.emplace_back("retry", *retryable ? "true" : "false");
  if (options_.log) options_.log(LogLevel::kWarn, "notification attempt failed", fields);
  return outcome;
}

void HttpSender::Finish(Lane* lane, Delivery d, const Status& outcome, std::unique_lock<std::mutex>& l) {
  // Counted and reported before leaving in-flight, so a Drain() that returns sees the outcome
  // counted and the callback (e.g. the notification log write) done.
  (outcome.ok() ? sent_ : failed_).fetch_add(1);
  if (!outcome.ok()) ++CountsLocked(d).failed;
  if (auto g = lane->generations.find(d.key); g != lane->generations.end() && g->second == d.generation) {
    lane->generations.erase(g);
  }
  l.unlock();
  if (!outcome.ok() && outcome.code() != StatusCode::kCanceled && options_.log) {
    options_.log(LogLevel::kError, "notification not delivered",
                 {{"receiver", d.receiver},
                  {"integration", d.integration + "[" + std::to_string(d.index) + "]"},
                  {"attempts", std::to_string(d.attempts)},
                  {"err", outcome.message()}});
  }
  if (d.done) d.done(outcome);
  l.lock();
  --lane->in_flight;
}

void HttpSender::Worker(Lane* lane) {
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_) {
    if (lane->queue.empty()) {
      ++lane->waiting;
      lane->cv.wait(l);
      --lane->waiting;
      continue;
    }
    // The entry due first (retries wait for their backoff; fresh entries are due now).
    auto it = std::min_element(lane->queue.begin(), lane->queue.end(),
                               [](const Delivery& a, const Delivery& b) { return a.next_try < b.next_try; });
    const auto now = std::chrono::steady_clock::now();
    if (it->next_try > now) {
      const auto until = it->next_try;
      ++lane->waiting;
      lane->cv.wait_until(l, until);
      --lane->waiting;
      continue;
    }
    Delivery d = std::move(*it);
    lane->queue.erase(it);
    ++lane->in_flight;
    l.unlock();
    bool retryable = false;
    Status outcome = Attempt(d, &retryable);
    l.lock();
    if (!outcome.ok() && !d.key.empty() && lane->generations[d.key] != d.generation) {
      Finish(lane, std::move(d), Status::Canceled("superseded by a newer notification"), l);
      continue;
    }
    if (!outcome.ok() && retryable) {
      const int64_t shift = std::min(d.attempts - 1, 20);
      const int64_t backoff =
          std::min<int64_t>(static_cast<int64_t>(options_.initial_backoff_ms) << shift, options_.max_backoff_ms);
      const auto next = std::chrono::steady_clock::now() + std::chrono::milliseconds(backoff);
      const bool more = d.give_up_at != std::chrono::steady_clock::time_point{}
                            ? next < d.give_up_at
                            : d.attempts < options_.max_attempts;
      if (more && !stop_) {
        d.next_try = next;
        lane->queue.push_back(std::move(d));
        --lane->in_flight;
        continue;
      }
      outcome = Status::Unavailable("gave up after " + std::to_string(d.attempts) + " attempts: " +
                                    outcome.message());
    }
    Finish(lane, std::move(d), outcome, l);
  }
}

}  // namespace tidemark::alerting
