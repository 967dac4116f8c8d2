// LifoPool: one condition variable per thread, so Post can wake a chosen one.
#include "lifo_pool.h"

#include <utility>

namespace tidemark::http {

LifoPool::LifoPool(size_t threads) {
  waiters_.reserve(threads);
  idle_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) waiters_.push_back(std::make_unique<Waiter>());
  for (auto& w : waiters_) threads_.emplace_back([this, me = w.get()] { Loop(me); });
}

void LifoPool::Post(std::function<void()> task) {
  std::unique_lock<std::mutex> l(mu_);
  if (stopping_) return;
  tasks_.push_back(std::move(task));
  if (idle_.empty()) return;  // every thread is busy: the first to finish takes it
  Waiter* w = idle_.back();
  idle_.pop_back();
  w->woken = true;
  l.unlock();
  w->cv.notify_one();
}

void LifoPool::Loop(Waiter* me) {
  std::unique_lock<std::mutex> l(mu_);
  while (!stopping_) {
    if (tasks_.empty()) {
      me->woken = false;
      idle_.push_back(me);
      me->cv.wait(l, [&] { return me->woken || stopping_; });
      continue;
    }
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    l.unlock();
    task();
    task = nullptr;  // its captures are released outside the lock
    l.lock();
  }
}

size_t LifoPool::idle_threads() {
  std::lock_guard<std::mutex> l(mu_);
  return idle_.size();
}

void LifoPool::Stop() {
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
    dropped.swap(tasks_);
  }
  for (auto& w : waiters_) w->cv.notify_one();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace tidemark::http
