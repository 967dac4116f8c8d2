// promtool-format rule unit tests: every file of testdata/unittest gets the verdict its name
// states (pass_* / fail_*; the integration test checks the same files against promtool), and
// failures are reported the way promtool words them.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "rule_test/go_format.h"
#include "tidemark/alerting/rule_test.h"

namespace tidemark::alerting {
namespace {

const std::filesystem::path kDir =
    std::filesystem::path(TM_SOURCE_DIR) / "tests/alerting/testdata/unittest";

std::string Joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

TEST(RuleTestRunner, EveryFileHasTheVerdictItsNameStates) {
  int files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(kDir)) {
    const std::string name = e.path().filename().string();
    const bool pass = name.starts_with("pass_");
    if (!pass && !name.starts_with("fail_")) continue;
    ++files;
    const RuleTestFileResult r = RunRuleTestFile(e.path().string());
    EXPECT_EQ(r.errors.empty(), pass) << name << ":\n" << Joined(r.errors);
  }
  EXPECT_GE(files, 20);
}

TEST(RuleTestRunner, FailedAlertNamesGroupAlertAndTime) {
  const auto r = RunRuleTestFile((kDir / "fail_alert_pending.yml").string());
  ASSERT_EQ(r.errors.size(), 1u) << Joined(r.errors);
  EXPECT_TRUE(
      r.errors[0].starts_with("    name: still pending,\n    alertname: InstanceDown, "
                              "time: 4m, \n        exp:[\n            0:\n"))
      << r.errors[0];
  EXPECT_NE(r.errors[0].find("Labels:{alertname=\"InstanceDown\", instance=\"i\", job=\"j\", "
                             "severity=\"page\"}"),
            std::string::npos)
      << r.errors[0];
  EXPECT_TRUE(r.errors[0].ends_with("got:[]")) << r.errors[0];
}

TEST(RuleTestRunner, EachFailedExpressionIsOneError) {
  const auto r = RunRuleTestFile((kDir / "fail_promql_value.yml").string());
  ASSERT_EQ(r.errors.size(), 3u) << Joined(r.errors);
  EXPECT_EQ(r.errors[0],
            "    expr: \"m\", time: 1m,\n        exp: {__name__=\"m\", a=\"1\"} 2E+00, "
            "{__name__=\"m\", a=\"2\"} 6E+00\n        got: {__name__=\"m\", a=\"1\"} 2E+00, "
            "{__name__=\"m\", a=\"2\"} 5E+00");
  EXPECT_EQ(r.errors[1],
            "    expr: \"m{a=\\\"1\\\"}\", time: 2m,\n        exp: nil\n        got: "
            "{__name__=\"m\", a=\"1\"} 3E+00");
}

TEST(RuleTestRunner, RuleEvaluationErrorStopsTheGroup) {
  const auto r = RunRuleTestFile((kDir / "fail_rule_eval_error.yml").string());
  ASSERT_EQ(r.errors.size(), 1u) << Joined(r.errors);
  EXPECT_TRUE(r.errors[0].starts_with("    rule: broken, time: 0s, err: ")) << r.errors[0];
}

TEST(RuleTestRunner, UnmatchedRuleFilePatternWarns) {
  const auto r = RunRuleTestFile((kDir / "pass_missing_rule_file.yml").string());
  EXPECT_TRUE(r.errors.empty()) << Joined(r.errors);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("no file match pattern"), std::string::npos);
}

TEST(RuleTestRunner, MissingFileFails) {
  const auto r = RunRuleTestFile((kDir / "no_such_file.yml").string());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("no such file"), std::string::npos);
}

TEST(RuleTestGoFormat, DurationsAsGoPrintsThem) {
  EXPECT_EQ(ruletest::GoDuration(0), "0s");
  EXPECT_EQ(ruletest::GoDuration(500), "500ms");
  EXPECT_EQ(ruletest::GoDuration(90'500), "1m30.5s");
  EXPECT_EQ(ruletest::GoDuration(60'000), "1m0s");
  EXPECT_EQ(ruletest::GoDuration(7'260'000), "2h1m0s");
  EXPECT_EQ(ruletest::GoDuration(-1'250), "-1.25s");
}

TEST(RuleTestGoFormat, IndentLinesLeavesTheFirstLine) {
  EXPECT_EQ(ruletest::IndentLines("a\nb\n", "  "), "a\n  b\n  ");
  EXPECT_EQ(ruletest::IndentLines("\nx", ">"), "\n>x");
  EXPECT_EQ(ruletest::IndentLines("one", ">"), "one");
}

}  // namespace
}  // namespace tidemark::alerting
