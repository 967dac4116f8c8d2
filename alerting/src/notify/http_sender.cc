// The retrying sender thread over httpclient::Client; logs every failed attempt (host only:
// webhook and Slack URL paths are secrets).
#include "notify/http_sender.h"

#include <algorithm>

namespace tidemark::alerting {

HttpSender::HttpSender(Options options) : options_(std::move(options)), thread_([this] { Loop(); }) {}

HttpSender::~HttpSender() { Stop(); }

void HttpSender::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
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
    if (!d.key.empty()) {
      d.generation = ++generations_[d.key];
      for (auto it = queue_.begin(); it != queue_.end();) {
        if (it->key != d.key) {
          ++it;
          continue;
        }
        ++CountsLocked(*it).failed;
        failed_.fetch_add(1);
        if (it->done) cancelled.push_back(std::move(it->done));
        it = queue_.erase(it);
      }
    }
    if (queue_.size() >= options_.max_queue) {
      ++CountsLocked(queue_.front()).failed;
      dropped_cb = std::move(queue_.front().done);
      queue_.pop_front();
      dropped_.fetch_add(1);
    }
    d.next_try = std::chrono::steady_clock::now();
    queue_.push_back(std::move(d));
  }
  cv_.notify_all();
  for (auto& cb : cancelled) cb(Status::Canceled("superseded by a newer notification"));
  if (dropped_cb) dropped_cb(Status::ResourceExhausted("notification queue full"));
}

size_t HttpSender::queue_length() const {
  std::lock_guard<std::mutex> l(mu_);
  return queue_.size() + in_flight_;
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
  httpclient::Request req;
  req.url = d.url;
  req.body = d.body;
  req.content_type = d.content_type;
  req.timeout_ms = d.timeout_ms > 0 ? d.timeout_ms : options_.timeout_ms;
  req.headers = d.headers;
  LogFields fields = {{"receiver", d.receiver},
                      {"integration", d.integration + "[" + std::to_string(d.index) + "]"},
                      {"attempt", std::to_string(d.attempts)},
                      // smtp://host:port (e-mail) has no path to hide.
                      {"host", d.url.rfind("smtp://", 0) == 0 ? d.url : httpclient::UrlHostForLog(d.url)}};
  Status outcome;
  if (d.send) {
    outcome = d.send(retryable);  // judges retryability itself
    if (outcome.ok()) return outcome;
    fields.emplace_back("err", outcome.message());
  } else {
    auto res = d.client ? d.client->Do(req) : Status::InvalidArgument("delivery without HTTP client");
    if (res.ok() && res->status >= 200 && res->status < 300) return Status::OK();
    if (!res.ok()) {
      outcome = res.status();
      // A malformed URL or request never gets better; network and TLS errors may.
      *retryable = res.status().code() != StatusCode::kInvalidArgument;
      fields.emplace_back("err", res.status().message());
    } else {
      // As Alertmanager: 5xx and 429 are worth retrying, other answers are final.
      *retryable = res->status >= 500 || res->status == 429;
      outcome = Status::Unavailable("HTTP " + std::to_string(res->status));
      fields.emplace_back("status", std::to_string(res->status));
      fields.emplace_back("body", res->body.substr(0, 256));
    }
  }
  fields.emplace_back("retry", *retryable ? "true" : "false");
  if (options_.log) options_.log(LogLevel::kWarn, "notification attempt failed", fields);
  return outcome;
}

void HttpSender::Finish(Delivery d, const Status& outcome, std::unique_lock<std::mutex>& l) {
  // Counted and reported before leaving in-flight, so a Drain() that returns sees the outcome
  // counted and the callback (e.g. the notification log write) done.
  (outcome.ok() ? sent_ : failed_).fetch_add(1);
  if (!outcome.ok()) ++CountsLocked(d).failed;
  if (auto g = generations_.find(d.key); g != generations_.end() && g->second == d.generation) {
    generations_.erase(g);
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
  --in_flight_;
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
    const auto now = std::chrono::steady_clock::now();
    if (it->next_try > now) {
      cv_.wait_until(l, it->next_try);
      continue;
    }
    Delivery d = std::move(*it);
    queue_.erase(it);
    ++in_flight_;
    l.unlock();
    bool retryable = false;
    const Status outcome = Attempt(d, &retryable);
    l.lock();
    if (!outcome.ok() && !d.key.empty() && generations_[d.key] != d.generation) {
      Finish(std::move(d), Status::Canceled("superseded by a newer notification"), l);
      continue;
    }
    if (!outcome.ok() && retryable && !stop_) {
      const int64_t shift = std::min(d.attempts - 1, 20);
      const int64_t backoff =
          std::min<int64_t>(static_cast<int64_t>(options_.initial_backoff_ms) << shift, options_.max_backoff_ms);
      const auto next = std::chrono::steady_clock::now() + std::chrono::milliseconds(backoff);
      const bool more = d.give_up_at != std::chrono::steady_clock::time_point{}
                            ? next < d.give_up_at
                            : d.attempts < options_.max_attempts;
      if (more) {
        d.next_try = next;
        queue_.push_back(std::move(d));
        --in_flight_;
        continue;
      }
    }
    Finish(std::move(d), outcome, l);
  }
}

}  // namespace tidemark::alerting
