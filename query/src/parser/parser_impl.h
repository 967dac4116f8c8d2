// Recursive-descent PromQL parser over the PEGTL token stream; errors mirror Prometheus' texts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/lexer.h"
#include "tidemark/query/ast.h"

namespace tidemark::query::parser {

// Thrown inside the parser only (style.md allows it); ParseExpr turns it into a Status.
struct ParseError {
  PosRange pos;
  std::string message;
};

// Keywords are context dependent in PromQL, so the lexer only yields identifiers and the parser
// classifies them.
enum class Kw : uint8_t {
  kNone,
  kAnd, kOr, kUnless, kAtan2,
  kSum, kAvg, kCount, kMin, kMax, kGroup, kStddev, kStdvar, kTopk, kBottomk, kQuantile,
  kCountValues, kLimitK, kLimitRatio,
  kOffset, kSmoothed, kAnchored, kBy, kWithout, kOn, kIgnoring, kGroupLeft, kGroupRight,
  kFill, kFillLeft, kFillRight, kBool,
  kStart, kEnd, kStep, kRange, kMaxOf, kMinOf,
};

Kw KeywordOf(std::string_view ident);
bool IsAggregatorKw(Kw k);
// Prometheus' description of a token for "unexpected ..." messages.
std::string DescribeToken(const Token& t, Kw kw);
// Decodes a string token ("...", '...', `...`), Go escapes included.
// Go's strconv.ParseInt(s, 0, 64) then ParseFloat fallback, as Prometheus' number().
Result<double> ParseNumber(std::string_view text);

class Parser {
 public:
  explicit Parser(std::string_view input);

  ExprPtr ParseTopLevel();
  Matchers ParseSelectorOnly();

 private:
  // --- token access
  const Token& Peek(size_t ahead = 0) const;
  Kw PeekKw(size_t ahead = 0) const;
  const Token& Next();
  bool IsOp(Tok t) const { return Peek().type == t; }
  [[noreturn]] void Fail(PosRange pos, std::string message) const;
  // "unexpected <token> [in context][, expected ...]" at the current token.
  [[noreturn]] void Unexpected(std::string_view context, std::string_view expected) const;
  std::string_view GenericContext() const { return agg_depth_ > 0 ? "aggregation" : ""; }
  void Enter(int pos);
  void Leave() { --depth_; }

  // --- expressions (parse_expr.cc)
  ExprPtr ParseBinary(int min_prec);
  ExprPtr ParseUnary();
  ExprPtr ParsePostfix();
  ExprPtr ParsePrimary();
  ExprPtr ParseAggregate(Kw kw);
  ExprPtr ParseCall();
  std::vector<ExprPtr> ParseCallBody(int* close_end);
  std::vector<std::string> ParseGroupingLabels();
  void ParseBinaryModifiers(BinaryExpr& b);
  double ParseFillValue();

  // --- selectors, modifiers, durations (parse_selector.cc)
  ExprPtr ParseVectorSelector();
  void ParseLabelMatchers(VectorSelector& vs);
  ExprPtr ParseRangeOrSubquery(ExprPtr base);
  void ParseOffset(Expr& target);
  void ParseAt(Expr& target);
  void ApplyExtended(Expr& target, Kw kw, const Token& tok);
  ExprPtr ParseDurationExpr(int min_prec);
  ExprPtr ParseDurationUnary();
  ExprPtr ParseDurationPrimary();
  ExprPtr ParseOffsetDuration();
  ExprPtr DurationKeywordCall(Kw kw, bool allow_args);
  ExprPtr NumberToken(const Token& t);

  std::string_view input_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  int agg_depth_ = 0;
  int binary_ops_ = 0;  // binary operators so far; bounds the depth of left-nested chains
  int last_closing_ = 0;  // end offset of the last ), ], } or literal consumed (Prometheus' lastClosing)
};

// Type checks after a successful parse, in Prometheus' checkAST order (check.cc).
void CheckAst(const Expr& e, std::string_view input);

// Static helpers shared by the parser files.
PosRange RangeOf(const Expr& e);
bool IsConstantDuration(const Expr& e);

}  // namespace tidemark::query::parser
