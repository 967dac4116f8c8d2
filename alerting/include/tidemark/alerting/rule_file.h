// Prometheus-format rule files: parsing with yaml-cpp and promtool-equivalent validation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tidemark/alerting/manager.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::alerting {

using StringPairs = std::vector<std::pair<std::string, std::string>>;  // in file order

struct RuleSpec {
  RuleType type = RuleType::kAlerting;
  std::string name;  // `alert` or `record`
  std::string expr;
  int64_t for_ms = 0;
  int64_t keep_firing_for_ms = 0;
  StringPairs labels;
  StringPairs annotations;
  int line = 0;  // 1-based line of the rule in its file
};

struct GroupSpec {
  std::string name;
  std::string file;
  int64_t interval_ms = 0;  // 0 = the manager's default evaluation interval
  int64_t limit = 0;
  int64_t query_offset_ms = 0;
  StringPairs labels;  // group-level labels (newer Prometheus), added to every rule
  std::vector<RuleSpec> rules;
};

struct RuleFileSpec {
  std::string path;
  std::vector<GroupSpec> groups;
  std::vector<std::string> errors;  // "path: line:col: reason" (empty = valid)
  size_t NumRules() const;
};

// Parses and validates rule-file content. Never throws; all problems land in `errors`.
RuleFileSpec ParseRuleFile(std::string_view content, const std::string& path);
// Reads then parses a file; a read failure is reported in `errors`.
RuleFileSpec LoadRuleFile(const std::string& path);

// Prometheus duration ("1h30m", "5m", "0"): units y w d h m s ms. Error text like Prometheus'.
Result<int64_t> ParsePromDuration(std::string_view s);

// Expands glob patterns into sorted file paths (patterns without matches yield nothing).
std::vector<std::string> ExpandGlobs(const std::vector<std::string>& patterns);

}  // namespace tidemark::alerting
