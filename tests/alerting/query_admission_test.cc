// Rule evaluations take a slot of the server's query gate (as Prometheus' rules go through the
// engine's query tracker): they wait for one, are not refused by a full API queue, time out in
// the queue after max_wait_ms, and stop waiting when the manager stops.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>

#include <unistd.h>

#include "support/status_matchers.h"
#include "support/wait_until.h"
#include "tidemark/alerting/manager.h"
#include "tidemark/query/query_gate.h"
#include "tidemark/storage/storage.h"

namespace tidemark::alerting {
namespace {

constexpr Timestamp kStart = 1'700'000'000'000;

using tidemark::testing::WaitUntil;

class QueryAdmissionTest : public ::testing::Test {
 protected:
  // A recording rule whose query counts its calls; the group is due at kStart + 30s.
  std::unique_ptr<RuleManager> Manager(QueryAdmission admission) {
    const std::string rules = ::testing::TempDir() + "tm-admission-" +
                              std::to_string(::getpid()) + "-" + std::to_string(++files_) + ".yml";
    std::ofstream(rules) << "groups:\n- name: g\n  interval: 30s\n  rules:\n"
                            "  - record: job:up:sum\n    expr: up\n";
    RuleManager::Options o;
    o.rule_files = {rules};
    QueryFn q = [this](std::string_view, Timestamp t) -> Result<query::QueryValue> {
      calls_.fetch_add(1);
      query::QueryValue v;
      v.kind = query::ValueKind::kVector;
      v.vector.push_back({Labels({{"job", "a"}}), t, 1});
      return v;
    };
    auto m = std::make_unique<RuleManager>(q, *store_, clock_, o, admission);
    EXPECT_OK(m->Reload());
    clock_.Set(kStart + 30'000);
    return m;
  }

  const RuleSnapshot& Rule(const std::vector<GroupSnapshot>& groups) {
    EXPECT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].rules.size(), 1u);
    return groups[0].rules[0];
  }

  FakeClock clock_{kStart};
  std::unique_ptr<Storage> store_ = NewMemStorage();
  std::atomic<int> calls_{0};
  static inline std::atomic<int> files_{0};
  query::CancelToken none_;
};

TEST_F(QueryAdmissionTest, EvaluationWaitsForASlotAndAFullApiQueueDoesNotRefuseIt) {
  query::QueryGate gate(1, 0);  // one slot, and no API query may wait
  auto m = Manager({.gate = &gate});
  ASSERT_OK(gate.Enter(none_));  // an API query holds the only slot
  std::thread eval([&] { m->RunDue(); });
  ASSERT_TRUE(WaitUntil([&] { return gate.waiting() == 1; }));
  EXPECT_EQ(calls_.load(), 0);  // waiting, not evaluating
  EXPECT_EQ(gate.Enter(none_).code(), StatusCode::kUnavailable);  // an API query is refused
  gate.Leave();
  eval.join();
  EXPECT_EQ(calls_.load(), 1);
  auto groups = m->Groups();
  EXPECT_EQ(Rule(groups).health, RuleHealth::kOk) << Rule(groups).last_error;
  EXPECT_EQ(gate.running(), 0u);  // the slot was given back
  EXPECT_EQ(gate.waiting(), 0u);
}

TEST_F(QueryAdmissionTest, WaitingLongerThanTheTimeoutFailsTheRule) {
  query::QueryGate gate(1, 4);
  auto m = Manager({.gate = &gate, .max_wait_ms = 1});
  ASSERT_OK(gate.Enter(none_));
  m->RunDue();  // the slot never comes free
  EXPECT_EQ(calls_.load(), 0);
  auto groups = m->Groups();
  EXPECT_EQ(Rule(groups).health, RuleHealth::kErr);
  EXPECT_NE(Rule(groups).last_error.find("query timed out in query queue"), std::string::npos)
      << Rule(groups).last_error;
  EXPECT_EQ(m->Metrics().rule_evaluation_failures_total, 1u);
  EXPECT_EQ(gate.waiting(), 0u);
  gate.Leave();
}

TEST_F(QueryAdmissionTest, StopEndsTheWaitForASlot) {
  query::QueryGate gate(1, 4);
  auto m = Manager({.gate = &gate});
  ASSERT_OK(gate.Enter(none_));
  m->Start();
  ASSERT_TRUE(WaitUntil([&] { return gate.waiting() == 1; }));
  m->Stop();  // returns although the slot is still taken
  EXPECT_EQ(calls_.load(), 0);
  EXPECT_EQ(gate.waiting(), 0u);
  gate.Leave();
}

TEST_F(QueryAdmissionTest, WithoutAGateEvaluationIsNotLimited) {
  query::QueryGate gate(1, 0);
  ASSERT_OK(gate.Enter(none_));  // held, but the manager was not given the gate
  auto m = Manager({});
  m->RunDue();
  EXPECT_EQ(calls_.load(), 1);
  gate.Leave();
}

}  // namespace
}  // namespace tidemark::alerting
