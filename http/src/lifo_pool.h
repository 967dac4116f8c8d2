// LifoPool: the threads that run the API's pooled requests. The most recently idle thread takes
// the next request, so at low load the same few threads (warm stacks, caches and allocator
// caches) serve every request instead of all of them in turn, as a FIFO wake-up does.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace tidemark::http {

class LifoPool {
 public:
  explicit LifoPool(size_t threads);
  ~LifoPool() { Stop(); }
  LifoPool(const LifoPool&) = delete;
  LifoPool& operator=(const LifoPool&) = delete;

  // Runs task on one of the pool's threads; after Stop() it is dropped unrun.
  void Post(std::function<void()> task);
  // Drops the tasks no thread has started, waits for those running, joins the threads.
  void Stop();
  // Threads waiting for a task (so tests can wait until a thread is back).
  size_t idle_threads();

 private:
  struct Waiter {
    std::condition_variable cv;
    bool woken = false;
  };
  void Loop(Waiter* me);

  std::mutex mu_;
  std::deque<std::function<void()>> tasks_;
  std::vector<Waiter*> idle_;  // a stack: back() went idle last
  std::vector<std::unique_ptr<Waiter>> waiters_;
  std::vector<std::thread> threads_;
  bool stopping_ = false;
};

}  // namespace tidemark::http
