// promtool-format rule unit tests (`tidemark test rules FILE...`): input series in the expanding
// notation, rule files evaluated by our query engine and rule groups on simulated time (each
// evaluation gets its timestamp; no wall clock is read), alert and PromQL expectations.
#pragma once

#include <string>
#include <vector>

namespace tidemark::alerting {

struct RuleTestFileResult {
  std::vector<std::string> warnings;  // promtool's "  WARNING: ..." lines (stdout)
  std::vector<std::string> errors;    // one per failed check, promtool's text; empty = passed
};

// Runs every test group of one unit-test file.
RuleTestFileResult RunRuleTestFile(const std::string& path);

}  // namespace tidemark::alerting
