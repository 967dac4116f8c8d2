// relabel_configs YAML decoding: Prometheus' relabel.Config field names, its defaults (applied
// before the fields are read, so an explicit null empties a field as yaml.v2 does) and validation.
#include "relabel_yaml.h"

#include "config_keys.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::app {
namespace {

Status FieldError(const std::string& path, const std::string& message) {
  return Status::InvalidArgument("config: " + path + ": " + message);
}

Result<std::string> Scalar(const YAML::Node& n, const std::string& path) {
  if (n.IsNull()) return std::string();
  if (!n.IsScalar()) return FieldError(path, "must be a string");
  return n.Scalar();
}

Result<relabel::Config> ParseRule(const YAML::Node& n, const std::string& where) {
  TM_RETURN_IF_ERROR(UnknownKeys(n, where, {"source_labels", "separator", "regex", "modulus",
                                            "target_label", "replacement", "action"}));
  relabel::Config c;
  if (auto sl = n["source_labels"]; sl && !sl.IsNull()) {
    if (!sl.IsSequence()) return FieldError(where + ".source_labels", "must be a list");
    for (const auto& x : sl) {
      TM_ASSIGN_OR_RETURN(std::string name, Scalar(x, where + ".source_labels"));
      // Prometheus 3.x checks label names as UTF-8 (model.LabelName's YAML decoding).
      if (name.empty() || !ValidUtf8(name)) {
        return FieldError(where + ".source_labels", Quote(name) + " is not a valid label name");
      }
      c.source_labels.push_back(std::move(name));
    }
  }
  if (auto v = n["separator"]) {
    TM_ASSIGN_OR_RETURN(c.separator, Scalar(v, where + ".separator"));
  }
  if (auto v = n["regex"]) {
    TM_ASSIGN_OR_RETURN(c.regex, Scalar(v, where + ".regex"));
  }
  if (auto v = n["target_label"]) {
    TM_ASSIGN_OR_RETURN(c.target_label, Scalar(v, where + ".target_label"));
  }
  if (auto v = n["replacement"]) {
    TM_ASSIGN_OR_RETURN(c.replacement, Scalar(v, where + ".replacement"));
  }
  if (auto v = n["modulus"]; v && !v.IsNull()) {
    TM_ASSIGN_OR_RETURN(std::string s, Scalar(v, where + ".modulus"));
    auto m = ParseInt(s, 0);
    if (!m.ok() || *m < 0) {
      return FieldError(where + ".modulus", "cannot unmarshal " + Quote(s) + " into uint64");
    }
    c.modulus = static_cast<uint64_t>(*m);
  }
  if (auto v = n["action"]) {
    TM_ASSIGN_OR_RETURN(std::string s, Scalar(v, where + ".action"));
    if (v.IsNull()) return FieldError(where + ".action", "relabel action cannot be empty");
    auto a = relabel::ParseAction(s);
    if (!a.ok()) return FieldError(where + ".action", a.status().message());
    c.action = *a;
  }
  // Validate's message starts with the field it blames.
  Status st = relabel::Validate(c);
  if (!st.ok()) return Status::InvalidArgument("config: " + where + "." + st.message());
  return c;
}

}  // namespace

Result<std::vector<relabel::Config>> ParseRelabelConfigs(const YAML::Node& node,
                                                         std::string_view where) {
  std::vector<relabel::Config> out;
  if (!node || node.IsNull()) return out;
  const std::string w(where);
  if (!node.IsSequence()) return FieldError(w, "must be a list");
  try {
    for (size_t i = 0; i < node.size(); ++i) {
      TM_ASSIGN_OR_RETURN(auto c, ParseRule(node[i], w + "[" + std::to_string(i) + "]"));
      out.push_back(std::move(c));
    }
  } catch (const YAML::Exception& e) {
    return FieldError(w, e.what());
  }
  return out;
}

void EmitRelabelConfigs(YAML::Emitter& e, const std::vector<relabel::Config>& rules) {
  e << YAML::BeginSeq;
  for (const auto& r : rules) {
    e << YAML::BeginMap;
    if (!r.source_labels.empty()) {
      e << YAML::Key << "source_labels" << YAML::Value << YAML::Flow << r.source_labels;
    }
    e << YAML::Key << "separator" << YAML::Value << r.separator;
    e << YAML::Key << "regex" << YAML::Value << r.regex;
    if (r.modulus != 0) e << YAML::Key << "modulus" << YAML::Value << r.modulus;
    if (!r.target_label.empty()) e << YAML::Key << "target_label" << YAML::Value << r.target_label;
    e << YAML::Key << "replacement" << YAML::Value << r.replacement;
    e << YAML::Key << "action" << YAML::Value << std::string(relabel::ActionName(r.action));
    e << YAML::EndMap;
  }
  e << YAML::EndSeq;
}

}  // namespace tidemark::app
