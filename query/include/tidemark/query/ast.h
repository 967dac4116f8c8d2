// The typed PromQL syntax tree produced by ParseExpr and consumed by the evaluator.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tidemark/storage/matcher.h"
#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::query {

enum class ValueKind : uint8_t { kNone, kScalar, kString, kVector, kMatrix };
std::string_view ValueKindName(ValueKind k);  // "scalar", "string", "instant vector", "range vector"

// Byte offsets [start, end) into the query text, for error messages.
struct PosRange {
  int start = 0;
  int end = 0;
};

enum class NodeKind : uint8_t {
  kNumber, kString, kVectorSelector, kMatrixSelector, kSubquery, kParen, kUnary, kBinary,
  kAggregate, kCall
};

struct Expr {
  explicit Expr(NodeKind k) : kind(k) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;
  NodeKind kind;
  PosRange pos;
  ValueKind Type() const;  // the static type, as Prometheus' type checker computes it
};
using ExprPtr = std::unique_ptr<Expr>;

struct NumberLiteral : Expr {
  NumberLiteral() : Expr(NodeKind::kNumber) {}
  double value = 0;
  bool duration = false;  // written as a duration (`5m`): value is in seconds, printed as a duration
};

struct StringLiteral : Expr {
  StringLiteral() : Expr(NodeKind::kString) {}
  std::string value;
};

// `@` modifier: a fixed time, or start()/end() of the query (resolved at evaluation).
enum class AtKind : uint8_t { kNone, kTimestamp, kStart, kEnd };
struct AtModifier {
  AtKind kind = AtKind::kNone;
  Timestamp timestamp = 0;  // ms, for kTimestamp
};

struct VectorSelector : Expr {
  VectorSelector() : Expr(NodeKind::kVectorSelector) {}
  std::string name;           // metric name if given outside braces, else ""
  Matchers matchers;          // includes the __name__ matcher for `name`
  int64_t offset_ms = 0;      // may be negative
  AtModifier at;
  // Experimental duration expression for the offset (`offset step()`, `offset (5m-1m)`): a scalar
  // tree of numbers (seconds), + - * / % ^, parens, step(), range(), min_of(), max_of(). When it
  // is constant, offset_ms already holds its value; otherwise the evaluator computes it.
  ExprPtr offset_expr;
  bool anchored = false;  // experimental extended range selectors (`x[1m] anchored`)
  bool smoothed = false;  // `x[1m] smoothed`
};

struct MatrixSelector : Expr {
  MatrixSelector() : Expr(NodeKind::kMatrixSelector) {}
  std::unique_ptr<VectorSelector> vs;  // offset/@ live on vs
  int64_t range_ms = 0;
  ExprPtr range_expr;  // duration expression (`[5m+1m]`, `[step()]`); see offset_expr
};

struct SubqueryExpr : Expr {
  SubqueryExpr() : Expr(NodeKind::kSubquery) {}
  ExprPtr expr;
  int64_t range_ms = 0;
  int64_t step_ms = 0;  // 0 = use the default evaluation interval
  int64_t offset_ms = 0;
  AtModifier at;
  ExprPtr range_expr;   // duration expressions, see VectorSelector::offset_expr
  ExprPtr step_expr;
  ExprPtr offset_expr;
};

struct ParenExpr : Expr {
  ParenExpr() : Expr(NodeKind::kParen) {}
  ExprPtr expr;
};

struct UnaryExpr : Expr {
  UnaryExpr() : Expr(NodeKind::kUnary) {}
  char op = '-';  // '-' or '+'
  ExprPtr expr;
};

enum class BinOp : uint8_t {
  kAdd, kSub, kMul, kDiv, kMod, kPow, kAtan2,
  kEql, kNeq, kGtr, kLss, kGte, kLte,
  kAnd, kOr, kUnless,
  kTrimUpper, kTrimLower,  // `</` and `>/`: native-histogram trim operators (comparison precedence)
};
std::string_view BinOpString(BinOp op);  // "+", "==", "and", "atan2", ...
bool IsComparison(BinOp op);
bool IsSetOp(BinOp op);

enum class Cardinality : uint8_t { kOneToOne, kManyToOne, kOneToMany, kManyToMany };

struct VectorMatching {
  Cardinality card = Cardinality::kOneToOne;
  bool on = false;                    // true: on(labels); false: ignoring(labels)
  std::vector<std::string> labels;    // the on/ignoring list
  std::vector<std::string> include;   // group_left/group_right extra labels
  // Experimental fill modifiers (`fill(0)`, `fill_left(1)`, `fill_right(2)`).
  std::optional<double> fill_lhs;
  std::optional<double> fill_rhs;
};

struct BinaryExpr : Expr {
  BinaryExpr() : Expr(NodeKind::kBinary) {}
  BinOp op = BinOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  bool return_bool = false;
  // Set when both sides are vectors (also when no on/ignoring was written: then on=false, empty).
  std::optional<VectorMatching> matching;
};

enum class AggOp : uint8_t {
  kSum, kAvg, kCount, kMin, kMax, kGroup, kStddev, kStdvar, kTopk, kBottomk, kQuantile,
  kCountValues, kLimitK, kLimitRatio
};
std::string_view AggOpString(AggOp op);

struct AggregateExpr : Expr {
  AggregateExpr() : Expr(NodeKind::kAggregate) {}
  AggOp op = AggOp::kSum;
  ExprPtr expr;
  ExprPtr param;                        // topk/bottomk/quantile/count_values/limitk/limit_ratio
  std::vector<std::string> grouping;    // by/without list
  bool without = false;
  bool has_grouping = false;            // a by()/without() clause was written (even if empty)
};

struct FunctionInfo {
  std::string name;
  std::vector<ValueKind> arg_types;
  int variadic = 0;  // 0: exact arity; >0: up to this many optional trailing args; -1: unbounded
  ValueKind return_type = ValueKind::kVector;
  bool experimental = false;
};
// nullptr if unknown.
const FunctionInfo* LookupFunction(std::string_view name);

struct Call : Expr {
  Call() : Expr(NodeKind::kCall) {}
  const FunctionInfo* func = nullptr;
  std::vector<ExprPtr> args;
};

// Every entry of the function table, in name order (for docs and tests).
const std::vector<FunctionInfo>& AllFunctions();

// Evaluates a duration expression (VectorSelector::offset_expr and friends) to milliseconds,
// given the query's step and range (both ms; range is end-start of a range query, 0 for instant).
Result<int64_t> EvalDurationExpr(const Expr& expr, int64_t step_ms, int64_t range_ms);

// Deepest nesting of parentheses/calls/aggregations/unary operators ParseExpr accepts, and the
// longest chain of binary operators; both bound recursion (parser, checker, printer, evaluator)
// so hostile input gets an error instead of a stack overflow.
inline constexpr int kMaxParseDepth = 256;
inline constexpr int kMaxBinaryChain = 10000;

// Parses a PromQL expression. Errors are InvalidArgument with Prometheus-style text,
// e.g. "1:8: parse error: unexpected <by> in aggregation".
Result<ExprPtr> ParseExpr(std::string_view input);
// Parses a series selector for match[] parameters (`up`, `{job="a"}`), into matchers.
Result<Matchers> ParseMetricSelector(std::string_view input);
// Renders an expression back to PromQL text, the way Prometheus' String() does (format_query).
std::string FormatExpr(const Expr& expr);

}  // namespace tidemark::query
