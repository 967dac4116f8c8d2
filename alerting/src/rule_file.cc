// Rule-file parsing and validation, mirroring promtool's rulefmt checks (strict keys included).
#include "tidemark/alerting/rule_file.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "template/template.h"
#include "tidemark/query/ast.h"
#include "tidemark/storage/model/labels.h"

namespace tidemark::alerting {
namespace {

std::string Pos(const YAML::Node& n) {
  YAML::Mark m = n.Mark();
  if (m.line < 0) return "";
  return std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": ";
}

// Collects errors for one file, prefixed with the path.
struct Errors {
  const std::string& path;
  std::vector<std::string>* out;
  void Add(const std::string& msg) const { out->push_back(path + ": " + msg); }
};

// Rejects keys outside `known` and duplicated keys, as yaml.v3 with KnownFields(true) does.
bool CheckKeys(const YAML::Node& map, const std::set<std::string>& known, const char* type,
               const Errors& errs) {
  bool ok = true;
  std::set<std::string> seen;
  for (const auto& kv : map) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    if (!seen.insert(key).second) {
      errs.Add(Pos(kv.first) + "mapping key \"" + key + "\" already defined");
      ok = false;
    } else if (known.count(key) == 0) {
      errs.Add(Pos(kv.first) + "field " + key + " not found in type " + type);
      ok = false;
    }
  }
  return ok;
}

// A scalar (or null) as a Go string; anything else is a type error.
bool AsString(const YAML::Node& n, std::string* out, const Errors& errs) {
  if (!n || n.IsNull()) {
    out->clear();
    return true;
  }
  if (!n.IsScalar()) {
    errs.Add(Pos(n) + "cannot unmarshal " + (n.IsMap() ? "!!map" : "!!seq") + " into string");
    return false;
  }
  *out = n.Scalar();
  return true;
}

bool AsDuration(const YAML::Node& n, int64_t* out, const Errors& errs) {
  std::string s;
  if (!AsString(n, &s, errs)) return false;
  if (!n || n.IsNull()) {
    *out = 0;
    return true;
  }
  auto d = ParsePromDuration(s);
  if (!d.ok()) {
    errs.Add(Pos(n) + d.status().message());
    return false;
  }
  *out = *d;
  return true;
}

bool AsStringMap(const YAML::Node& n, StringPairs* out, const Errors& errs) {
  out->clear();
  if (!n || n.IsNull()) return true;
  if (!n.IsMap()) {
    errs.Add(Pos(n) + "cannot unmarshal " + (n.IsSequence() ? "!!seq" : "!!str") +
             " into map[string]string");
    return false;
  }
  bool ok = true;
  std::set<std::string> seen;
  for (const auto& kv : n) {
    std::string k, v;
    if (!AsString(kv.first, &k, errs) || !AsString(kv.second, &v, errs)) {
      ok = false;
      continue;
    }
    if (!seen.insert(k).second) {
      errs.Add(Pos(kv.first) + "mapping key \"" + k + "\" already defined");
      ok = false;
      continue;
    }
    out->emplace_back(std::move(k), std::move(v));
  }
  return ok;
}

// Semantic checks of one rule (promtool's Rule.Validate); `prefix` names group and rule.
void ValidateRule(const RuleSpec& r, const YAML::Node& node, bool has_record, bool has_alert,
                  const std::string& prefix, const Errors& errs) {
  auto add = [&](const YAML::Node& at, const std::string& msg) {
    errs.Add(Pos(at) + prefix + msg);
  };
  const YAML::Node rec = node["record"], alert = node["alert"], expr = node["expr"];
  if (has_record && has_alert) add(rec, "only one of 'record' and 'alert' must be set");
  if (!has_record && !has_alert) add(node, "one of 'record' or 'alert' must be set");
  if (r.expr.empty()) {
    add(expr ? expr : node, "field 'expr' must be set in rule");
  } else {
    auto parsed = query::ParseExpr(r.expr);
    if (!parsed.ok()) add(expr, "could not parse expression: " + parsed.status().message());
  }
  if (has_record && !has_alert) {
    if (!r.annotations.empty()) add(rec, "invalid field 'annotations' in recording rule");
    if (r.for_ms != 0) add(rec, "invalid field 'for' in recording rule");
    if (r.keep_firing_for_ms != 0) add(rec, "invalid field 'keep_firing_for' in recording rule");
    if (!IsValidMetricName(r.name)) add(rec, "invalid recording rule name: " + r.name);
  }
  for (const auto& [k, v] : r.labels) {
    if (!IsValidLabelName(k) || k == kMetricName) add(node, "invalid label name: " + k);
    if (!IsValidUtf8(v)) add(node, "invalid label value: " + v);
  }
  for (const auto& [k, v] : r.annotations) {
    if (!IsValidLabelName(k)) add(node, "invalid annotation name: " + k);
  }
  if (has_alert && !has_record) {
    for (const auto& [k, v] : r.labels) {
      Status s = CheckTemplateSyntax(v, "__alert_" + r.name);
      if (!s.ok()) add(node, "label \"" + k + "\": " + s.message());
    }
    for (const auto& [k, v] : r.annotations) {
      Status s = CheckTemplateSyntax(v, "__alert_" + r.name);
      if (!s.ok()) add(node, "annotation \"" + k + "\": " + s.message());
    }
  }
}

void ParseRule(const YAML::Node& node, int index, GroupSpec* g, const Errors& errs) {
  if (!node.IsMap()) {
    errs.Add(Pos(node) + "cannot unmarshal rule: expected a mapping");
    return;
  }
  static const std::set<std::string> kKeys = {"record", "alert", "expr", "for",
                                              "keep_firing_for", "labels", "annotations"};
  bool ok = CheckKeys(node, kKeys, "rulefmt.Rule", errs);
  RuleSpec r;
  std::string record, alert;
  ok &= AsString(node["record"], &record, errs);
  ok &= AsString(node["alert"], &alert, errs);
  ok &= AsString(node["expr"], &r.expr, errs);
  ok &= AsDuration(node["for"], &r.for_ms, errs);
  ok &= AsDuration(node["keep_firing_for"], &r.keep_firing_for_ms, errs);
  ok &= AsStringMap(node["labels"], &r.labels, errs);
  ok &= AsStringMap(node["annotations"], &r.annotations, errs);
  if (!ok) return;
  r.type = alert.empty() ? RuleType::kRecording : RuleType::kAlerting;
  r.name = alert.empty() ? record : alert;
  r.line = node.Mark().line + 1;
  const std::string prefix =
      "group \"" + g->name + "\", rule " + std::to_string(index + 1) + ", \"" + r.name + "\": ";
  const size_t before = errs.out->size();
  ValidateRule(r, node, !record.empty(), !alert.empty(), prefix, errs);
  if (errs.out->size() == before) g->rules.push_back(std::move(r));
}

void ParseGroup(const YAML::Node& node, std::set<std::string>* names, RuleFileSpec* file,
                const Errors& errs) {
  if (!node.IsMap()) {
    errs.Add(Pos(node) + "cannot unmarshal group: expected a mapping");
    return;
  }
  static const std::set<std::string> kKeys = {"name", "interval", "query_offset", "limit",
                                              "rules", "labels"};
  bool ok = CheckKeys(node, kKeys, "rulefmt.RuleGroup", errs);
  GroupSpec g;
  g.file = file->path;
  ok &= AsString(node["name"], &g.name, errs);
  ok &= AsDuration(node["interval"], &g.interval_ms, errs);
  ok &= AsDuration(node["query_offset"], &g.query_offset_ms, errs);
  ok &= AsStringMap(node["labels"], &g.labels, errs);
  if (const YAML::Node lim = node["limit"]; lim && !lim.IsNull()) {
    try {
      g.limit = lim.as<int64_t>();
    } catch (const YAML::Exception&) {
      errs.Add(Pos(lim) + "cannot unmarshal !!str `" + (lim.IsScalar() ? lim.Scalar() : "") +
               "` into int");
      ok = false;
    }
  }
  if (!ok) return;
  if (g.name.empty()) errs.Add(Pos(node) + "Groupname must not be empty");
  if (!names->insert(g.name).second) {
    errs.Add(Pos(node) + "groupname: \"" + g.name + "\" is repeated in the same file");
  }
  for (const auto& [k, v] : g.labels) {
    if (!IsValidLabelName(k) || k == kMetricName) errs.Add("invalid label name: " + k);
  }
  const YAML::Node rules = node["rules"];
  if (rules && !rules.IsNull()) {
    if (!rules.IsSequence()) {
      errs.Add(Pos(rules) + "cannot unmarshal rules: expected a sequence");
      return;
    }
    for (size_t i = 0; i < rules.size(); ++i) ParseRule(rules[i], static_cast<int>(i), &g, errs);
  }
  file->groups.push_back(std::move(g));
}

}  // namespace

size_t RuleFileSpec::NumRules() const {
  size_t n = 0;
  for (const auto& g : groups) n += g.rules.size();
  return n;
}

RuleFileSpec ParseRuleFile(std::string_view content, const std::string& path) {
  RuleFileSpec file;
  file.path = path;
  Errors errs{path, &file.errors};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(content));
  } catch (const YAML::Exception& e) {
    errs.Add(std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
             ": yaml: " + e.msg);
    return file;
  }
  try {
    if (!root || root.IsNull()) return file;  // empty file: zero groups, like promtool
    if (!root.IsMap()) {
      errs.Add(Pos(root) + "cannot unmarshal into rulefmt.RuleGroups: expected a mapping");
      return file;
    }
    if (!CheckKeys(root, {"groups"}, "rulefmt.RuleGroups", errs)) return file;
    const YAML::Node groups = root["groups"];
    if (!groups || groups.IsNull()) return file;
    if (!groups.IsSequence()) {
      errs.Add(Pos(groups) + "cannot unmarshal groups: expected a sequence");
      return file;
    }
    std::set<std::string> names;
    for (const auto& g : groups) ParseGroup(g, &names, &file, errs);
  } catch (const YAML::Exception& e) {
    errs.Add(std::string("yaml: ") + e.what());
  }
  return file;
}

RuleFileSpec LoadRuleFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    RuleFileSpec f;
    f.path = path;
    f.errors.push_back(path + ": open " + path + ": no such file or directory");
    return f;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseRuleFile(ss.str(), path);
}

}  // namespace tidemark::alerting
