// Shared YAML config decoding checks: a key path for messages, and refusal of unknown keys
// (a key is either understood or refused at load, never silently ignored).
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "tidemark/storage/model/status.h"

namespace tidemark::app {

// "parent.key", or "key" at the top level.
std::string YamlPath(const std::string& parent, const std::string& key);

// Fails with `config: unknown field "where.key" (line N)` for the first key of mapping `n` not in
// `known`, or when `n` is not a mapping.
Status UnknownKeys(const YAML::Node& n, const std::string& where, const std::set<std::string>& known);

}  // namespace tidemark::app
