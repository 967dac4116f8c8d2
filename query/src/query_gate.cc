// QueryGate implementation (see query_gate.h).
#include "tidemark/query/query_gate.h"

#include <algorithm>
#include <string>

namespace tidemark::query {

QueryGate::QueryGate(size_t max_running, size_t max_waiting, MetricsRegistry* metrics)
    : max_running_(max_running), max_waiting_(max_waiting) {
  if (metrics != nullptr) {
    queries_ = metrics->GetGauge("prometheus_engine_queries",
                                 "The current number of queries being executed or waiting.");
    metrics
        ->GetGauge("prometheus_engine_queries_concurrent_max",
                   "The max number of concurrent queries.")
        ->Set(static_cast<double>(max_running));
  }
}

Status QueryGate::Enter(const CancelToken& cancel, QueueBound bound, Deadline deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  if (max_running_ == 0 || (running_ < max_running_ && queue_.empty())) {
    ++running_;
    Publish();
    return Status::OK();
  }
  if (bound == QueueBound::kApplies && bounded_waiting_ >= max_waiting_) {
    return Status::Unavailable("too many queries: " + std::to_string(running_) +
                               " running (--query.max-concurrency) and " +
                               std::to_string(bounded_waiting_) +
                               " waiting (--query.max-queue-length)");
  }
  const uint64_t ticket = next_ticket_++;
  queue_.push_back(ticket);
  if (bound == QueueBound::kApplies) ++bounded_waiting_;
  Publish();
  // The token is set from other threads without notifying: look at it every few milliseconds.
  constexpr auto kPoll = std::chrono::milliseconds(20);
  while (running_ >= max_running_ || queue_.front() != ticket) {
    if (cancel.canceled.load(std::memory_order_relaxed)) {
      LeaveQueue(ticket, bound);
      return Status::Canceled("query was canceled in query queue");
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      LeaveQueue(ticket, bound);
      return Status::DeadlineExceeded("query timed out in query queue");
    }
    cv_.wait_until(lock, deadline - now < kPoll ? deadline : now + kPoll);
  }
  queue_.pop_front();
  if (bound == QueueBound::kApplies) --bounded_waiting_;
  ++running_;
  Publish();
  // Several slots may have come free at once: the next in line need not wait for another Leave.
  if (running_ < max_running_ && !queue_.empty()) cv_.notify_all();
  return Status::OK();
}

void QueryGate::LeaveQueue(uint64_t ticket, QueueBound bound) {
  queue_.erase(std::find(queue_.begin(), queue_.end(), ticket));
  if (bound == QueueBound::kApplies) --bounded_waiting_;
  Publish();
  cv_.notify_all();  // the one behind may now be first
}

void QueryGate::Leave() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    Publish();
  }
  // Only the first in line may take the slot, and a condition variable cannot wake it alone.
  cv_.notify_all();
}

void QueryGate::Publish() {
  if (queries_ != nullptr) queries_->Set(static_cast<double>(running_ + queue_.size()));
}

size_t QueryGate::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_;
}

size_t QueryGate::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

}  // namespace tidemark::query
