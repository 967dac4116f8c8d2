// The `otlp:` section with Prometheus' keys, defaults and load-time checks (config.OTLPConfig).
#include "otlp_config.h"

#include <set>
#include <string>
#include <vector>

namespace tidemark::app {
namespace {

Status Bad(const std::string& msg) { return Status::InvalidArgument("config: otlp: " + msg); }

// Trimmed attribute names; empty or repeated ones are errors, as in Prometheus.
Result<std::vector<std::string>> Attributes(const YAML::Node& n, const std::string& key,
                                            const std::string& adjective) {
  if (!n.IsSequence()) return Bad(key + " must be a list of attribute names");
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& item : n) {
    std::string a = item.as<std::string>();
    a.erase(0, a.find_first_not_of(" \t"));
    a.erase(a.find_last_not_of(" \t") + 1);
    if (a.empty()) return Bad("invalid '" + key + "': empty " + adjective + " OTel resource attribute");
    if (!seen.insert(a).second) {
      return Bad("invalid '" + key + "': duplicated " + adjective + " OTel resource attribute \"" + a + "\"");
    }
    out.push_back(a);
  }
  return out;
}

}  // namespace

Status ParseOtlpSection(const YAML::Node& n, ingest::IngestOptions::Otlp* out) {
  ingest::IngestOptions::Otlp o;
  if (n.IsNull()) {
    *out = o;
    return Status::OK();
  }
  if (!n.IsMap()) return Bad("must be a mapping");
  for (const auto& kv : n) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "promote_resource_attributes") {
      TM_ASSIGN_OR_RETURN(o.promote_resource_attributes, Attributes(v, key, "promoted"));
    } else if (key == "ignore_resource_attributes") {
      TM_ASSIGN_OR_RETURN(o.ignore_resource_attributes, Attributes(v, key, "ignored"));
    } else if (key == "promote_all_resource_attributes") {
      o.promote_all_resource_attributes = v.as<bool>();
    } else if (key == "keep_identifying_resource_attributes") {
      o.keep_identifying_resource_attributes = v.as<bool>();
    } else if (key == "translation_strategy") {
      const std::string s = v.as<std::string>();
      if (s == "UnderscoreEscapingWithSuffixes") {
        o.add_suffixes = true;
      } else if (s == "UnderscoreEscapingWithoutSuffixes") {
        o.add_suffixes = false;
      } else if (s == "NoUTF8EscapingWithSuffixes" || s == "NoTranslation") {
        return Bad("translation_strategy " + s +
                   " keeps UTF-8 metric and label names, which Tidemark does not store; use "
                   "UnderscoreEscapingWithSuffixes or UnderscoreEscapingWithoutSuffixes");
      } else {
        return Bad("unknown translation_strategy \"" + s + "\"");
      }
    } else if (key == "convert_histograms_to_nhcb" || key == "promote_scope_metadata") {
      // Off is what Tidemark does; on needs native histograms / scope labels it does not have.
      if (v.as<bool>()) return Bad(key + ": true is not supported by Tidemark");
    } else if (key == "label_name_underscore_sanitization" ||
               key == "label_name_preserve_multiple_underscores") {
      return Bad(key + " is not supported: Tidemark always prefixes \"key\" to a label name with "
                       "one leading underscore and keeps repeated underscores");
    } else {
      return Bad("unknown key \"" + key + "\"");
    }
  }
  if (o.promote_all_resource_attributes) {
    if (!o.promote_resource_attributes.empty()) {
      return Bad("'promote_all_resource_attributes' and 'promote_resource_attributes' cannot be "
                 "configured simultaneously");
    }
  } else if (!o.ignore_resource_attributes.empty()) {
    return Bad("'ignore_resource_attributes' cannot be configured unless "
               "'promote_all_resource_attributes' is true");
  }
  *out = std::move(o);
  return Status::OK();
}

void EmitOtlpSection(YAML::Emitter& e, const ingest::IngestOptions::Otlp& o) {
  e << YAML::Key << "otlp" << YAML::Value << YAML::BeginMap;
  if (o.promote_all_resource_attributes) {
    e << YAML::Key << "promote_all_resource_attributes" << YAML::Value << true;
    if (!o.ignore_resource_attributes.empty()) {
      e << YAML::Key << "ignore_resource_attributes" << YAML::Value << o.ignore_resource_attributes;
    }
  } else if (!o.promote_resource_attributes.empty()) {
    e << YAML::Key << "promote_resource_attributes" << YAML::Value << o.promote_resource_attributes;
  }
  e << YAML::Key << "translation_strategy" << YAML::Value
    << (o.add_suffixes ? "UnderscoreEscapingWithSuffixes" : "UnderscoreEscapingWithoutSuffixes");
  if (o.keep_identifying_resource_attributes) {
    e << YAML::Key << "keep_identifying_resource_attributes" << YAML::Value << true;
  }
  e << YAML::EndMap;
}

}  // namespace tidemark::app
