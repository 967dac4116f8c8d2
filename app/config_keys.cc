// Unknown-key refusal and key paths for the YAML config decoders.
#include "config_keys.h"

namespace tidemark::app {

std::string YamlPath(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

Status UnknownKeys(const YAML::Node& n, const std::string& where, const std::set<std::string>& known) {
  if (!n.IsMap()) return Status::InvalidArgument("config: " + (where.empty() ? "top level" : where) + " must be a mapping");
  for (const auto& kv : n) {
    std::string k = kv.first.as<std::string>();
    if (!known.count(k)) {
      return Status::InvalidArgument("config: unknown field \"" + YamlPath(where, k) + "\"" +
                                     " (line " + std::to_string(kv.first.Mark().line + 1) + ")");
    }
  }
  return Status::OK();
}

}  // namespace tidemark::app
