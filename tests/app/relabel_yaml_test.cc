// relabel_configs YAML decoding: Prometheus' field names and defaults, and refusals that name
// the offending path.
#include "relabel_yaml.h"

#include <gtest/gtest.h>

namespace tidemark::app {
namespace {

Result<std::vector<relabel::Config>> Parse(const std::string& yaml) {
  return ParseRelabelConfigs(YAML::Load(yaml), "alerting.alert_relabel_configs");
}

TEST(RelabelYamlTest, ReadsFieldsAndDefaults) {
  auto got = Parse(R"yaml(
- source_labels: [a, "b.c"]
  separator: ","
  regex: "x(.*)"
  target_label: t
  replacement: "y$1"
  action: Replace
- action: hashmod
  source_labels: [a]
  modulus: 8
  target_label: shard
- action: labeldrop
  regex: tmp_.*
- target_label: env
  replacement: prod
)yaml");
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), 4u);
  const auto& r0 = (*got)[0];
  EXPECT_EQ(r0.source_labels, (std::vector<std::string>{"a", "b.c"}));
  EXPECT_EQ(r0.separator, ",");
  EXPECT_EQ(r0.regex, "x(.*)");
  EXPECT_EQ(r0.target_label, "t");
  EXPECT_EQ(r0.replacement, "y$1");
  EXPECT_EQ(r0.action, relabel::Action::kReplace);
  EXPECT_EQ((*got)[1].modulus, 8u);
  EXPECT_EQ((*got)[1].action, relabel::Action::kHashMod);
  EXPECT_EQ((*got)[2].action, relabel::Action::kLabelDrop);
  const auto& r3 = (*got)[3];  // Prometheus' defaults
  EXPECT_TRUE(r3.source_labels.empty());
  EXPECT_EQ(r3.separator, ";");
  EXPECT_EQ(r3.regex, "(.*)");
  EXPECT_EQ(r3.action, relabel::Action::kReplace);

  // The decoded rules run: rule 3 sets env=prod on any set.
  auto rl = relabel::Relabeler::Compile(*got);
  ASSERT_TRUE(rl.ok()) << rl.status().message();
  LabelsBuilder lb(Labels{{"a", "xq"}, {"tmp_1", "z"}});
  ASSERT_TRUE(rl->Apply(lb));
  Labels out = lb.Build();
  EXPECT_EQ(out.Get("t"), "yq,");  // "xq" and the absent "b.c" joined by ","
  EXPECT_EQ(out.Get("env"), "prod");
  EXPECT_FALSE(out.Has("tmp_1"));
  EXPECT_FALSE(out.Get("shard").empty());
}

TEST(RelabelYamlTest, NullFieldsTakeZeroValues) {
  // As with Prometheus' yaml.v2 decoding, an explicit null empties a field: a null regex
  // matches only the empty string.
  auto got = Parse("- {source_labels: [a], regex: , target_label: t, replacement: x}\n");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ((*got)[0].regex, "");
  EXPECT_TRUE(Parse("").ok());
  EXPECT_TRUE(Parse("[]").ok());
}

TEST(RelabelYamlTest, RefusalsNameThePath) {
  struct Case {
    const char* yaml;
    const char* want;
  };
  for (const auto& c : std::vector<Case>{
           {"- {action: keep, regexp: x}",
            "config: unknown field \"alerting.alert_relabel_configs[0].regexp\""},
           {"- {action: explode}",
            "alerting.alert_relabel_configs[0].action: unknown relabel action \"explode\""},
           {"- {action: }", "[0].action: relabel action cannot be empty"},
           {"- {target_label: t}\n- {action: hashmod, target_label: s}",
            "config: alerting.alert_relabel_configs[1].modulus: relabel configuration for hashmod "
            "requires non-zero modulus"},
           {"- {action: hashmod, target_label: s, modulus: -3}", "[0].modulus: cannot unmarshal"},
           {"- {action: replace}", "[0].target_label: relabel configuration for replace action"},
           {"- {action: labelkeep, regex: a, source_labels: [b]}",
            "[0].action: labelkeep action requires only 'regex', and no other fields"},
           {"- {action: keep, regex: \"(\"}", "[0].regex: error parsing regexp"},
           {"- {source_labels: a, target_label: t}", "[0].source_labels: must be a list"},
           {"- {source_labels: [\"\"], target_label: t}", "\"\" is not a valid label name"},
           {"- {target_label: [t]}", "[0].target_label: must be a string"},
           {"{a: b}", "config: alerting.alert_relabel_configs: must be a list"},
           {"- just a string", "alerting.alert_relabel_configs[0] must be a mapping"},
       }) {
    SCOPED_TRACE(c.yaml);
    auto got = Parse(c.yaml);
    ASSERT_FALSE(got.ok());
    EXPECT_NE(got.status().message().find(c.want), std::string::npos) << got.status().message();
  }
}

TEST(RelabelYamlTest, EmittedRulesParseBackToTheSame) {
  auto got = Parse(
      "- {source_labels: [a, b], separator: '|', regex: 'x(.*)', target_label: t, replacement: '$1y'}\n"
      "- {action: hashmod, source_labels: [a], modulus: 4, target_label: s}\n"
      "- {action: labelkeep, regex: 'keep_.*'}\n");
  ASSERT_TRUE(got.ok()) << got.status().message();
  YAML::Emitter e;
  EmitRelabelConfigs(e, *got);
  auto again = Parse(e.c_str());
  ASSERT_TRUE(again.ok()) << again.status().message() << "\n" << e.c_str();
  ASSERT_EQ(again->size(), got->size());
  for (size_t i = 0; i < got->size(); ++i) {
    const auto &x = (*got)[i], &y = (*again)[i];
    EXPECT_EQ(x.source_labels, y.source_labels);
    EXPECT_EQ(x.separator, y.separator);
    EXPECT_EQ(x.regex, y.regex);
    EXPECT_EQ(x.modulus, y.modulus);
    EXPECT_EQ(x.target_label, y.target_label);
    EXPECT_EQ(x.replacement, y.replacement);
    EXPECT_EQ(x.action, y.action);
  }
}

}  // namespace
}  // namespace tidemark::app
