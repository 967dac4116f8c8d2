// The pieces of `tidemark check` (and `test`'s argument check): one file checked and reported on stdout/stderr as promtool does.
#pragma once

#include <string>
#include <vector>

namespace tidemark::app {

// `tidemark check|test <what> FILE...`: false (after saying so) when an argument is a flag, e.g.
// one of promtool's options (--lint, --syntax-only, --run, --junit) that Tidemark does not offer,
// rather than reading it as a file name.
bool OnlyFileArguments(const char* command, int argc, char** argv);

// promtool's "Checking FILE" line, flushed before the check's own output.
void PrintChecking(const std::string& path);
// "  SUCCESS: <success>" on stdout, or "  FAILED:" and each error (after `error_indent`) on
// stderr; true when there were no errors.
bool PrintVerdict(const std::vector<std::string>& errors, const char* error_indent,
                  const std::string& success);

// "Checking FILE" then "  SUCCESS: N rules found" or "  FAILED:" and the errors, each prefixed
// with `error_indent` (promtool indents them under `check config`, not under `check rules`).
bool CheckRuleFile(const std::string& path, const char* error_indent);

// The config file (as `serve --config.file` would load it, notification routes included), then
// each rule file and SLO file it names.
bool CheckConfigFile(const std::string& path);

}  // namespace tidemark::app
