// Public parser entry points: run the parser and turn its exceptions into Prometheus-style errors.
#include <string>

#include "parser/parser_impl.h"
#include "tidemark/query/ast.h"

namespace tidemark::query {
namespace {

// "line:col" (both 1-based; col counts bytes) of a byte offset, as Prometheus' StartPosInput.
std::string PositionText(std::string_view input, int pos) {
  if (input.empty()) return "unknown position";
  if (pos < 0 || static_cast<size_t>(pos) > input.size()) return "invalid position:";
  int line = 1;
  int last_break = -1;
  for (int i = 0; i < pos; ++i) {
    if (input[static_cast<size_t>(i)] == '\n') {
      ++line;
      last_break = i;
    }
  }
  return std::to_string(line) + ":" + std::to_string(pos - last_break);
}

Status ToStatus(std::string_view input, const parser::ParseError& e) {
  return Status::InvalidArgument(PositionText(input, e.pos.start) + ": parse error: " + e.message);
}

}  // namespace

Result<ExprPtr> ParseExpr(std::string_view input) {
  try {
    parser::Parser p(input);
    return p.ParseTopLevel();
  } catch (const parser::ParseError& e) {
    return ToStatus(input, e);
  }
}

Result<Matchers> ParseMetricSelector(std::string_view input) {
  try {
    parser::Parser p(input);
    return p.ParseSelectorOnly();
  } catch (const parser::ParseError& e) {
    return ToStatus(input, e);
  }
}

}  // namespace tidemark::query
