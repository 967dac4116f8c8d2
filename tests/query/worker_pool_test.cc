// WorkerPool runs every index exactly once, on more than one thread when it has workers, and
// stays correct when several callers share it.
#include "eval/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace tidemark::query::eval {
namespace {

TEST(WorkerPool, RunsEveryIndexExactlyOnce) {
  for (size_t threads : {1, 2, 4}) {
    WorkerPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (size_t n : {0, 1, 2, 3, 64, 1000}) {
      std::vector<std::atomic<int>> calls(n);
      pool.Start(n, [&](size_t i) { calls[i].fetch_add(1); }).Wait();
      for (size_t i = 0; i < n; ++i) EXPECT_EQ(calls[i].load(), 1) << threads << " " << n << " " << i;
    }
  }
}

TEST(WorkerPool, WorkersTakePartWhileTheCallerIsBusy) {
  WorkerPool pool(2);
  std::mutex mu;
  std::set<std::thread::id> seen;
  // Index 0 waits until another thread has run index 1: only a worker can do that.
  std::atomic<bool> second_done{false};
  WorkerPool::Task task = pool.Start(2, [&](size_t i) {
    {
      std::lock_guard<std::mutex> l(mu);
      seen.insert(std::this_thread::get_id());
    }
    if (i == 1) second_done = true;
    while (!second_done.load()) std::this_thread::yield();
  });
  task.Wait();
  EXPECT_EQ(seen.size(), 2u);
}

TEST(WorkerPool, StartedWorkRunsWhileTheCallerDoesSomethingElse) {
  WorkerPool pool(2);
  std::atomic<int> ran{0};
  const std::thread::id caller = std::this_thread::get_id();
  WorkerPool::Task task = pool.Start(10, [&](size_t) {
    EXPECT_NE(std::this_thread::get_id(), caller);  // the caller only joins in Wait()
    ran.fetch_add(1);
  });
  while (ran.load() < 10) std::this_thread::yield();  // only the worker can get it there
  task.Wait();
  EXPECT_EQ(ran.load(), 10);
}

TEST(WorkerPool, ATaskLeftWithoutWaitFinishesBeforeItIsDestroyed) {
  for (size_t threads : {1, 3}) {
    WorkerPool pool(threads);
    std::vector<int> out(500, 0);
    {
      WorkerPool::Task task = pool.Start(out.size(), [&](size_t i) { out[i] = 1; });
    }
    for (int v : out) ASSERT_EQ(v, 1) << threads;
  }
}

TEST(WorkerPool, SeveralCallersShareOnePool) {
  WorkerPool pool(3);
  constexpr size_t kCallers = 4, kRounds = 50, kItems = 97;
  std::vector<std::thread> callers;
  std::atomic<size_t> wrong{0};
  for (size_t c = 0; c < kCallers; ++c) {
    callers.emplace_back([&] {
      for (size_t r = 0; r < kRounds; ++r) {
        std::vector<int> out(kItems, 0);
        pool.Start(kItems, [&](size_t i) { out[i] += static_cast<int>(i) + 1; }).Wait();
        for (size_t i = 0; i < kItems; ++i) wrong += out[i] != static_cast<int>(i) + 1;
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(wrong.load(), 0u);
}

}  // namespace
}  // namespace tidemark::query::eval
