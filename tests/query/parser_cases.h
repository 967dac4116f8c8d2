// Case tables for parser_test.cc (kept apart so the test logic stays short).
#pragma once

#include <string>
#include <vector>

namespace tidemark::query::testing {

struct FormatCase {
  std::string input;
  std::string formatted;  // FormatExpr(ParseExpr(input))
};

struct ErrorCase {
  std::string input;
  std::string error;  // the full Status message, "line:col: parse error: ..."
};

const std::vector<FormatCase>& FormatCases();
const std::vector<ErrorCase>& ErrorCases();

}  // namespace tidemark::query::testing
