// WorkerPool: a shared counter hands out indexes; the last finisher wakes the caller.
#include "eval/worker_pool.h"

#include <algorithm>
#include <atomic>

namespace tidemark::promql::eval {

struct WorkerPool::Job {
  const Fn* fn = nullptr;
  size_t n = 0;
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex mu;
  std::condition_variable finished;
};

WorkerPool::WorkerPool(size_t threads) {
  for (size_t i = 1; i < threads; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void WorkerPool::RunItems(Job& job, size_t thread) {
  size_t ran = 0;
  for (size_t i = job.next.fetch_add(1); i < job.n; i = job.next.fetch_add(1)) {
    (*job.fn)(i, thread);
    ++ran;
  }
  // fn is the caller's: it may only be touched for indexes claimed below n, all of which are
  // counted in `done` before the caller returns.
  if (ran > 0 && job.done.fetch_add(ran) + ran == job.n) {
    std::lock_guard<std::mutex> l(job.mu);
    job.finished.notify_all();
  }
}

void WorkerPool::WorkerLoop(size_t thread) {
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> l(mu_);
      wake_.wait(l, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    RunItems(*job, thread);
  }
}

void WorkerPool::ParallelFor(size_t n, const Fn& fn) {
  if (workers_.empty() || n < 2) {
    for (size_t i = 0; i < n; ++i) fn(i, 0);
    return;
  }
  auto job = std::make_shared<Job>();
  job->fn = &fn;
  job->n = n;
  const size_t helpers = std::min(workers_.size(), n - 1);
  {
    std::lock_guard<std::mutex> l(mu_);
    for (size_t i = 0; i < helpers; ++i) queue_.push_back(job);
  }
  for (size_t i = 0; i < helpers; ++i) wake_.notify_one();
  RunItems(*job, 0);
  std::unique_lock<std::mutex> l(job->mu);
  job->finished.wait(l, [&] { return job->done.load() == n; });
}

}  // namespace tidemark::promql::eval
