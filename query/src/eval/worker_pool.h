// WorkerPool: threads that take the independent per-series work of queries (reading and decoding
// samples) next to each query's own thread, as VictoriaMetrics does.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace tidemark::query::eval {

class WorkerPool {
 public:
  // `threads` counts the calling thread: 1 starts no worker and runs everything on the caller.
  explicit WorkerPool(size_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  size_t threads() const { return workers_.size() + 1; }

  using Fn = std::function<void(size_t i)>;
  struct Job;
  // Calls fn(i) once for every i in [0, n): idle workers take indexes while the caller does
  // other work; Wait() (or destruction) has the caller run what is left and returns when every
  // call has returned. A busy pool (other queries) only means less help, never a wait. fn must
  // not throw. With `use_workers` false everything runs on the caller, in Wait().
  class Task {
   public:
    Task() = default;
    Task(Task&&) noexcept = default;
    Task& operator=(Task&& other) noexcept;
    ~Task() { Wait(); }
    void Wait();

   private:
    friend class WorkerPool;
    explicit Task(std::shared_ptr<Job> job) : job_(std::move(job)) {}
    std::shared_ptr<Job> job_;
  };
  Task Start(size_t n, Fn fn, bool use_workers = true);
  // Offers fn(0) to an idle worker while the caller goes on; Wait() runs it on the caller if no
  // worker has taken it by then.
  Task Hand(Fn fn);

 private:
  Task Offer(size_t n, Fn fn, size_t helpers);  // `helpers` workers invited
  static void RunItems(Job& job);
  void WorkerLoop();

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> queue_;  // one entry per worker invited to a job
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace tidemark::query::eval
