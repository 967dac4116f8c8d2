// Sloth prometheus/v1 SLO specs: parsing/validation, Tidemark's SLI shorthands, the window table
// and the generated rule groups (read back with the rule-file loader).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "tidemark/alerting/rule_file.h"
#include "tidemark/alerting/slo.h"

namespace tidemark::alerting {
namespace {

// A valid spec whose single SLO body is `slo` (indented under `slos:`).
std::string Spec(const std::string& slo) {
  return "version: prometheus/v1\nservice: svc\nlabels:\n  team: a\nslos:\n" + slo;
}

const char* kEventsSlo =
    "  - name: avail\n"
    "    objective: 99.9\n"
    "    description: d\n"
    "    labels:\n      tier: '2'\n"
    "    sli:\n"
    "      events:\n"
    "        error_query: sum(rate(req_total{code=~\"5..\"}[{{.window}}]))\n"
    "        total_query: sum(rate(req_total[{{ .window }}]))\n"
    "    alerting:\n"
    "      name: SvcErrors\n"
    "      labels: {category: availability}\n"
    "      annotations: {summary: custom}\n"
    "      page_alert: {labels: {severity: critical}}\n"
    "      ticket_alert: {labels: {severity: warning}, annotations: {runbook: r}}\n";

struct BadCase {
  const char* name;
  std::string yaml;
  const char* field;   // the field path the message must name
  const char* reason;  // substring of the reason
  int line;            // the line the message must name
};

class SloSpecInvalid : public testing::TestWithParam<BadCase> {};

TEST_P(SloSpecInvalid, NamesFileLineAndField) {
  const BadCase& c = GetParam();
  auto r = ParseSloText(c.yaml, "slos.yml");
  ASSERT_FALSE(r.ok()) << c.name;
  const std::string msg = r.status().message();
  EXPECT_EQ(msg.rfind("slos.yml:" + std::to_string(c.line) + ": ", 0), 0u) << msg;
  EXPECT_NE(msg.find(std::string(c.field) + ": "), std::string::npos) << msg;
  EXPECT_NE(msg.find(c.reason), std::string::npos) << msg;
}

const std::string kSli =
    "    sli: {raw: {error_ratio_query: 'avg_over_time(err[{{.window}}])'}}\n"
    "    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}\n";

INSTANTIATE_TEST_SUITE_P(
    Cases, SloSpecInvalid,
    testing::Values(
        BadCase{"version", "version: prometheus/v2\nservice: s1\nslos: []\n", "version",
                "should be \"prometheus/v1\"", 1},
        BadCase{"no_service", "version: prometheus/v1\nslos: []\n", "service", "is required", 1},
        BadCase{"bad_service", "version: prometheus/v1\nservice: -x\nslos: []\n", "service",
                "must start and end with an alphanumeric", 2},
        BadCase{"no_slos", "version: prometheus/v1\nservice: svc\nslos: []\n", "slos",
                "at least one SLO is required", 3},
        BadCase{"unknown_top", "version: prometheus/v1\nservice: svc\nowner: x\n", "owner",
                "unknown field", 3},
        BadCase{"slo_plugins", "version: prometheus/v1\nservice: svc\nslo_plugins: {}\n",
                "slo_plugins", "not supported", 3},
        BadCase{"bad_label_name",
                Spec("  - name: a1\n    objective: 99\n    labels: {'a-b': x}\n" + kSli),
                "slos[0].labels.a-b", "invalid label name", 8},
        BadCase{"empty_label_value",
                Spec("  - name: a1\n    objective: 99\n    labels: {a: ''}\n" + kSli),
                "slos[0].labels.a", "value is required", 8},
        BadCase{"reserved_label",
                Spec("  - name: a1\n    objective: 99\n    labels: {sloth_id: x}\n" + kSli),
                "slos[0].labels.sloth_id", "set by the generator", 8},
        BadCase{"unknown_slo_key", Spec("  - name: a1\n    objectve: 99\n" + kSli),
                "slos[0].objectve", "unknown field", 7},
        BadCase{"no_name", Spec("  - objective: 99\n" + kSli), "slos[0].name", "is required", 6},
        BadCase{"bad_name", Spec("  - name: 'a b'\n    objective: 99\n" + kSli), "slos[0].name",
                "alphanumeric", 6},
        BadCase{"objective_zero", Spec("  - name: a1\n    objective: 0\n" + kSli),
                "slos[0].objective", "objective must be >0 and <=100", 7},
        BadCase{"objective_over", Spec("  - name: a1\n    objective: 100.5\n" + kSli),
                "slos[0].objective", "objective must be >0 and <=100", 7},
        BadCase{"objective_text", Spec("  - name: a1\n    objective: high\n" + kSli),
                "slos[0].objective", "must be a number", 7},
        BadCase{"objective_missing", Spec("  - name: a1\n" + kSli), "slos[0].objective",
                "is required", 6},
        BadCase{"no_sli", Spec("  - name: a1\n    objective: 99\n"), "slos[0].sli", "is required",
                6},
        BadCase{"two_slis",
                Spec("  - name: a1\n    objective: 99\n    sli:\n      raw: {error_ratio_query: "
                     "'x[{{.window}}]'}\n      events: {error_query: a, total_query: b}\n"),
                "slos[0].sli", "only one SLI type is allowed", 9},
        BadCase{"sli_plugin",
                Spec("  - name: a1\n    objective: 99\n    sli:\n      plugin: {id: x}\n"),
                "slos[0].sli.plugin", "not supported", 9},
        BadCase{"no_window",
                Spec("  - name: a1\n    objective: 99\n    sli:\n      events:\n"
                     "        error_query: sum(rate(e[5m]))\n        total_query: "
                     "sum(rate(t[{{.window}}]))\n"),
                "slos[0].sli.events.error_query", "must contain the {{.window}} variable", 10},
        BadCase{"bad_promql",
                Spec("  - name: a1\n    objective: 99\n    sli:\n      events:\n"
                     "        error_query: sum(rate(e[{{.window}}])\n        total_query: "
                     "sum(rate(t[{{.window}}]))\n"),
                "slos[0].sli.events.error_query", "invalid PromQL", 10},
        BadCase{"same_queries",
                Spec("  - name: a1\n    objective: 99\n    sli:\n      events:\n"
                     "        error_query: t[{{.window}}]\n        total_query: t[{{.window}}]\n"),
                "slos[0].sli.events", "can't be the same", 10},
        BadCase{"other_template_var",
                Spec("  - name: a1\n    objective: 99\n    sli:\n      raw:\n"
                     "        error_ratio_query: 'e{a=\"{{.x}}\"}[{{.window}}]'\n"),
                "slos[0].sli.raw.error_ratio_query", "only the {{.window}} template variable", 10},
        BadCase{"no_alert_name",
                Spec("  - name: a1\n    objective: 99\n    sli: {raw: {error_ratio_query: "
                     "'avg_over_time(e[{{.window}}])'}}\n"),
                "slos[0].alerting.name", "alert name is required", 6},
        BadCase{"bad_disable",
                Spec("  - name: a1\n    objective: 99\n    sli: {raw: {error_ratio_query: "
                     "'avg_over_time(e[{{.window}}])'}}\n    alerting:\n      name: A\n"
                     "      page_alert: {disable: maybe}\n"),
                "slos[0].alerting.page_alert.disable", "must be true or false", 11},
        BadCase{"unknown_alert_key",
                Spec("  - name: a1\n    objective: 99\n    sli: {raw: {error_ratio_query: "
                     "'avg_over_time(e[{{.window}}])'}}\n    alerting:\n      name: A\n"
                     "      page_alert: {severity: x}\n"),
                "slos[0].alerting.page_alert.severity", "unknown field", 11},
        BadCase{"dup_slo",
                Spec("  - name: a1\n    objective: 99\n" + kSli +
                     "  - name: a1\n    objective: 98\n" + kSli),
                "slos[1].name", "SLO id svc-a1 already defined at line 6", 10},
        BadCase{"histogram_no_threshold",
                Spec("  - name: a1\n    objective: 99\n    sli:\n      histogram: {metric: "
                     "lat_seconds}\n"),
                "slos[0].sli.histogram.threshold_seconds", "is required", 9},
        BadCase{"histogram_bad_metric",
                Spec("  - name: a1\n    objective: 99\n    sli:\n      histogram: {metric: 'a-b', "
                     "threshold_seconds: 1}\n"),
                "slos[0].sli.histogram.metric", "invalid metric name", 9},
        BadCase{"histogram_braces",
                Spec("  - name: a1\n    objective: 99\n    sli:\n      histogram: {metric: m, "
                     "threshold_seconds: 1, filter: '{job=\"a\"}'}\n"),
                "slos[0].sli.histogram.filter", "without braces", 9},
        BadCase{"histogram_le_filter",
                Spec("  - name: a1\n    objective: 99\n    sli:\n      histogram: {metric: m, "
                     "threshold_seconds: 1, filter: 'le=\"1\"'}\n"),
                "slos[0].sli.histogram.filter", "may not match on le", 9},
        BadCase{"availability_range",
                Spec("  - name: a1\n    objective: 99\n    sli:\n      availability: {query: "
                     "'up[5m]'}\n"),
                "slos[0].sli.availability.query", "instant vector", 9},
        BadCase{"availability_unknown",
                Spec("  - name: a1\n    objective: 99\n    sli:\n      availability: {expr: up}\n"),
                "slos[0].sli.availability.expr", "unknown field", 9},
        // Found by slo_spec_fuzz: the generated alerts' rule file was refused instead.
        BadCase{"annotation_template",
                Spec("  - name: a1\n    objective: 99\n    sli: {raw: {error_ratio_query: "
                     "'avg_over_time(e[{{.window}}])'}}\n    alerting:\n      name: A\n"
                     "      annotations: {summary: 'x {{ range .Alerts }}'}\n"),
                "slos[0].alerting.annotations.summary", "unexpected EOF", 11},
        BadCase{"label_template",
                Spec("  - name: a1\n    objective: 99\n    labels: {tier: '{{'}\n" + kSli),
                "slos[0].labels.tier", "unclosed action", 8},
        BadCase{"yaml_syntax", "version: [\n", "yaml", "", 2}),
    [](const testing::TestParamInfo<BadCase>& i) { return std::string(i.param.name); });

TEST(SloSpec, ParsesSlothFieldsAndMergesLabels) {
  auto r = ParseSloText(Spec(kEventsSlo), "f.yml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 1u);
  const SloSpec& s = (*r)[0];
  EXPECT_EQ(s.file, "f.yml");
  EXPECT_EQ(s.line, 6);
  EXPECT_EQ(s.id, "svc-avail");
  EXPECT_EQ(s.service, "svc");
  EXPECT_EQ(s.description, "d");
  EXPECT_DOUBLE_EQ(s.objective, 99.9);
  EXPECT_EQ(s.labels, (SloLabelMap{{"team", "a"}, {"tier", "2"}}));
  EXPECT_EQ(s.sli.kind, SloSli::Kind::kEvents);
  EXPECT_EQ(s.sli.total_query, "sum(rate(req_total[{{ .window }}]))");
  EXPECT_EQ(s.alerting.name, "SvcErrors");
  EXPECT_EQ(s.alerting.ticket_alert.annotations, (SloLabelMap{{"runbook", "r"}}));
  EXPECT_FALSE(s.alerting.page_alert.disable);
  EXPECT_EQ(s.period_ms, 30LL * 86400 * 1000);
}

TEST(SloSpec, SeveralDocumentsInOneFile) {
  const std::string text = Spec(kEventsSlo) + "---\n" +
                           "version: prometheus/v1\nservice: other\nslos:\n" + kEventsSlo + "---\n";
  auto r = ParseSloText(text, "f.yml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[1].id, "other-avail");
  EXPECT_EQ((*r)[1].labels, (SloLabelMap{{"tier", "2"}}));  // no spec labels in document 2
  // An error in the second document names its line in the file.
  auto bad = ParseSloText(Spec(kEventsSlo) + "---\nversion: prometheus/v1\nservice: xy\nslos: 3\n",
                          "f.yml");
  ASSERT_FALSE(bad.ok());
  const int lines =
      static_cast<int>(std::count(kEventsSlo, kEventsSlo + strlen(kEventsSlo), '\n')) + 5;
  EXPECT_NE(
      bad.status().message().find("f.yml:" + std::to_string(lines + 4) + ": slos: must be a list"),
      std::string::npos)
      << bad.status().message();
}

// Found by slo_spec_fuzz (corpus file stray-flow-entry.yml): yaml-cpp's LoadAll never consumes a
// stray ',' and returned null documents forever, until the fuzzer ran out of memory.
TEST(SloSpec, StrayFlowEntryIsAnErrorNotAnEndlessStream) {
  struct Case {
    std::string text, want;
  } cases[] = {
      {",", "f.yml:1: yaml: unexpected \",\""},
      {"- a\n,", "f.yml:2: yaml: unexpected \",\""},
      {"[a, b]\n  ,\n", "f.yml:2: yaml: unexpected \",\""},
  };
  for (const auto& c : cases) {
    auto r = ParseSloText(c.text, "f.yml");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().message(), c.want) << c.text;
  }
  // Empty documents between markers still start at distinct places and are skipped.
  auto r = ParseSloText("---\n---\n" + Spec(kEventsSlo) + "...\n---\n", "f.yml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->size(), 1u);
}

TEST(SloSpec, QueryWindowSubstitution) {
  EXPECT_EQ(SloQueryForWindow("a[{{.window}}] / b[{{ .window }}]", "5m"), "a[5m] / b[5m]");
  EXPECT_EQ(SloQueryForWindow("no window", "5m"), "no window");
}

struct ShorthandCase {
  const char* name;
  const char* sli;  // YAML under `sli:`
  SloSli::Kind kind;
  const char* error_query;  // events: error_query; raw: error_ratio_query
  const char* total_query;  // events only
};

class SloShorthand : public testing::TestWithParam<ShorthandCase> {};

TEST_P(SloShorthand, ExpandsToSlothSli) {
  const ShorthandCase& c = GetParam();
  auto r = ParseSloText(Spec(std::string("  - name: lat\n    objective: 99\n    sli:\n") + c.sli +
                             "    alerting: {name: A}\n"),
                        "f.yml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const SloSli& sli = (*r)[0].sli;
  EXPECT_EQ(sli.kind, c.kind);
  if (c.kind == SloSli::Kind::kEvents) {
    EXPECT_EQ(sli.error_query, c.error_query);
    EXPECT_EQ(sli.total_query, c.total_query);
    EXPECT_TRUE(sli.histogram.has_value());
  } else {
    EXPECT_EQ(sli.error_ratio_query, c.error_query);
    EXPECT_TRUE(sli.availability.has_value());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SloShorthand,
    testing::Values(
        ShorthandCase{
            "histogram_filter",
            "      histogram:\n        metric: workflow_duration_seconds\n"
            "        threshold_seconds: 10\n        filter: 'job=\"workflow-hub\"'\n",
            SloSli::Kind::kEvents,
            "sum(rate(workflow_duration_seconds_count{job=\"workflow-hub\"}[{{.window}}])) - "
            "sum(rate(workflow_duration_seconds_bucket{job=\"workflow-hub\",le=\"10\"}[{{.window}}]"
            "))",
            "sum(rate(workflow_duration_seconds_count{job=\"workflow-hub\"}[{{.window}}]))"},
        ShorthandCase{"histogram_plain",
                      "      histogram: {metric: http_seconds, threshold_seconds: 0.25}\n",
                      SloSli::Kind::kEvents,
                      "sum(rate(http_seconds_count[{{.window}}])) - "
                      "sum(rate(http_seconds_bucket{le=\"0.25\"}[{{.window}}]))",
                      "sum(rate(http_seconds_count[{{.window}}]))"},
        ShorthandCase{"availability", "      availability: {query: 'max(up{job=\"api\"})'}\n",
                      SloSli::Kind::kRaw,
                      "1 - avg_over_time((max(up{job=\"api\"}))[{{.window}}:1m])", ""}),
    [](const testing::TestParamInfo<ShorthandCase>& i) { return std::string(i.param.name); });

struct BucketCase {
  const char* name;
  double threshold;
  std::vector<std::string> les;
  const char* error;  // substring; nullptr = OK
};

class SloHistogramBuckets : public testing::TestWithParam<BucketCase> {};

TEST_P(SloHistogramBuckets, ChecksTheThresholdBucket) {
  const BucketCase& c = GetParam();
  SloSpec s;
  s.file = "f.yml";
  s.id = "svc-lat";
  s.sli.histogram = SloHistogramSli{"lat_seconds", c.threshold, "job=\"a\""};
  Status st = CheckHistogramBuckets(s, c.les);
  if (c.error == nullptr) {
    EXPECT_TRUE(st.ok()) << st.message();
  } else {
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find(c.error), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("svc-lat"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("lat_seconds_bucket{job=\"a\"}"), std::string::npos)
        << st.message();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SloHistogramBuckets,
    testing::Values(
        BucketCase{"present", 10, {"0.5", "10", "+Inf"}, nullptr},
        BucketCase{"fraction", 0.5, {"+Inf", "0.5"}, nullptr},
        BucketCase{"missing_sorted_numerically",
                   2,
                   {"+Inf", "10", "0.5", "1"},
                   "no bucket le=\"2\" for threshold_seconds; buckets present: 0.5, 1, 10, +Inf"},
        BucketCase{"other_spelling", 10, {"10.0", "+Inf"}, "spelled le=\"10.0\""},
        BucketCase{"none", 1, {}, "has no buckets"}),
    [](const testing::TestParamInfo<BucketCase>& i) { return std::string(i.param.name); });

TEST(SloHistogramBuckets, NonHistogramSloAlwaysOk) {
  SloSpec s;
  EXPECT_TRUE(CheckHistogramBuckets(s, {}).ok());
}

TEST(SloWindows, SreWorkbookTable) {
  struct Want {
    std::string_view severity, short_w, long_w;
    double factor;
  };
  const Want want[] = {{"page", "5m", "1h", 14.4},
                       {"page", "30m", "6h", 6},
                       {"ticket", "2h", "1d", 3},
                       {"ticket", "6h", "3d", 1}};
  const auto w = SloAlertWindows();
  ASSERT_EQ(w.size(), std::size(want));
  for (size_t i = 0; i < w.size(); ++i) {
    EXPECT_EQ(w[i].severity, want[i].severity);
    EXPECT_EQ(w[i].short_window, want[i].short_w);
    EXPECT_EQ(w[i].long_window, want[i].long_w);
    EXPECT_DOUBLE_EQ(w[i].burn_factor, want[i].factor);
    EXPECT_LT(w[i].short_ms, w[i].long_ms);
  }
  // Every alert window has an SLI series, and the SLI windows are exactly those, shortest first.
  std::vector<std::string_view> names;
  for (const auto& s : SloSliWindows()) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string_view>{"5m", "30m", "1h", "2h", "6h", "1d", "3d"}));
  for (size_t i = 1; i < SloSliWindows().size(); ++i) {
    EXPECT_LT(SloSliWindows()[i - 1].ms, SloSliWindows()[i].ms);
  }
}

std::map<std::string, std::string> ToMap(const StringPairs& p) { return {p.begin(), p.end()}; }

TEST(SloGenerate, SlothGroupsRulesAndLabels) {
  auto slos = ParseSloText(Spec(kEventsSlo), "f.yml");
  ASSERT_TRUE(slos.ok()) << slos.status().message();
  auto yaml = GenerateRuleFileYaml(*slos);
  ASSERT_TRUE(yaml.ok()) << yaml.status().message();
  RuleFileSpec f = ParseRuleFile(*yaml, "gen.yml");
  ASSERT_TRUE(f.errors.empty()) << f.errors[0] << "\n" << *yaml;
  ASSERT_EQ(f.groups.size(), 3u);
  EXPECT_EQ(f.groups[0].name, "sloth-slo-sli-recordings-svc-avail");
  EXPECT_EQ(f.groups[1].name, "sloth-slo-meta-recordings-svc-avail");
  EXPECT_EQ(f.groups[2].name, "sloth-slo-alerts-svc-avail");

  const std::string filter = "{sloth_id=\"svc-avail\", sloth_service=\"svc\", sloth_slo=\"avail\"}";
  // SLI recordings: one per window with the window substituted, then the 30d one from 5m.
  const auto& sli = f.groups[0].rules;
  ASSERT_EQ(sli.size(), 8u);
  const char* windows[] = {"5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"};
  for (size_t i = 0; i < sli.size(); ++i) {
    const std::string w = windows[i];
    EXPECT_EQ(sli[i].name, "slo:sli_error:ratio_rate" + w);
    EXPECT_EQ(ToMap(sli[i].labels), (std::map<std::string, std::string>{{"sloth_id", "svc-avail"},
                                                                        {"sloth_service", "svc"},
                                                                        {"sloth_slo", "avail"},
                                                                        {"sloth_window", w},
                                                                        {"team", "a"},
                                                                        {"tier", "2"}}));
  }
  EXPECT_EQ(sli[1].expr,
            "(sum(rate(req_total{code=~\"5..\"}[30m])))\n/\n(sum(rate(req_total[30m])))\n");
  EXPECT_EQ(sli[7].expr,
            "sum_over_time(slo:sli_error:ratio_rate5m" + filter +
                "[30d])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m" +
                filter + "[30d])\n");

  // Meta recordings.
  std::map<std::string, std::string> meta;
  for (const auto& r : f.groups[1].rules) {
    meta[r.name] = r.expr;
    EXPECT_EQ(ToMap(r.labels).count("sloth_window"), 0u);
    EXPECT_EQ(ToMap(r.labels).at("sloth_id"), "svc-avail");
  }
  ASSERT_EQ(meta.size(), 7u);
  EXPECT_EQ(meta["slo:objective:ratio"], "vector(0.9990000000000001)");
  EXPECT_EQ(meta["slo:error_budget:ratio"], "vector(1-0.9990000000000001)");
  EXPECT_EQ(meta["slo:time_period:days"], "vector(30)");
  EXPECT_EQ(meta["slo:current_burn_rate:ratio"],
            "slo:sli_error:ratio_rate5m" + filter +
                "\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio" +
                filter + "\n");
  EXPECT_EQ(meta["slo:period_burn_rate:ratio"].rfind("slo:sli_error:ratio_rate30d" + filter, 0),
            0u);
  EXPECT_EQ(meta["slo:period_error_budget_remaining:ratio"],
            "1 - slo:period_burn_rate:ratio" + filter);
  EXPECT_EQ(meta["sloth_slo_info"], "vector(1)");
  const auto info = ToMap(f.groups[1].rules.back().labels);
  EXPECT_EQ(info.at("sloth_objective"), "99.9");
  EXPECT_EQ(info.at("sloth_spec"), "prometheus/v1");

  // Alerts: page then ticket, Sloth's severity label, the user's labels and annotations.
  const auto& alerts = f.groups[2].rules;
  ASSERT_EQ(alerts.size(), 2u);
  for (const auto& a : alerts) EXPECT_EQ(a.name, "SvcErrors");
  EXPECT_EQ(
      ToMap(alerts[0].labels),
      (std::map<std::string, std::string>{
          {"category", "availability"}, {"severity", "critical"}, {"sloth_severity", "page"}}));
  EXPECT_EQ(
      ToMap(alerts[1].labels),
      (std::map<std::string, std::string>{
          {"category", "availability"}, {"severity", "warning"}, {"sloth_severity", "ticket"}}));
  const auto page_ann = ToMap(alerts[0].annotations);
  EXPECT_EQ(page_ann.at("summary"), "custom");  // the user's overrides Sloth's
  EXPECT_EQ(page_ann.at("title"),
            "(page) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is "
            "too fast.");
  EXPECT_EQ(ToMap(alerts[1].annotations).at("runbook"), "r");
  EXPECT_EQ(page_ann.count("runbook"), 0u);
  const std::string budget = "0.0009999999999999432";
  EXPECT_NE(
      alerts[0].expr.find("max(slo:sli_error:ratio_rate5m" + filter + " > (14.4 * " + budget +
                          ")) without (sloth_window)\n    and\n    max(slo:sli_error:ratio_rate1h"),
      std::string::npos)
      << alerts[0].expr;
  EXPECT_NE(alerts[0].expr.find("ratio_rate30m" + filter + " > (6 * " + budget), std::string::npos);
  EXPECT_NE(alerts[0].expr.find("ratio_rate6h" + filter + " > (6 * " + budget), std::string::npos);
  EXPECT_NE(alerts[1].expr.find("ratio_rate2h" + filter + " > (3 * " + budget), std::string::npos);
  EXPECT_NE(alerts[1].expr.find("ratio_rate1d" + filter + " > (3 * " + budget), std::string::npos);
  EXPECT_NE(alerts[1].expr.find("ratio_rate6h" + filter + " > (1 * " + budget), std::string::npos);
  EXPECT_NE(alerts[1].expr.find("ratio_rate3d" + filter + " > (1 * " + budget), std::string::npos);

  // The structured form matches the text form.
  const auto groups = GenerateRuleGroups(*slos);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].file, "f.yml");
  EXPECT_EQ(groups[2].rules[1].expr, alerts[1].expr);
}

TEST(SloGenerate, DisabledAlertsAndRawSli) {
  auto slos =
      ParseSloText(Spec("  - name: a1\n    objective: 99.99\n    sli: {raw: {error_ratio_query: "
                        "'avg_over_time(err[{{.window}}])'}}\n    alerting:\n      name: A\n"
                        "      ticket_alert: {disable: true}\n  - name: a2\n    objective: 99\n" +
                        kSli),
                   "f.yml");
  ASSERT_TRUE(slos.ok()) << slos.status().message();
  auto yaml = GenerateRuleFileYaml(*slos);
  ASSERT_TRUE(yaml.ok());
  RuleFileSpec f = ParseRuleFile(*yaml, "gen.yml");
  ASSERT_TRUE(f.errors.empty()) << f.errors[0];
  std::vector<std::string> names;
  for (const auto& g : f.groups) names.push_back(g.name);
  // a2 disables both alerts: no alert group at all, as Sloth.
  EXPECT_EQ(names, (std::vector<std::string>{
                       "sloth-slo-sli-recordings-svc-a1", "sloth-slo-meta-recordings-svc-a1",
                       "sloth-slo-alerts-svc-a1", "sloth-slo-sli-recordings-svc-a2",
                       "sloth-slo-meta-recordings-svc-a2"}));
  ASSERT_EQ(f.groups[2].rules.size(), 1u);
  EXPECT_EQ(ToMap(f.groups[2].rules[0].labels).at("sloth_severity"), "page");
  EXPECT_EQ(f.groups[0].rules[0].expr, "(avg_over_time(err[5m]))");
  EXPECT_EQ(f.groups[1].rules[1].expr, "vector(1-0.9998999999999999)");
  EXPECT_EQ(f.NumRules(), 8u + 7 + 1 + 8 + 7);
}

// Characters YAML carries only escaped (a NUL, a carriage return) reach the rule file intact, in
// one-line and multi-line expressions alike. Found by slo_spec_fuzz: a NUL in a histogram filter
// was written into a literal block, which the rule-file reader could not read back.
TEST(SloGenerate, ControlCharactersSurviveTheRuleFile) {
  auto slos = ParseSloText(
      Spec("  - name: hist\n    objective: 99\n    sli:\n      histogram:\n        metric: d\n"
           "        threshold_seconds: 1\n        filter: \"job=\\\"a\\x00b\\rc\\\"\"\n"
           "    alerting: {name: H}\n"
           "  - name: rawq\n    objective: 99\n    sli: {raw: {error_ratio_query: "
           "\"avg_over_time(err{x=\\\"\\r\\x01\\\"}[{{.window}}])\"}}\n    alerting: {name: R}\n"),
      "f.yml");
  ASSERT_TRUE(slos.ok()) << slos.status().message();
  auto yaml = GenerateRuleFileYaml(*slos);
  ASSERT_TRUE(yaml.ok()) << yaml.status().message();
  RuleFileSpec f = ParseRuleFile(*yaml, "gen.yml");
  ASSERT_TRUE(f.errors.empty()) << f.errors[0];
  const std::string nul_filter("job=\"a\0b\rc\"", 11);
  ASSERT_FALSE(f.groups.empty());
  const std::string& hist = f.groups[0].rules[0].expr;
  EXPECT_NE(hist.find('\n'), std::string::npos) << "the histogram SLI should be multi-line";
  EXPECT_NE(hist.find(nul_filter), std::string::npos) << hist;
  bool raw_seen = false;
  for (const auto& g : f.groups) {
    for (const auto& r : g.rules) {
      if (g.name == "sloth-slo-sli-recordings-svc-rawq" && r.name == "slo:sli_error:ratio_rate5m") {
        EXPECT_EQ(r.expr, "(avg_over_time(err{x=\"\r\x01\"}[5m]))");
        raw_seen = true;
      }
    }
  }
  EXPECT_TRUE(raw_seen);
}

// A query may end in a PromQL comment; the parenthesis the rules put after it must survive it.
// Found by slo_spec_fuzz: `s# ...` made `(s# ...)`, an unclosed parenthesis.
TEST(SloGenerate, QueriesEndingInACommentStayClosed) {
  auto slos = ParseSloText(
      Spec("  - name: ev\n    objective: 99\n    sli:\n      events:\n"
           "        error_query: 'sum(rate(err_total[{{.window}}])) # failures'\n"
           "        total_query: 'sum(rate(req_total{path=\"#x\"}[{{.window}}]))'\n"
           "    alerting: {name: E}\n"
           "  - name: rw\n    objective: 99\n    sli: {raw: {error_ratio_query: "
           "'avg_over_time(err[{{.window}}]) # ratio'}}\n    alerting: {name: R}\n"),
      "f.yml");
  ASSERT_TRUE(slos.ok()) << slos.status().message();
  auto yaml = GenerateRuleFileYaml(*slos);
  ASSERT_TRUE(yaml.ok()) << yaml.status().message();
  RuleFileSpec f = ParseRuleFile(*yaml, "gen.yml");
  ASSERT_TRUE(f.errors.empty()) << f.errors[0];
  ASSERT_FALSE(f.groups.empty());
  EXPECT_EQ(f.groups[0].rules[0].expr,
            "(sum(rate(err_total[5m])) # failures\n)\n/\n"
            "(sum(rate(req_total{path=\"#x\"}[5m]))\n)\n");
}

TEST(SloGenerate, DuplicateIdsAcrossFilesAreRefused) {
  auto a = ParseSloText(Spec(kEventsSlo), "a.yml");
  auto b = ParseSloText(Spec(kEventsSlo), "b.yml");
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<SloSpec> all = *a;
  all.push_back((*b)[0]);
  auto yaml = GenerateRuleFileYaml(all);
  ASSERT_FALSE(yaml.ok());
  EXPECT_NE(yaml.status().message().find("b.yml:6: SLO id svc-avail"), std::string::npos)
      << yaml.status().message();
}

TEST(SloSpec, ReadsFiles) {
  auto r =
      ParseSloFile(std::string(TM_SOURCE_DIR) + "/tests/alerting/testdata/slo/getting-started.yml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)[0].id, "myservice-requests-availability");
  auto missing = ParseSloFile("/nonexistent/slo.yml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/slo.yml"), std::string::npos);
}

}  // namespace
}  // namespace tidemark::alerting
