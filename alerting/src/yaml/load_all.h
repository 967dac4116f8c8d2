// Every document of a YAML stream, without the input on which yaml-cpp's LoadAll never returns.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "tidemark/storage/model/status.h"

namespace tidemark::alerting {

// YAML::LoadAll, except that it fails where yaml-cpp 0.7 loops forever: a token no node can start
// with (a stray `,`, as in "," or "- a\n,") is never consumed, so LoadAll returns null documents at
// the same place until memory runs out. Each document must start past the previous one, so a
// stream holds at most one document per byte. Errors read "<file>:<line>: yaml: <reason>"
// (`unexpected ","` for the loop).
Result<std::vector<YAML::Node>> LoadAllYaml(std::string_view text, const std::string& file);

}  // namespace tidemark::alerting
