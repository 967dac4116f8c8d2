// QueryGate: admission up to max-concurrency, arrival order, the queue bound (which rule
// evaluations are exempt from), cancellation and deadline while waiting, and its gauges.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "support/wait_until.h"
#include "tidemark/query/query_gate.h"

namespace tidemark::query {
namespace {

using tidemark::testing::WaitUntil;

TEST(QueryGateTest, AdmitsUpToMaxRunningThenRefusesWhenTheQueueIsFull) {
  QueryGate gate(2, 0);
  CancelToken none;
  ASSERT_TRUE(gate.Enter(none).ok());
  ASSERT_TRUE(gate.Enter(none).ok());
  Status s = gate.Enter(none);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("2 running (--query.max-concurrency)"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("--query.max-queue-length"), std::string::npos) << s.message();
  gate.Leave();
  EXPECT_TRUE(gate.Enter(none).ok());
  gate.Leave();
  gate.Leave();
  EXPECT_EQ(gate.running(), 0u);
}

TEST(QueryGateTest, ZeroMaxRunningAdmitsEverything) {
  QueryGate gate(0, 0);
  CancelToken none;
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(gate.Enter(none).ok());
  EXPECT_EQ(gate.running(), 100u);
  for (int i = 0; i < 100; ++i) gate.Leave();
}

TEST(QueryGateTest, WaitersAreAdmittedInArrivalOrder) {
  QueryGate gate(1, 8);
  CancelToken none;
  ASSERT_TRUE(gate.Enter(none).ok());
  std::mutex mu;
  std::vector<int> order;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      ASSERT_TRUE(gate.Enter(none, i % 2 ? QueueBound::kExempt : QueueBound::kApplies).ok());
      {
        std::lock_guard<std::mutex> l(mu);
        order.push_back(i);
      }
      gate.Leave();
    });
    // The next one arrives only once this one is in line.
    ASSERT_TRUE(WaitUntil([&] { return gate.waiting() == static_cast<size_t>(i + 1); }));
  }
  gate.Leave();
  for (auto& t : threads) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(gate.running(), 0u);
  EXPECT_EQ(gate.waiting(), 0u);
}

TEST(QueryGateTest, ExemptWaitersDoNotUseTheQueueBound) {
  QueryGate gate(1, 1);
  CancelToken none;
  ASSERT_TRUE(gate.Enter(none).ok());
  // A rule evaluation waits for the slot...
  std::thread rule([&] {
    EXPECT_TRUE(gate.Enter(none, QueueBound::kExempt).ok());
    gate.Leave();
  });
  ASSERT_TRUE(WaitUntil([&] { return gate.waiting() == 1; }));
  // ...and leaves the one place of the API's queue free.
  std::thread api([&] {
    EXPECT_TRUE(gate.Enter(none).ok());
    gate.Leave();
  });
  ASSERT_TRUE(WaitUntil([&] { return gate.waiting() == 2; }));
  EXPECT_EQ(gate.Enter(none).code(), StatusCode::kUnavailable);  // the API's queue is full
  // Exempt waiters are never refused.
  std::thread rule2([&] {
    EXPECT_TRUE(gate.Enter(none, QueueBound::kExempt).ok());
    gate.Leave();
  });
  ASSERT_TRUE(WaitUntil([&] { return gate.waiting() == 3; }));
  gate.Leave();
  rule.join();
  api.join();
  rule2.join();
  EXPECT_EQ(gate.running(), 0u);
}

TEST(QueryGateTest, CancelWhileWaitingLeavesTheQueue) {
  QueryGate gate(1, 1);
  CancelToken none, cancel;
  ASSERT_TRUE(gate.Enter(none).ok());
  Status waited;
  std::thread t([&] { waited = gate.Enter(cancel); });
  ASSERT_TRUE(WaitUntil([&] { return gate.waiting() == 1; }));
  cancel.canceled.store(true);
  t.join();
  EXPECT_EQ(waited.code(), StatusCode::kCanceled);
  EXPECT_EQ(waited.message(), "query was canceled in query queue");
  EXPECT_EQ(gate.waiting(), 0u);
  EXPECT_EQ(gate.running(), 1u);
  // Its place in the queue is free again.
  std::thread next([&] {
    EXPECT_TRUE(gate.Enter(none).ok());
    gate.Leave();
  });
  ASSERT_TRUE(WaitUntil([&] { return gate.waiting() == 1; }));
  gate.Leave();
  next.join();
}

TEST(QueryGateTest, DeadlineWhileWaitingIsAQueueTimeout) {
  QueryGate gate(1, 1);
  CancelToken none;
  ASSERT_TRUE(gate.Enter(none).ok());
  Status s = gate.Enter(none, QueueBound::kExempt, std::chrono::steady_clock::now());
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(s.message(), "query timed out in query queue");
  EXPECT_EQ(gate.waiting(), 0u);
  gate.Leave();
  // A free slot is taken at once, whatever the deadline.
  EXPECT_TRUE(gate.Enter(none, QueueBound::kApplies, std::chrono::steady_clock::now()).ok());
  gate.Leave();
}

TEST(QueryGateTest, GaugesCountRunningAndWaitingQueries) {
  MetricsRegistry metrics;
  QueryGate gate(1, 1, &metrics);
  Gauge* queries = metrics.GetGauge("prometheus_engine_queries", "");
  EXPECT_EQ(metrics.GetGauge("prometheus_engine_queries_concurrent_max", "")->Value(), 1);
  CancelToken none;
  ASSERT_TRUE(gate.Enter(none).ok());
  EXPECT_EQ(queries->Value(), 1);
  std::thread t([&] {
    EXPECT_TRUE(gate.Enter(none, QueueBound::kExempt).ok());
    gate.Leave();
  });
  ASSERT_TRUE(WaitUntil([&] { return queries->Value() == 2; }));
  gate.Leave();
  t.join();
  EXPECT_EQ(queries->Value(), 0);
}

}  // namespace
}  // namespace tidemark::query
