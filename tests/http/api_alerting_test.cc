// /api/v1/rules, /api/v1/alerts and /api/v1/slos rendered from rule snapshots: exact JSON,
// filters, and a real RuleManager behind the same interface.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "http_test_util.h"
#include "tidemark/alerting/manager.h"
#include "tidemark/alerting/slo_status.h"
#include "tidemark/http/format.h"
#include "tidemark/storage/storage.h"

namespace tidemark::http {
namespace {

using testing::Get;

// Serves fixed snapshots.
class FixedRules : public alerting::RulesReader {
 public:
  std::vector<alerting::GroupSnapshot> Groups() const override { return groups; }
  std::vector<alerting::AlertSnapshot> ActiveAlerts() const override { return alerts; }
  std::vector<alerting::SloStatus> Slos() const override { return slos; }

  std::vector<alerting::GroupSnapshot> groups;
  std::vector<alerting::AlertSnapshot> alerts;
  std::vector<alerting::SloStatus> slos;
};

constexpr Timestamp kT0 = 1700000000000;  // 2023-11-14T22:13:20Z

alerting::AlertSnapshot Firing() {
  alerting::AlertSnapshot a;
  a.labels = Labels{{"alertname", "HighLatency"}, {"severity", "page"}};
  a.annotations = Labels{{"summary", "high"}};
  a.state = alerting::AlertState::kFiring;
  a.active_at = kT0;
  a.fired_at = kT0 + 60'000;
  a.value = 1.5;
  return a;
}

alerting::AlertSnapshot HeldPending() {
  alerting::AlertSnapshot a;
  a.labels = Labels{{"alertname", "Small"}};
  a.state = alerting::AlertState::kPending;
  a.active_at = kT0 + 250;
  a.keep_firing_since = kT0 + 1000;
  a.value = 1e-7;
  return a;
}

// g1 (/r/a.yml): a firing alerting rule and a failing recording rule; g2 (/r/b.yml): a
// recording rule never evaluated.
FixedRules TwoGroups() {
  FixedRules f;
  alerting::RuleSnapshot alert;
  alert.type = alerting::RuleType::kAlerting;
  alert.name = "HighLatency";
  alert.query = "latency > 1";
  alert.for_ms = 300'000;
  alert.labels = Labels{{"severity", "page"}};
  alert.annotations = Labels{{"summary", "<b>"}};
  alert.health = alerting::RuleHealth::kOk;
  alert.evaluation_time_s = 0.001;
  alert.last_evaluation = kT0 + 250;
  alert.state = alerting::AlertState::kFiring;
  alert.alerts = {Firing()};
  alerting::RuleSnapshot rec;
  rec.type = alerting::RuleType::kRecording;
  rec.name = "job:up:sum";
  rec.query = "sum by (job) (up)";
  rec.health = alerting::RuleHealth::kErr;
  rec.last_error = "boom";
  alerting::GroupSnapshot g1;
  g1.name = "g1";
  g1.file = "/r/a.yml";
  g1.interval_ms = 15'000;
  g1.evaluation_time_s = 0.5;
  g1.last_evaluation = kT0 + 250;
  g1.rules = {alert, rec};
  alerting::RuleSnapshot r2;
  r2.type = alerting::RuleType::kRecording;
  r2.name = "r2";
  r2.query = "vector(1)";
  r2.labels = Labels{{"a", "b"}};
  alerting::GroupSnapshot g2;
  g2.name = "g2";
  g2.file = "/r/b.yml";
  g2.interval_ms = 60'000;
  g2.limit = 3;
  g2.rules = {r2};
  f.groups = {g1, g2};
  f.alerts = {Firing(), HeldPending()};
  return f;
}

const std::string kFiringJson =
    "{\"labels\":{\"alertname\":\"HighLatency\",\"severity\":\"page\"},"
    "\"annotations\":{\"summary\":\"high\"},\"state\":\"firing\","
    "\"activeAt\":\"2023-11-14T22:13:20Z\",\"value\":\"1.5e+00\"}";
const std::string kAlertRuleJson =
    "{\"state\":\"firing\",\"name\":\"HighLatency\",\"query\":\"latency \\u003e 1\","
    "\"duration\":300,\"keepFiringFor\":0,\"labels\":{\"severity\":\"page\"},"
    "\"annotations\":{\"summary\":\"\\u003cb\\u003e\"},\"alerts\":[" +
    kFiringJson +
    "],"
    "\"health\":\"ok\",\"evaluationTime\":0.001,"
    "\"lastEvaluation\":\"2023-11-14T22:13:20.25Z\",\"type\":\"alerting\"}";
const std::string kRecRuleJson =
    "{\"name\":\"job:up:sum\",\"query\":\"sum by (job) (up)\",\"health\":\"err\","
    "\"lastError\":\"boom\",\"evaluationTime\":0,"
    "\"lastEvaluation\":\"0001-01-01T00:00:00Z\",\"type\":\"recording\"}";

std::string G1(const std::string& rules) {
  return "{\"name\":\"g1\",\"file\":\"/r/a.yml\",\"rules\":[" + rules +
         "],\"interval\":15,\"limit\":0,\"evaluationTime\":0.5,"
         "\"lastEvaluation\":\"2023-11-14T22:13:20.25Z\"}";
}

const std::string kG2Json =
    "{\"name\":\"g2\",\"file\":\"/r/b.yml\",\"rules\":[{\"name\":\"r2\","
    "\"query\":\"vector(1)\",\"labels\":{\"a\":\"b\"},\"health\":\"unknown\","
    "\"evaluationTime\":0,\"lastEvaluation\":\"0001-01-01T00:00:00Z\","
    "\"type\":\"recording\"}],\"interval\":60,\"limit\":3,\"evaluationTime\":0,"
    "\"lastEvaluation\":\"0001-01-01T00:00:00Z\"}";

std::string RulesAnswer(const std::string& groups) {
  return "{\"status\":\"success\",\"data\":{\"groups\":[" + groups + "]}}";
}

class ApiRulesTest : public ::testing::Test {
 protected:
  std::unique_ptr<Storage> storage_ = NewMemStorage();
  FixedRules rules_ = TwoGroups();
  ApiBackends Backends() {
    ApiBackends b;
    b.storage = storage_.get();
    b.rules = &rules_;
    return b;
  }
};

TEST_F(ApiRulesTest, RulesJsonShape) {
  testing::TestServer s(Backends());
  EXPECT_EQ(Get(s.port(), "/api/v1/rules").body,
            RulesAnswer(G1(kAlertRuleJson + "," + kRecRuleJson) + "," + kG2Json));
}

TEST_F(ApiRulesTest, RulesFilters) {
  testing::TestServer s(Backends());
  EXPECT_EQ(Get(s.port(), "/api/v1/rules?type=record").body,
            RulesAnswer(G1(kRecRuleJson) + "," + kG2Json));
  EXPECT_EQ(Get(s.port(), "/api/v1/rules?type=alert").body, RulesAnswer(G1(kAlertRuleJson)));
  EXPECT_EQ(Get(s.port(), "/api/v1/rules?rule_name[]=r2&rule_name[]=job:up:sum").body,
            RulesAnswer(G1(kRecRuleJson) + "," + kG2Json));
  EXPECT_EQ(Get(s.port(), "/api/v1/rules?group_name[]=g2").body, RulesAnswer(kG2Json));
  EXPECT_EQ(Get(s.port(), "/api/v1/rules?file[]=/r/a.yml").body,
            RulesAnswer(G1(kAlertRuleJson + "," + kRecRuleJson)));
  EXPECT_EQ(Get(s.port(), "/api/v1/rules?group_name[]=g1&file[]=/r/b.yml").body, RulesAnswer(""));
  EXPECT_EQ(Get(s.port(), "/api/v1/rules?type=alert&group_name[]=g2").body, RulesAnswer(""));
  auto bad = Get(s.port(), "/api/v1/rules?type=bogus");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, ErrorJson("bad_data", "invalid query parameter type='bogus'"));
}

TEST_F(ApiRulesTest, AlertsJsonShape) {
  testing::TestServer s(Backends());
  EXPECT_EQ(Get(s.port(), "/api/v1/alerts").body,
            "{\"status\":\"success\",\"data\":{\"alerts\":[" + kFiringJson +
                ",{\"labels\":{\"alertname\":\"Small\"},\"annotations\":{},"
                "\"state\":\"pending\",\"activeAt\":\"2023-11-14T22:13:20.25Z\","
                "\"keepFiringSince\":\"2023-11-14T22:13:21Z\",\"value\":\"1e-07\"}]}}");
}

TEST_F(ApiRulesTest, NoRulesServesEmptyLists) {
  ApiBackends b = Backends();
  b.rules = nullptr;
  testing::TestServer s(b);
  EXPECT_EQ(Get(s.port(), "/api/v1/rules?type=alert").body, RulesAnswer(""));
  EXPECT_EQ(Get(s.port(), "/api/v1/alerts").body,
            "{\"status\":\"success\",\"data\":{\"alerts\":[]}}");
  EXPECT_EQ(Get(s.port(), "/api/v1/rules?type=x").status, 400);
}

// The manager itself behind the interface: one group loaded from a file, listed before any
// evaluation.
TEST(ApiRuleManagerTest, ServesLoadedGroups) {
  std::unique_ptr<Storage> storage = NewMemStorage();
  const std::string dir = ::testing::TempDir() + "api_rule_manager_test";
  std::filesystem::create_directories(dir);
  const std::string file = dir + "/rules.yml";
  {
    std::ofstream out(file);
    out << "groups:\n  - name: demo\n    interval: 30s\n    rules:\n"
           "      - record: one\n        expr: vector(1)\n";
  }
  alerting::FakeClock clock(kT0);
  alerting::RuleManager::Options o;
  o.rule_files = {file};
  alerting::RuleManager manager(
      [](std::string_view, Timestamp) -> Result<query::QueryValue> {
        return Status::Internal("not evaluated in this test");
      },
      *storage, clock, o);
  ASSERT_TRUE(manager.Reload().ok());
  ApiBackends b;
  b.storage = storage.get();
  b.rules = &manager;
  testing::TestServer s(b);
  EXPECT_EQ(Get(s.port(), "/api/v1/rules").body,
            RulesAnswer("{\"name\":\"demo\",\"file\":\"" + file +
                        "\",\"rules\":[{\"name\":\"one\",\"query\":\"vector(1)\","
                        "\"health\":\"unknown\",\"evaluationTime\":0,"
                        "\"lastEvaluation\":\"0001-01-01T00:00:00Z\",\"type\":\"recording\"}],"
                        "\"interval\":30,\"limit\":0,\"evaluationTime\":0,"
                        "\"lastEvaluation\":\"0001-01-01T00:00:00Z\"}"));
  EXPECT_EQ(Get(s.port(), "/api/v1/alerts").body,
            "{\"status\":\"success\",\"data\":{\"alerts\":[]}}");
  EXPECT_EQ(Get(s.port(), "/api/v1/slos").body, "{\"status\":\"success\",\"data\":{\"slos\":[]}}");
}

TEST(ApiSlosTest, JsonShapeNullsAndWarnings) {
  std::unique_ptr<Storage> storage = NewMemStorage();
  ApiBackends b;
  b.storage = storage.get();
  testing::TestServer none(b);
  EXPECT_EQ(testing::Get(none.port(), "/api/v1/slos").body,
            "{\"status\":\"success\",\"data\":{\"slos\":[]}}");

  alerting::SloStatus full;
  full.id = "workflow-hub-workflow-success";
  full.service = "workflow-hub";
  full.name = "workflow-success";
  full.description = "Workflows \"succeed\"";
  full.file = "/etc/tidemark/slos.yml";
  full.objective = 95;
  full.objective_ratio = 0.95;
  full.period_days = 30;
  full.error_ratio = 0.03125;
  full.budget_total_ratio = 0.0625;
  full.budget_total_minutes = 2160;
  full.budget_remaining_ratio = 0.5;
  full.budget_remaining_minutes = 1080;
  full.burn_rates = {{"5m", 1.25}, {"1h", 0.5}, {"30d", std::nullopt}};
  full.page = {"WorkflowSuccessBudgetBurn", alerting::AlertState::kFiring};
  full.ticket = {"WorkflowSuccessBudgetBurn", alerting::AlertState::kInactive};
  full.coverage_since = 1'796'544'000'000;  // 2026-12-06T08:00:00Z
  full.coverage_seconds = 7200;
  full.coverage_ratio = 0.25;
  alerting::SloStatus empty;
  empty.id = "a-b";
  empty.service = "a";
  empty.name = "b";
  empty.objective = 99.5;
  empty.objective_ratio = 0.995;
  empty.period_days = 30;
  empty.burn_rates = {{"5m", std::nullopt}};
  empty.page = {"X", alerting::AlertState::kPending};
  empty.ticket = {"X", std::nullopt};
  empty.warnings = {"SLO \"a-b\": no data yet"};
  FixedRules rules;
  rules.slos = {full, empty};
  b.rules = &rules;
  testing::TestServer s(b);
  const std::string want =
      "{\"status\":\"success\",\"data\":{\"slos\":[{"
      "\"id\":\"workflow-hub-workflow-success\",\"service\":\"workflow-hub\","
      "\"name\":\"workflow-success\",\"description\":\"Workflows \\\"succeed\\\"\","
      "\"file\":\"/etc/tidemark/slos.yml\",\"objective\":95,\"objectiveRatio\":0.95,"
      "\"periodDays\":30,\"sli\":{\"errorRatio\":0.03125,\"successRatio\":0.96875},"
      "\"errorBudget\":{\"totalRatio\":0.0625,\"remainingRatio\":0.5,\"totalMinutes\":2160,"
      "\"remainingMinutes\":1080},\"burnRates\":{\"5m\":1.25,\"1h\":0.5,\"30d\":null},"
      "\"alerts\":{\"page\":{\"name\":\"WorkflowSuccessBudgetBurn\",\"state\":\"firing\"},"
      "\"ticket\":{\"name\":\"WorkflowSuccessBudgetBurn\",\"state\":\"inactive\"}},"
      "\"coverage\":{\"since\":\"2026-12-06T08:00:00Z\",\"seconds\":7200,\"ratio\":0.25,"
      "\"complete\":false}},{"
      "\"id\":\"a-b\",\"service\":\"a\",\"name\":\"b\",\"description\":\"\",\"file\":\"\","
      "\"objective\":99.5,\"objectiveRatio\":0.995,\"periodDays\":30,"
      "\"sli\":{\"errorRatio\":null,\"successRatio\":null},"
      "\"errorBudget\":{\"totalRatio\":0,\"remainingRatio\":null,\"totalMinutes\":0,"
      "\"remainingMinutes\":null},\"burnRates\":{\"5m\":null},"
      "\"alerts\":{\"page\":{\"name\":\"X\",\"state\":\"pending\"},\"ticket\":null},"
      "\"coverage\":{\"since\":null,\"seconds\":0,\"ratio\":0,\"complete\":false}}]},"
      "\"warnings\":[\"SLO \\\"a-b\\\": no data yet\"]}";
  EXPECT_EQ(testing::Get(s.port(), "/api/v1/slos").body, want);
  EXPECT_EQ(testing::PostForm(s.port(), "/api/v1/slos", "").body, want);
}

}  // namespace
}  // namespace tidemark::http
