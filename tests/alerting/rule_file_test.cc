// Rule-file parsing and promtool-equivalent validation.
#include <gtest/gtest.h>

#include <filesystem>

#include "tidemark/alerting/rule_file.h"

namespace tidemark::alerting {
namespace {

struct Case {
  const char* name;
  const char* yaml;
  const char* error;  // substring of the first error; nullptr = valid
};

const Case kCases[] = {
    {"empty", "", nullptr},
    {"basic",
     "groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: up\n  - alert: A\n    expr: up == 0\n"
     "    for: 5m\n    labels: {severity: page}\n    annotations: {summary: '{{ $labels.x }}'}\n",
     nullptr},
    {"query_offset", "groups:\n- name: g\n  query_offset: 1m\n  rules: []\n", nullptr},
    {"both", "groups:\n- name: g\n  rules:\n  - record: a\n    alert: A\n    expr: up\n",
     "only one of 'record' and 'alert' must be set"},
    {"neither", "groups:\n- name: g\n  rules:\n  - expr: up\n", "one of 'record' or 'alert' must be set"},
    {"no_expr", "groups:\n- name: g\n  rules:\n  - alert: A\n", "field 'expr' must be set in rule"},
    {"bad_expr", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: 'sum('\n",
     "could not parse expression"},
    {"dup_group", "groups:\n- name: g\n  rules: []\n- name: g\n  rules: []\n",
     "groupname: \"g\" is repeated in the same file"},
    {"empty_name", "groups:\n- rules: []\n", "Groupname must not be empty"},
    {"bad_record", "groups:\n- name: g\n  rules:\n  - record: 'a-b'\n    expr: up\n",
     "invalid recording rule name: a-b"},
    {"unknown_rule_key", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    sev: x\n",
     "field sev not found in type rulefmt.Rule"},
    {"unknown_group_key", "groups:\n- name: g\n  foo: 1\n", "field foo not found"},
    {"bad_label", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    labels: {'a-b': x}\n",
     "invalid label name: a-b"},
    {"bad_annotation",
     "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    annotations: {'a b': x}\n",
     "invalid annotation name: a b"},
    {"bad_for", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    for: 5x\n",
     "not a valid duration string: \"5x\""},
    {"for_on_record", "groups:\n- name: g\n  rules:\n  - record: a\n    expr: up\n    for: 1m\n",
     "invalid field 'for' in recording rule"},
    {"keep_on_record",
     "groups:\n- name: g\n  rules:\n  - record: a\n    expr: up\n    keep_firing_for: 1m\n",
     "invalid field 'keep_firing_for' in recording rule"},
    {"ann_on_record",
     "groups:\n- name: g\n  rules:\n  - record: a\n    expr: up\n    annotations: {a: b}\n",
     "invalid field 'annotations' in recording rule"},
    {"bad_template",
     "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    annotations: {s: '{{ .x '}\n",
     "annotation \"s\": template: __alert_A:1: unclosed action"},
    {"unknown_func",
     "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    labels: {s: '{{ nope }}'}\n",
     "function \"nope\" not defined"},
    {"yaml_syntax", "groups: [\n", "yaml:"},
    {"dup_key", "groups:\n- name: g\n  name: h\n", "mapping key \"name\" already defined"},
    {"name_label",
     "groups:\n- name: g\n  rules:\n  - record: a\n    expr: up\n    labels: {__name__: b}\n",
     "invalid label name: __name__"},
};

TEST(RuleFileTest, ValidationTable) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    RuleFileSpec f = ParseRuleFile(c.yaml, "f.yml");
    if (c.error == nullptr) {
      EXPECT_TRUE(f.errors.empty()) << (f.errors.empty() ? "" : f.errors[0]);
    } else {
      ASSERT_FALSE(f.errors.empty());
      EXPECT_NE(f.errors[0].find(c.error), std::string::npos) << f.errors[0];
      EXPECT_EQ(f.errors[0].rfind("f.yml: ", 0), 0u) << f.errors[0];
    }
  }
}

TEST(RuleFileTest, ErrorsCarryLineAndColumn) {
  RuleFileSpec f = ParseRuleFile(
      "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: 'sum('\n", "x.yml");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].rfind("x.yml: 5:11: group \"g\", rule 1, \"A\": could not parse", 0), 0u)
      << f.errors[0];
}

TEST(RuleFileTest, ParsesAllFields) {
  RuleFileSpec f = ParseRuleFile(
      "groups:\n- name: g\n  interval: 30s\n  limit: 7\n  query_offset: 1m\n  rules:\n"
      "  - alert: A\n    expr: up == 0\n    for: 1h30m\n    keep_firing_for: 90s\n"
      "    labels: {severity: page, team: x}\n    annotations: {summary: s}\n"
      "  - record: r:x\n    expr: sum(up)\n",
      "f.yml");
  ASSERT_TRUE(f.errors.empty()) << f.errors[0];
  ASSERT_EQ(f.groups.size(), 1u);
  const GroupSpec& g = f.groups[0];
  EXPECT_EQ(g.name, "g");
  EXPECT_EQ(g.interval_ms, 30'000);
  EXPECT_EQ(g.limit, 7);
  EXPECT_EQ(g.query_offset_ms, 60'000);
  ASSERT_EQ(g.rules.size(), 2u);
  EXPECT_EQ(g.rules[0].type, RuleType::kAlerting);
  EXPECT_EQ(g.rules[0].name, "A");
  EXPECT_EQ(g.rules[0].for_ms, 5'400'000);
  EXPECT_EQ(g.rules[0].keep_firing_for_ms, 90'000);
  EXPECT_EQ(g.rules[0].labels.size(), 2u);
  EXPECT_EQ(g.rules[0].line, 7);
  EXPECT_EQ(g.rules[1].type, RuleType::kRecording);
  EXPECT_EQ(f.NumRules(), 2u);
}

TEST(RuleFileTest, Durations) {
  EXPECT_EQ(*ParsePromDuration("0"), 0);
  EXPECT_EQ(*ParsePromDuration("1y2w3d4h5m6s7ms"),
            365LL * 86400000 + 14LL * 86400000 + 3LL * 86400000 + 4 * 3600000 + 5 * 60000 + 6007);
  EXPECT_FALSE(ParsePromDuration("1m1h").ok());  // units out of order
  EXPECT_FALSE(ParsePromDuration("").ok());
  EXPECT_FALSE(ParsePromDuration("1.5m").ok());
}

// Every file in testdata/rules/valid parses; every file in testdata/rules/invalid fails. The
// integration test check_rules_test.py proves promtool agrees on the same files.
TEST(RuleFileTest, TestdataVerdicts) {
  const std::filesystem::path root = std::filesystem::path(TM_SOURCE_DIR) / "tests/alerting/testdata/rules";
  int valid = 0, invalid = 0;
  for (const char* kind : {"valid", "invalid"}) {
    for (const auto& e : std::filesystem::directory_iterator(root / kind)) {
      SCOPED_TRACE(e.path().string());
      RuleFileSpec f = LoadRuleFile(e.path().string());
      if (std::string(kind) == "valid") {
        EXPECT_TRUE(f.errors.empty()) << (f.errors.empty() ? "" : f.errors[0]);
        ++valid;
      } else {
        EXPECT_FALSE(f.errors.empty());
        ++invalid;
      }
    }
  }
  EXPECT_GE(valid, 5);
  EXPECT_GE(invalid, 15);
}

TEST(RuleFileTest, DocsExampleIsValid) {
  const std::filesystem::path p =
      std::filesystem::path(TM_SOURCE_DIR) / "docs/examples/workflow-service/rules.yml";
  RuleFileSpec f = LoadRuleFile(p.string());
  ASSERT_TRUE(f.errors.empty()) << f.errors[0];
  EXPECT_GE(f.NumRules(), 5u);
}

}  // namespace
}  // namespace tidemark::alerting
