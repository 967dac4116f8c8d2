// The relabel engine against Prometheus' relabel semantics: a table of rule lists and the label
// set each leaves (facts from Prometheus' own expectations plus our edge cases), validation
// errors, and the $-template expansion shared with label_replace.
#include "tidemark/storage/model/relabel.h"

#include <gtest/gtest.h>

#include <map>

#include "tidemark/storage/model/regexp_expand.h"

namespace tidemark::relabel {
namespace {

struct Rule {
  Rule(Action a, std::vector<std::string> src, std::string re = "(.*)", std::string tgt = "",
       std::string repl = "$1", uint64_t mod = 0, std::string sep = ";")
      : action(a), sources(std::move(src)), regex(std::move(re)), target(std::move(tgt)),
        replacement(std::move(repl)), modulus(mod), separator(std::move(sep)) {}
  Action action;
  std::vector<std::string> sources;
  std::string regex;
  std::string target;
  std::string replacement;
  uint64_t modulus;
  std::string separator;
};

Config ToConfig(const Rule& r) {
  Config c;
  c.action = r.action;
  c.source_labels = r.sources;
  c.regex = r.regex;
  c.target_label = r.target;
  c.replacement = r.replacement;
  c.modulus = r.modulus;
  c.separator = r.separator;
  return c;
}

struct ApplyCase {
  const char* name;
  Labels input;
  std::vector<Rule> rules;
  Labels output;  // ignored when dropped
  bool dropped = false;
};

std::vector<ApplyCase> ApplyCases() {
  using A = Action;
  return {
      {"replace_braced_groups",
       {{"a", "foo"}, {"b", "bar"}, {"c", "baz"}},
       {{A::kReplace, {"a"}, "f(.*)", "d", "ch${1}-ch${1}"}},
       {{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "choo-choo"}}},
      {"replace_joined_sources_then_chained",
       {{"a", "foo"}, {"b", "bar"}, {"c", "baz"}},
       {{A::kReplace, {"a", "b"}, "f(.*);(.*)r", "a", "b${1}${2}m"},
        {A::kReplace, {"c", "a"}, "(b).*b(.*)ba(.*)", "d", "$1$2$2$3"}},
       {{"a", "boobam"}, {"b", "bar"}, {"c", "baz"}, {"d", "boooom"}}},
      {"drop_stops_before_later_rules",
       {{"a", "foo"}},
       {{A::kDrop, {"a"}, ".*o.*"}, {A::kReplace, {"a"}, "f(.*)", "d", "ch$1-ch$1"}},
       {},
       true},
      {"replace_takes_group_from_middle",
       {{"a", "abc"}},
       {{A::kReplace, {"a"}, ".*(b).*", "d"}},
       {{"a", "abc"}, {"d", "b"}}},
      {"drop_regex_is_anchored",
       {{"a", "foo"}},
       {{A::kDrop, {"a"}, "f|o"}},
       {{"a", "foo"}}},
      {"keep_without_match_drops", {{"a", "foo"}}, {{A::kKeep, {"a"}, "no-match"}}, {}, true},
      {"keep_with_match_keeps", {{"a", "foo"}}, {{A::kKeep, {"a"}, "f.*"}}, {{"a", "foo"}}},
      {"keep_absent_source_is_empty_string",
       {{"a", "foo"}},
       {{A::kKeep, {"missing"}, ""}},
       {{"a", "foo"}}},
      {"replace_no_match_leaves_labels",
       {{"a", "boo"}},
       {{A::kReplace, {"a"}, "f", "b", "bar"}},
       {{"a", "boo"}}},
      {"replace_empty_result_deletes_target",
       {{"a", "foo"}, {"f", "baz"}},
       {{A::kReplace, {"a"}, "(f).*", "$1", "$2"}},
       {{"a", "foo"}}},
      {"replace_default_regex_sets_constant",
       {{"a", "foo"}},
       {{A::kReplace, {}, "(.*)", "env", "prod"}},
       {{"a", "foo"}, {"env", "prod"}}},
      {"replace_default_regex_copies_value",
       {{"a", "foo"}},
       {{A::kReplace, {"a"}, "(.*)", "b"}},
       {{"a", "foo"}, {"b", "foo"}}},
      {"replace_expanded_target",
       {{"a", "some-name-value"}},
       {{A::kReplace, {"a"}, "some-([^-]+)-([^,]+)", "${1}", "${2}"}},
       {{"a", "some-name-value"}, {"name", "value"}}},
      {"replace_unknown_group_in_replacement_deletes",
       {{"a", "some-name-value"}},
       {{A::kReplace, {"a"}, "some-([^-]+)-([^,]+)", "${1}", "${3}"}},
       {{"a", "some-name-value"}}},
      {"replace_target_expanding_to_empty_is_skipped",
       {{"a", "some-name-0"}},
       {{A::kReplace, {"a"}, "some-([^-]+)-([^,]+)", "${3}", "${1}"}},
       {{"a", "some-name-0"}}},
      {"replace_utf8_target_and_source",
       {{"utf-8.label", "line1\nline2"}},
       {{A::kReplace, {"utf-8.label"}, "line1.*line2", "utf-8.out${1}", "match${1}"}},
       {{"utf-8.label", "line1\nline2"}, {"utf-8.out", "match"}}},
      {"replace_dot_matches_newline",
       {{"a", "line1\nline2"}},
       {{A::kReplace, {"a"}, "line1.*line2", "d", "match${1}"}},
       {{"a", "line1\nline2"}, {"d", "match"}}},
      {"replace_named_groups",
       {{"a", "line1\nline2"}},
       {{A::kReplace, {"a"}, "(line1).*(?P<second>line2)", "label1_${1}", "val_${second}"},
        {A::kReplace, {"a"}, "(line1).*(?<second>line2)", "label2_$1", "val_$second"}},
       {{"a", "line1\nline2"}, {"label1_line1", "val_line2"}, {"label2_line1", "val_line2"}}},
      {"go_group_name_syntax_not_rewritten_when_escaped_or_in_class",
       {{"a", "(?<x>?)"}},
       {{A::kReplace, {"a"}, "\\(\\?<(?<n>x)>[(?<]\\)", "d", "${n}"}},
       {{"a", "(?<x>?)"}, {"d", "x"}}},
      {"replace_name_runs_to_longest_word",  // "$1x" is group "1x", which does not exist
       {{"a", "foo"}},
       {{A::kReplace, {"a"}, "(f)(o)o", "d", "$1x-${1}x-$$1"}},
       {{"a", "foo"}, {"d", "-fx-$1"}}},
      {"replace_separator",
       {{"a", "x"}, {"b", "y"}},
       {{A::kReplace, {"a", "b"}, "(.*)", "d", "$1", 0, "--"}},
       {{"a", "x"}, {"b", "y"}, {"d", "x--y"}}},
      {"real_life_tags_parsing",
       {{"__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar"}},
       {{A::kReplace, {"__meta_sd_tags"}, "(?:.+,|^)path:(/[^,]+).*", "__metrics_path__", "${1}"},
        {A::kReplace, {"__meta_sd_tags"}, "(?:.+,|^)job:([^,]+).*", "job", "${1}"},
        {A::kReplace, {"__meta_sd_tags"}, "(?:.+,|^)label:([^=]+)=([^,]+).*", "${1}", "${2}"}},
       {{"__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar"},
        {"__metrics_path__", "/secret"},
        {"job", "some-job"},
        {"foo", "bar"}}},
      {"hashmod_prometheus_value",
       {{"a", "foo"}, {"b", "bar"}, {"c", "baz"}},
       {{A::kHashMod, {"c"}, "(.*)", "d", "$1", 1000}},
       {{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "976"}}},
      {"hashmod_newline_value",
       {{"a", "foo\nbar"}},
       {{A::kHashMod, {"a"}, "(.*)", "b", "$1", 1000}},
       {{"a", "foo\nbar"}, {"b", "734"}}},
      {"labelmap_prefix",
       {{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}},
       {{A::kLabelMap, {}, "(b.*)", "", "bar_${1}"}},
       {{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}, {"bar_b1", "bar"}, {"bar_b2", "baz"}}},
      {"labelmap_meta",
       {{"a", "foo"}, {"__meta_my_bar", "aaa"}, {"__meta_my_baz", "bbb"}, {"__meta_other", "ccc"}},
       {{A::kLabelMap, {}, "__meta_(my.*)", "", "${1}"}},
       {{"a", "foo"},
        {"__meta_my_bar", "aaa"},
        {"__meta_my_baz", "bbb"},
        {"__meta_other", "ccc"},
        {"my_bar", "aaa"},
        {"my_baz", "bbb"}}},
      // Two names map onto "x": base labels are visited in order, so the later one ("b") wins.
      {"labelmap_collision_last_wins",
       {{"a", "1"}, {"b", "2"}},
       {{A::kLabelMap, {}, "[ab]", "", "x"}},
       {{"a", "1"}, {"b", "2"}, {"x", "2"}}},
      // A label set by an earlier rule is visited after the untouched base labels.
      {"labelmap_visits_set_labels_last",
       {{"a", "1"}, {"b", "2"}},
       {{A::kReplace, {}, "(.*)", "a", "3"}, {A::kLabelMap, {}, "[ab]", "", "x"}},
       {{"a", "3"}, {"b", "2"}, {"x", "3"}}},
      {"labeldrop_then_replace_then_keep",
       {{"__meta_kubernetes_pod_container_port_name", "foo"},
        {"__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091"}},
       {{A::kLabelDrop, {}, "^__meta_kubernetes_pod_container_port_name$"},
        {A::kReplace, {"__meta_kubernetes_pod_annotation_XXX_metrics_port"}, "(.+)",
         "__meta_kubernetes_pod_container_port_name", "metrics"},
        {A::kKeep, {"__meta_kubernetes_pod_container_port_name"}, "^metrics$"}},
       {{"__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091"},
        {"__meta_kubernetes_pod_container_port_name", "metrics"}}},
      {"labelkeep",
       {{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}},
       {{A::kLabelKeep, {}, "(b.*)"}},
       {{"b1", "bar"}, {"b2", "baz"}}},
      {"labeldrop",
       {{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}},
       {{A::kLabelDrop, {}, "(b.*)"}},
       {{"a", "foo"}}},
      {"upper_and_lower",
       {{"foo", "bAr123Foo"}},
       {{A::kUppercase, {"foo"}, "(.*)", "foo_uppercase"},
        {A::kLowercase, {"foo"}, "(.*)", "foo_lowercase"}},
       {{"foo", "bAr123Foo"}, {"foo_lowercase", "bar123foo"}, {"foo_uppercase", "BAR123FOO"}}},
      {"upper_and_lower_non_ascii",
       {{"foo", "Straße ÄÖü Ωμέγα"}},
       {{A::kUppercase, {"foo"}, "(.*)", "up"}, {A::kLowercase, {"foo"}, "(.*)", "low"}},
       {{"foo", "Straße ÄÖü Ωμέγα"}, {"low", "straße äöü ωμέγα"}, {"up", "STRAßE ÄÖÜ ΩΜΈΓΑ"}}},
      {"keepequal_equal_keeps",
       {{"__tmp_port", "1234"}, {"__port1", "1234"}},
       {{A::kKeepEqual, {"__tmp_port"}, "(.*)", "__port1"}},
       {{"__tmp_port", "1234"}, {"__port1", "1234"}}},
      {"keepequal_differs_drops",
       {{"__tmp_port", "1234"}, {"__port2", "5678"}},
       {{A::kKeepEqual, {"__tmp_port"}, "(.*)", "__port2"}},
       {},
       true},
      {"dropequal_equal_drops",
       {{"__tmp_port", "1234"}, {"__port1", "1234"}},
       {{A::kDropEqual, {"__tmp_port"}, "(.*)", "__port1"}},
       {},
       true},
      {"dropequal_differs_keeps",
       {{"__tmp_port", "1234"}, {"__port2", "5678"}},
       {{A::kDropEqual, {"__tmp_port"}, "(.*)", "__port2"}},
       {{"__tmp_port", "1234"}, {"__port2", "5678"}}},
  };
}

TEST(RelabelTest, ApplyTable) {
  for (const auto& tc : ApplyCases()) {
    SCOPED_TRACE(tc.name);
    std::vector<Config> cfgs;
    for (const auto& r : tc.rules) cfgs.push_back(ToConfig(r));
    auto rl = Relabeler::Compile(cfgs);
    ASSERT_TRUE(rl.ok()) << rl.status().message();
    LabelsBuilder lb(tc.input);
    bool kept = rl->Apply(lb);
    EXPECT_EQ(kept, !tc.dropped);
    if (kept) {
      EXPECT_EQ(lb.Build().ToString(), tc.output.ToString());
    }
  }
}

TEST(RelabelTest, NoRulesPassEverything) {
  Relabeler none;
  EXPECT_TRUE(none.empty());
  Labels in{{"a", "b"}};
  LabelsBuilder lb(in);
  EXPECT_TRUE(none.Apply(lb));
  EXPECT_EQ(lb.Build(), in);
}

struct ErrorCase {
  Rule rule;
  std::string want;  // substring of the error
};

TEST(RelabelTest, ValidationErrorsNameRuleAndField) {
  using A = Action;
  const std::vector<ErrorCase> cases = {
      {{A::kHashMod, {"a"}, "(.*)", "t", "$1", 0},
       "relabel rule 1: modulus: relabel configuration for hashmod requires non-zero modulus"},
      {{A::kReplace, {"a"}, "(.*)", ""},
       "relabel rule 1: target_label: relabel configuration for replace action requires "
       "'target_label' value"},
      {{A::kHashMod, {"a"}, "(.*)", "", "$1", 3}, "target_label: relabel configuration for hashmod"},
      {{A::kLowercase, {"a"}, "(.*)", ""}, "target_label: relabel configuration for lowercase"},
      {{A::kUppercase, {"a"}, "(.*)", ""}, "target_label: relabel configuration for uppercase"},
      {{A::kKeepEqual, {"a"}, "(.*)", ""}, "target_label: relabel configuration for keepequal"},
      {{A::kDropEqual, {"a"}, "(.*)", ""}, "target_label: relabel configuration for dropequal"},
      {{A::kReplace, {"a"}, "(.*)", "bad\xff"}, "is invalid 'target_label' for replace action"},
      {{A::kLowercase, {"a"}, "(.*)", "t", "x"},
       "replacement: 'replacement' can not be set for lowercase action"},
      {{A::kLabelMap, {}, "(.*)", "", ""}, "replacement: \"\" is invalid 'replacement' for labelmap"},
      {{A::kKeepEqual, {"a"}, "x", "t"},
       "action: keepequal action requires only 'source_labels' and `target_label`"},
      {{A::kDropEqual, {"a"}, "(.*)", "t", "$1", 0, ","}, "dropequal action requires only"},
      {{A::kLabelDrop, {"a"}, "x"}, "action: labeldrop action requires only 'regex', and no other fields"},
      {{A::kLabelKeep, {}, "x", "t"}, "labelkeep action requires only 'regex'"},
      {{A::kLabelKeep, {}, "x", "", "$1", 0, ","}, "labelkeep action requires only 'regex'"},
      {{A::kKeep, {"a"}, "(unclosed"}, "regex: error parsing regexp"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.want);
    Config ok;
    ok.target_label = "x";
    auto rl = Relabeler::Compile({ok, ToConfig(tc.rule)});
    ASSERT_FALSE(rl.ok());
    EXPECT_NE(rl.status().message().find(tc.want), std::string::npos) << rl.status().message();
  }
}

TEST(RelabelTest, Utf8TargetsAreValid) {
  // Prometheus 3.x validates names as UTF-8: "${3}", "0${3}" and "-${3}" are legal targets.
  for (const char* target : {"${3}", "0${3}", "-${3}", "utf-8.label", "日本"}) {
    Config c;
    c.source_labels = {"a"};
    c.target_label = target;
    EXPECT_TRUE(Validate(c).ok()) << target;
    c.action = Action::kLowercase;
    EXPECT_TRUE(Validate(c).ok()) << target;
  }
}

TEST(RelabelTest, ActionNamesRoundTripCaseInsensitively) {
  for (auto a : {Action::kReplace, Action::kKeep, Action::kDrop, Action::kKeepEqual,
                 Action::kDropEqual, Action::kHashMod, Action::kLabelMap, Action::kLabelDrop,
                 Action::kLabelKeep, Action::kLowercase, Action::kUppercase}) {
    auto parsed = ParseAction(ActionName(a));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, a);
  }
  auto upper = ParseAction("LabelMap");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, Action::kLabelMap);
  auto bad = ParseAction("Explode");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "unknown relabel action \"Explode\"");
}

TEST(RegexpExpandTest, GoExpandRules) {
  const std::map<std::string, int> named = {{"word", 2}};
  const std::vector<std::string_view> groups = {"abc", "a", "bc"};
  struct Case {
    const char* tmpl;
    const char* want;
  };
  for (const auto& c : std::vector<Case>{
           {"$1", "a"},
           {"${1}x", "ax"},
           {"$1x", ""},  // the name is "1x"
           {"$word-${word}", "bc-bc"},
           {"$$1", "$1"},
           {"$", "$"},
           {"${1", "${1"},
           {"${}", "${}"},
           {"$-", "$-"},
           {"$01", ""},  // a leading zero makes it a name, and there is none
           {"$9", ""},
           {"$0", "abc"},
           {"x$2y", "x"},  // "$2y" is the name "2y"
       }) {
    std::string out;
    AppendRegexpExpand(out, c.tmpl, groups, named);
    EXPECT_EQ(out, c.want) << c.tmpl;
  }
}

TEST(LabelsBuilderTest, RangeFollowsPrometheusOrderAndSnapshots) {
  LabelsBuilder lb(Labels{{"a", "1"}, {"b", "2"}, {"c", "3"}});
  lb.Set("a", "9").Set("d", "4").Del("c");
  std::vector<std::string> seen;
  lb.Range([&](const Label& l) {
    seen.push_back(l.name + "=" + l.value);
    lb.Del(l.name);  // allowed while ranging
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"b=2", "a=9", "d=4"}));
  EXPECT_TRUE(lb.Build().empty());
}

}  // namespace
}  // namespace tidemark::relabel
