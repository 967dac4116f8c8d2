// LifoPool: every task runs once, the thread that went idle last takes the next task, and Stop
// waits for running tasks and drops the rest.
#include "lifo_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <thread>

namespace tidemark::http {
namespace {

void WaitIdle(LifoPool& pool, size_t n) {
  while (pool.idle_threads() != n) std::this_thread::yield();
}

TEST(LifoPoolTest, RunsEveryTaskPostedFromManyThreads) {
  LifoPool pool(3);
  std::atomic<int> ran{0};
  std::vector<std::thread> posters;
  for (int p = 0; p < 4; ++p) {
    posters.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) pool.Post([&] { ran.fetch_add(1); });
    });
  }
  for (auto& t : posters) t.join();
  while (ran.load() < 4000) std::this_thread::yield();
  WaitIdle(pool, 3);
  EXPECT_EQ(ran.load(), 4000);
}

TEST(LifoPoolTest, OneRequestAtATimeKeepsToOneThread) {
  // A FIFO wake-up (asio's thread_pool) would take the eight threads in turn.
  LifoPool pool(8);
  WaitIdle(pool, 8);
  std::set<std::thread::id> used;
  for (int i = 0; i < 50; ++i) {
    std::promise<std::thread::id> ran;
    pool.Post([&] { ran.set_value(std::this_thread::get_id()); });
    used.insert(ran.get_future().get());
    WaitIdle(pool, 8);
  }
  EXPECT_EQ(used.size(), 1u);
}

TEST(LifoPoolTest, BusyThreadsLeaveTheWorkToTheNextIdleOne) {
  LifoPool pool(2);
  WaitIdle(pool, 2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<std::thread::id> first, second;
  pool.Post([&] {
    first.set_value(std::this_thread::get_id());
    released.wait();
  });
  pool.Post([&] { second.set_value(std::this_thread::get_id()); });
  // The second task cannot wait for the first: the other thread takes it.
  EXPECT_NE(first.get_future().get(), second.get_future().get());
  release.set_value();
  WaitIdle(pool, 2);
}

TEST(LifoPoolTest, StopWaitsForRunningTasksAndDropsLaterOnes) {
  LifoPool pool(1);
  std::promise<void> started;
  std::atomic<bool> finished{false};
  pool.Post([&] {
    started.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    finished = true;
  });
  started.get_future().wait();
  pool.Stop();
  EXPECT_TRUE(finished.load());
  bool ran = false;
  pool.Post([&] { ran = true; });
  pool.Stop();  // a second Stop is harmless
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace tidemark::http
