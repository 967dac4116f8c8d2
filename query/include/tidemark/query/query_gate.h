// Admission of PromQL queries (Prometheus' ActiveQueryTracker): at most `max_running` evaluate at
// once, the others wait for a slot in arrival order. Shared by the HTTP API and the rule manager.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>

#include "tidemark/query/engine.h"
#include "tidemark/storage/model/metrics.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::query {

// Whether a waiting query counts against the queue bound. Prometheus' queue has no bound; ours
// (--query.max-queue-length) protects the API's threads, so only API queries are refused by it:
// a rule evaluation always waits its turn, as it does in Prometheus.
enum class QueueBound : uint8_t { kApplies, kExempt };

class QueryGate {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  // 0 for `max_running` admits every query at once. Up to `max_waiting` queries with
  // QueueBound::kApplies may wait. With `metrics` (may be null), keeps Prometheus'
  // prometheus_engine_queries (running or waiting) and prometheus_engine_queries_concurrent_max.
  QueryGate(size_t max_running, size_t max_waiting, MetricsRegistry* metrics = nullptr);

  // Takes a slot, waiting behind the queries that came first while all are taken. OK means the
  // caller must call Leave(). Else: Unavailable when the wait is bounded and the queue is full
  // (nothing waits), Canceled when `cancel` was set while waiting (the caller's deadline or its
  // client going away), DeadlineExceeded ("query timed out in query queue") at `deadline`.
  Status Enter(const CancelToken& cancel, QueueBound bound = QueueBound::kApplies,
               Deadline deadline = Deadline::max());
  void Leave();

  size_t running() const;
  size_t waiting() const;  // bounded and exempt

 private:
  void Publish();  // REQUIRES mu_
  void LeaveQueue(uint64_t ticket, QueueBound bound);  // REQUIRES mu_

  const size_t max_running_;
  const size_t max_waiting_;
  Gauge* queries_ = nullptr;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  size_t running_ = 0;
  size_t bounded_waiting_ = 0;  // waiters that count against max_waiting_
  std::deque<uint64_t> queue_;  // tickets of the waiters, in arrival order
  uint64_t next_ticket_ = 0;
};

// Holds a slot of a QueryGate for a scope (no gate: no limit).
class QuerySlot {
 public:
  QuerySlot(QueryGate* gate, const CancelToken& cancel, QueueBound bound = QueueBound::kApplies,
            QueryGate::Deadline deadline = QueryGate::Deadline::max())
      : gate_(gate), status_(gate ? gate->Enter(cancel, bound, deadline) : Status::OK()) {}
  ~QuerySlot() {
    if (gate_ && status_.ok()) gate_->Leave();
  }
  QuerySlot(const QuerySlot&) = delete;
  QuerySlot& operator=(const QuerySlot&) = delete;
  const Status& status() const { return status_; }

 private:
  QueryGate* gate_;
  Status status_;
};

}  // namespace tidemark::query
