// SLO files inside the RuleManager: loading as rule groups, reload failures naming the file, the
// histogram bucket check at load, and RuleManager::Slos() on young data (real store and engine).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "support/status_matchers.h"
#include "tidemark/alerting/manager.h"
#include "tidemark/alerting/slo_status.h"
#include "tidemark/storage/storage.h"

namespace tidemark::alerting {
namespace {

constexpr int64_t kMin = 60'000;
constexpr Timestamp kStart = 1'800'000'000'000;

std::filesystem::path TempDir() {
  static std::atomic<int> n{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("tm-slo-run-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  std::filesystem::create_directories(dir);
  return dir;
}

std::string Write(const std::filesystem::path& path, const std::string& body) {
  std::ofstream(path) << body;
  return path.string();
}

std::string EventsSlo(double objective) {
  return "version: prometheus/v1\nservice: checkout\nslos:\n"
         "  - name: requests\n    objective: " + std::to_string(objective) +
         "\n    description: checkout requests succeed\n    sli:\n      events:\n"
         "        error_query: sum(rate(http_requests_total{code=\"500\"}[{{.window}}]))\n"
         "        total_query: sum(rate(http_requests_total[{{.window}}]))\n"
         "    alerting:\n      name: CheckoutBudgetBurn\n      ticket_alert: {disable: true}\n";
}

std::string HistogramSlo(const std::string& threshold) {
  return "version: prometheus/v1\nservice: api\nslos:\n"
         "  - name: latency\n    objective: 99\n    sli:\n      histogram:\n"
         "        metric: http_request_duration_seconds\n        threshold_seconds: " + threshold +
         "\n    alerting:\n      name: ApiLatency\n";
}

struct Env {
  FakeClock clock{kStart};
  std::unique_ptr<Storage> store = NewMemStorage();
  query::Engine engine{*store, query::EngineOptions{}};
  std::unique_ptr<RuleManager> manager;

  void Start(RuleManager::Options o) {
    manager = std::make_unique<RuleManager>(EngineQueryFn(engine), *store, clock, std::move(o));
  }
};

TEST(SloRunTest, GeneratedGroupsLoadWithRulesAndInvalidFileFailsReloadNamingIt) {
  auto dir = TempDir();
  const std::string rules = Write(dir / "rules.yml", "groups:\n- name: g\n  rules:\n"
                                                    "  - record: x\n    expr: vector(1)\n");
  const std::string slos = Write(dir / "slos.yml", EventsSlo(99.9));
  Env env;
  RuleManager::Options o;
  o.rule_files = {rules};
  o.slo_files = {(dir / "slo*.yml").string()};  // globs, as rule_files
  env.Start(o);
  ASSERT_OK(env.manager->Reload());
  std::vector<std::string> names;
  for (const auto& g : env.manager->Groups()) {
    names.push_back(g.name);
    EXPECT_EQ(g.file, g.name == "g" ? rules : slos);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"g", "sloth-slo-sli-recordings-checkout-requests",
                                             "sloth-slo-meta-recordings-checkout-requests",
                                             "sloth-slo-alerts-checkout-requests"}));
  // The ticket alert is disabled: only the page alert is generated.
  const auto alerts = env.manager->Groups()[3];
  ASSERT_EQ(alerts.rules.size(), 1u);
  EXPECT_EQ(alerts.rules[0].name, "CheckoutBudgetBurn");
  EXPECT_EQ(alerts.rules[0].labels.Get("sloth_severity"), "page");

  Write(slos, EventsSlo(101));
  Status s = env.manager->Reload();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(slos), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("objective"), std::string::npos) << s.message();
  EXPECT_EQ(env.manager->Groups().size(), 4u);  // the old rules stay
  ASSERT_EQ(env.manager->Slos().size(), 1u);
  EXPECT_EQ(env.manager->Slos()[0].objective, 99.9);

  // The same SLO id in two files would write the same series twice.
  Write(slos, EventsSlo(99.9));
  const std::string twin = Write(dir / "slo-twin.yml", EventsSlo(99));
  s = env.manager->Reload();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("checkout-requests"), std::string::npos) << s.message();
  std::filesystem::remove(twin);
  ASSERT_OK(env.manager->Reload());
}

void WriteHistogram(Storage& store, Timestamp t) {
  auto app = store.NewAppender();
  for (const char* le : {"0.1", "0.5", "+Inf"}) {
    Labels l({{"__name__", "http_request_duration_seconds_bucket"}, {"le", le}});
    ASSERT_OK(app->Append(0, l, SampleIn{0, t, 1}).status());
  }
  ASSERT_OK(app->Commit());
}

TEST(SloRunTest, HistogramThresholdBucketCheckedAtLoad) {
  auto dir = TempDir();
  const std::string path = Write(dir / "latency.yml", HistogramSlo("0.25"));
  // No data yet: accepted, and the status says the buckets were not checked.
  {
    Env env;
    RuleManager::Options o;
    o.slo_files = {path};
    o.slo_bucket_source = env.store.get();
    env.Start(o);
    ASSERT_OK(env.manager->Reload());
    auto slos = env.manager->Slos();
    ASSERT_EQ(slos.size(), 1u);
    ASSERT_EQ(slos[0].warnings.size(), 1u);
    EXPECT_NE(slos[0].warnings[0].find("no data yet"), std::string::npos);
  }
  Env env;
  WriteHistogram(*env.store, kStart - kMin);
  RuleManager::Options o;
  o.slo_files = {path};
  o.slo_bucket_source = env.store.get();
  env.Start(o);
  Status s = env.manager->Reload();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("0.1, 0.5, +Inf"), std::string::npos) << s.message();
  EXPECT_TRUE(env.manager->Groups().empty());

  Write(path, HistogramSlo("0.5"));
  ASSERT_OK(env.manager->Reload());
  EXPECT_EQ(env.manager->Groups().size(), 3u);
  EXPECT_TRUE(env.manager->Slos()[0].warnings.empty());
}

// Two hours of traffic at `error_ratio`, rules evaluated every minute, then Slos().
SloStatus YoungSlo(double objective, double error_ratio) {
  Env env;
  RuleManager::Options o;
  o.slo_files = {Write(TempDir() / "slos.yml", EventsSlo(objective))};
  env.Start(o);
  EXPECT_OK(env.manager->Reload());
  // Nothing recorded yet: every value is unknown.
  SloStatus before = env.manager->Slos().at(0);
  EXPECT_FALSE(before.error_ratio.has_value());
  EXPECT_FALSE(before.coverage_since.has_value());
  EXPECT_FALSE(before.burn_rates.at(0).second.has_value());

  const Labels ok({{"__name__", "http_requests_total"}, {"code", "200"}});
  const Labels err({{"__name__", "http_requests_total"}, {"code", "500"}});
  double ok_n = 1000, err_n = 10;
  for (Timestamp t = kStart; t <= kStart + 120 * kMin; t += kMin) {
    ok_n += 600 * (1 - error_ratio);
    err_n += 600 * error_ratio;
    auto app = env.store->NewAppender();
    EXPECT_OK(app->Append(0, ok, SampleIn{0, t, ok_n}).status());
    EXPECT_OK(app->Append(0, err, SampleIn{0, t, err_n}).status());
    EXPECT_OK(app->Commit());
    env.clock.Set(t);
    env.manager->RunDue();
  }
  return env.manager->Slos().at(0);
}

TEST(SloRunTest, YoungDataCoverageAndBudgetOverTheCoveredHours) {
  for (double error_ratio : {0.01, 0.005}) {
    SCOPED_TRACE(error_ratio);
    SloStatus s = YoungSlo(99, error_ratio);
    EXPECT_EQ(s.id, "checkout-requests");
    EXPECT_EQ(s.description, "checkout requests succeed");
    EXPECT_DOUBLE_EQ(s.objective_ratio, 0.99);
    EXPECT_DOUBLE_EQ(s.period_days, 30);
    EXPECT_NEAR(s.budget_total_minutes, 0.01 * 30 * 24 * 60, 1e-9);
    ASSERT_TRUE(s.coverage_since.has_value());
    // The first SLI sample: the first evaluation with two counter samples in the 5m window.
    EXPECT_GE(*s.coverage_since, kStart);
    EXPECT_LE(*s.coverage_since, kStart + 3 * kMin);
    EXPECT_NEAR(s.coverage_seconds, 7200, 180);
    EXPECT_NEAR(s.coverage_ratio, 7200.0 / (30 * 86400), 180.0 / (30 * 86400));
    EXPECT_FALSE(s.coverage_complete);
    // The period's ratio is the two hours' ratio, so the budget is spent at the same pace.
    ASSERT_TRUE(s.error_ratio.has_value());
    EXPECT_NEAR(*s.error_ratio, error_ratio, error_ratio * 0.02);
    ASSERT_TRUE(s.budget_remaining_ratio.has_value());
    EXPECT_NEAR(*s.budget_remaining_ratio, 1 - error_ratio / 0.01, 0.03);
    EXPECT_NEAR(*s.budget_remaining_minutes, *s.budget_remaining_ratio * s.budget_total_minutes,
                1e-6);
    ASSERT_EQ(s.burn_rates.size(), 8u);
    EXPECT_EQ(s.burn_rates.front().first, "5m");
    EXPECT_EQ(s.burn_rates.back().first, "30d");
    for (const auto& [window, burn] : s.burn_rates) {
      SCOPED_TRACE(window);
      ASSERT_TRUE(burn.has_value());  // windows longer than the data see all of it
      EXPECT_NEAR(*burn, error_ratio / 0.01, 0.03);
    }
    EXPECT_EQ(s.page.name, "CheckoutBudgetBurn");
    ASSERT_TRUE(s.page.state.has_value());
    EXPECT_EQ(*s.page.state, AlertState::kInactive);  // burn <= 1 never pages
    EXPECT_FALSE(s.ticket.state.has_value());        // disabled in the spec
  }
}

}  // namespace
}  // namespace tidemark::alerting
