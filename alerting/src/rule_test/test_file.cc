// Strict parsing of promtool's rule unit-test files (field names and types as promtool's
// unitTestFile/testGroup structs; errors name the line like yaml.v2's).
#include "rule_test/test_file.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <set>

#include "tidemark/storage/model/strconv.h"

namespace tidemark::alerting::ruletest {
namespace {

// Thrown inside this file only; ParseTestFile turns it into a Status.
struct ParseError {
  std::string msg;
};

[[noreturn]] void Fail(const YAML::Node& n, const std::string& msg) {
  const YAML::Mark m = n.Mark();
  throw ParseError{(m.line >= 0 ? "line " + std::to_string(m.line + 1) + ": " : "") + msg};
}

void CheckKeys(const YAML::Node& map, const std::set<std::string>& known, const char* type) {
  if (!map.IsMap()) Fail(map, std::string("cannot unmarshal into ") + type + ": not a mapping");
  std::set<std::string> seen;
  for (const auto& kv : map) {
    const std::string key = kv.first.Scalar();
    if (!seen.insert(key).second) Fail(kv.first, "key \"" + key + "\" already set in map");
    if (known.count(key) == 0) Fail(kv.first, "field " + key + " not found in type " + type);
  }
}

std::string Str(const YAML::Node& n) {
  if (!n || n.IsNull()) return "";
  if (!n.IsScalar()) Fail(n, "cannot unmarshal a collection into string");
  return n.Scalar();
}

int64_t Dur(const YAML::Node& n) {
  if (!n || n.IsNull()) return 0;
  auto d = ParseDuration(Str(n));
  if (!d.ok()) Fail(n, d.status().message());
  return *d;
}

template <typename T, typename F>
std::vector<T> List(const YAML::Node& n, F parse_item) {
  std::vector<T> out;
  if (!n || n.IsNull()) return out;
  if (!n.IsSequence()) Fail(n, "expected a list");
  for (const auto& item : n) out.push_back(parse_item(item));
  return out;
}

StringPairs StrMap(const YAML::Node& n) {
  StringPairs out;
  if (!n || n.IsNull()) return out;
  if (!n.IsMap()) Fail(n, "expected a mapping of strings");
  std::set<std::string> seen;
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    if (!seen.insert(key).second) Fail(kv.first, "key \"" + key + "\" already set in map");
    out.emplace_back(key, Str(kv.second));
  }
  return out;
}

double Float(const YAML::Node& n) {
  if (!n || n.IsNull()) return 0;
  // YAML spells the special values .inf/.nan; Go's ParseFloat takes the rest.
  const std::string s = Str(n);
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf") return INFINITY;
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") return -INFINITY;
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return NAN;
  auto v = ParseFloat(s);
  if (!v.ok()) Fail(n, "cannot unmarshal !!str `" + s + "` into float64");
  return *v;
}

TestGroup ParseGroup(const YAML::Node& n) {
  CheckKeys(n,
            {"interval", "input_series", "alert_rule_test", "promql_expr_test", "external_labels",
             "external_url", "name"},
            "main.testGroup");
  TestGroup g;
  g.interval_ms = Dur(n["interval"]);
  g.input_series = List<InputSeries>(n["input_series"], [](const YAML::Node& s) {
    CheckKeys(s, {"series", "values"}, "main.series");
    return InputSeries{Str(s["series"]), Str(s["values"])};
  });
  g.alert_tests = List<AlertTest>(n["alert_rule_test"], [](const YAML::Node& a) {
    CheckKeys(a, {"eval_time", "alertname", "exp_alerts"}, "main.alertTestCase");
    AlertTest t;
    t.eval_time_ms = Dur(a["eval_time"]);
    t.alertname = Str(a["alertname"]);
    t.exp_alerts = List<ExpAlert>(a["exp_alerts"], [](const YAML::Node& e) {
      CheckKeys(e, {"exp_labels", "exp_annotations"}, "main.alert");
      return ExpAlert{StrMap(e["exp_labels"]), StrMap(e["exp_annotations"])};
    });
    return t;
  });
  g.promql_tests = List<PromqlTest>(n["promql_expr_test"], [](const YAML::Node& p) {
    CheckKeys(p, {"expr", "eval_time", "exp_samples"}, "main.promqlTestCase");
    PromqlTest t;
    t.expr = Str(p["expr"]);
    t.eval_time_ms = Dur(p["eval_time"]);
    t.exp_samples = List<ExpSample>(p["exp_samples"], [](const YAML::Node& s) {
      CheckKeys(s, {"labels", "value"}, "main.sample");
      return ExpSample{Str(s["labels"]), Float(s["value"])};
    });
    return t;
  });
  g.external_labels = StrMap(n["external_labels"]);
  g.external_url = Str(n["external_url"]);
  g.name = Str(n["name"]);
  return g;
}

TestFile ParseRoot(const YAML::Node& root) {
  TestFile f;
  if (root.IsNull()) return f;
  CheckKeys(root,
            {"rule_files", "evaluation_interval", "group_eval_order", "tests", "fuzzy_compare"},
            "main.unitTestFile");
  f.rule_files = List<std::string>(root["rule_files"], Str);
  f.evaluation_interval_ms = Dur(root["evaluation_interval"]);
  f.group_eval_order = List<std::string>(root["group_eval_order"], Str);
  f.tests = List<TestGroup>(root["tests"], ParseGroup);
  if (const auto fc = root["fuzzy_compare"]; fc && !fc.IsNull()) {
    const std::string s = Str(fc);
    if (s != "true" && s != "false") Fail(fc, "cannot unmarshal !!str `" + s + "` into bool");
    f.fuzzy_compare = s == "true";
  }
  return f;
}

}  // namespace

Result<TestFile> ParseTestFile(std::string_view content) {
  try {
    return ParseRoot(YAML::Load(std::string(content)));
  } catch (const ParseError& e) {
    return Status::InvalidArgument("yaml: unmarshal errors:\n  " + e.msg);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("yaml: ") + e.what());
  }
}

}  // namespace tidemark::alerting::ruletest
