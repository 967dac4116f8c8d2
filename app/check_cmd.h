// The pieces of `tidemark check`: one file checked and reported on stdout/stderr as promtool does.
#pragma once

#include <string>

namespace tidemark::app {

// "Checking FILE" then "  SUCCESS: N rules found" or "  FAILED:" and the errors, each prefixed
// with `error_indent` (promtool indents them under `check config`, not under `check rules`).
bool CheckRuleFile(const std::string& path, const char* error_indent);

// The config file (as `serve --config.file` would load it, notification routes included), then
// each rule file and SLO file it names.
bool CheckConfigFile(const std::string& path);

}  // namespace tidemark::app
