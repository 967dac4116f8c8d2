// QueryGate implementation (see query_gate.h).
#include "query_gate.h"

#include <string>

namespace tidemark::http {

Status QueryGate::Enter(const query::CancelToken& cancel) {
  std::unique_lock<std::mutex> lock(mu_);
  if (max_running_ == 0 || running_ < max_running_) {
    ++running_;
    Publish();
    return Status::OK();
  }
  if (waiting_ >= max_waiting_) {
    return Status::Unavailable("too many queries: " + std::to_string(running_) +
                               " running (--query.max-concurrency) and " +
                               std::to_string(waiting_) +
                               " waiting (--query.max-queue-length)");
  }
  ++waiting_;
  Publish();
  // The token is set from other threads without notifying: look at it every few milliseconds.
  constexpr auto kPoll = std::chrono::milliseconds(20);
  while (running_ >= max_running_) {
    if (cancel.canceled.load(std::memory_order_relaxed)) {
      --waiting_;
      Publish();
      return Status::Canceled("query was canceled in query queue");
    }
    cv_.wait_for(lock, kPoll);
  }
  --waiting_;
  ++running_;
  return Status::OK();
}

void QueryGate::Leave() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    Publish();
  }
  cv_.notify_one();
}

void QueryGate::Publish() {
  if (queries_ != nullptr) queries_->Set(static_cast<double>(running_ + waiting_));
}

size_t QueryGate::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_;
}

size_t QueryGate::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_;
}

}  // namespace tidemark::http
