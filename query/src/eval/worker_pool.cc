// WorkerPool: a shared counter hands out indexes; the last finisher wakes the caller.
#include "eval/worker_pool.h"

#include <algorithm>
#include <atomic>

namespace tidemark::query::eval {

struct WorkerPool::Job {
  Fn fn;
  size_t n = 0;
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex mu;
  std::condition_variable finished;
};

WorkerPool::WorkerPool(size_t threads) {
  for (size_t i = 1; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void WorkerPool::RunItems(Job& job) {
  size_t ran = 0;
  for (size_t i = job.next.fetch_add(1); i < job.n; i = job.next.fetch_add(1)) {
    job.fn(i);
    ++ran;
  }
  // fn may refer to the caller's frame: it is only called for indexes claimed below n, all of
  // which are counted in `done` before the caller's Wait returns.
  if (ran > 0 && job.done.fetch_add(ran) + ran == job.n) {
    std::lock_guard<std::mutex> l(job.mu);
    job.finished.notify_all();
  }
}

void WorkerPool::WorkerLoop() {
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> l(mu_);
      wake_.wait(l, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    RunItems(*job);
  }
}

WorkerPool::Task WorkerPool::Start(size_t n, Fn fn, bool use_workers) {
  return Offer(n, std::move(fn), n < 2 || !use_workers ? 0 : std::min(workers_.size(), n));
}

WorkerPool::Task WorkerPool::Hand(Fn fn) {
  return Offer(1, std::move(fn), std::min<size_t>(workers_.size(), 1));
}

WorkerPool::Task WorkerPool::Offer(size_t n, Fn fn, size_t helpers) {
  auto job = std::make_shared<Job>();
  job->fn = std::move(fn);
  job->n = n;
  if (helpers > 0) {
    {
      std::lock_guard<std::mutex> l(mu_);
      for (size_t i = 0; i < helpers; ++i) queue_.push_back(job);
    }
    for (size_t i = 0; i < helpers; ++i) wake_.notify_one();
  }
  return Task(std::move(job));
}

void WorkerPool::Task::Wait() {
  if (!job_) return;
  RunItems(*job_);
  {
    std::unique_lock<std::mutex> l(job_->mu);
    job_->finished.wait(l, [&] { return job_->done.load() == job_->n; });
  }
  job_.reset();
}

WorkerPool::Task& WorkerPool::Task::operator=(Task&& other) noexcept {
  if (this != &other) {
    Wait();
    job_ = std::move(other.job_);
  }
  return *this;
}

}  // namespace tidemark::query::eval
