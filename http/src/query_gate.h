// Admission of PromQL queries (as Prometheus' ActiveQueryTracker gate): at most `max_running`
// evaluate at once, up to `max_waiting` more wait for a slot with their deadline running.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

#include "tidemark/query/engine.h"
#include "tidemark/storage/model/metrics.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::http {

class QueryGate {
 public:
  // 0 for `max_running` admits every query at once. `queries` (may be null) is kept at the
  // number running or waiting (Prometheus' prometheus_engine_queries).
  QueryGate(size_t max_running, size_t max_waiting, Gauge* queries = nullptr)
      : max_running_(max_running), max_waiting_(max_waiting), queries_(queries) {}

  // Takes a slot, waiting while all are taken. OK means the caller must call Leave(). Else:
  // Unavailable when the queue is full too (nothing waits), or Canceled when `cancel` was set
  // while waiting (the caller's deadline or its client going away).
  Status Enter(const query::CancelToken& cancel);
  void Leave();

  size_t running() const;
  size_t waiting() const;

 private:
  void Publish();  // REQUIRES mu_

  const size_t max_running_;
  const size_t max_waiting_;
  Gauge* const queries_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  size_t running_ = 0;
  size_t waiting_ = 0;
};

// Holds a slot of a QueryGate for a scope.
class QuerySlot {
 public:
  QuerySlot(QueryGate* gate, const query::CancelToken& cancel)
      : gate_(gate), status_(gate ? gate->Enter(cancel) : Status::OK()) {}
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

}  // namespace tidemark::http
