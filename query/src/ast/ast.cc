// Small AST helpers: static types, operator names, durations.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "tidemark/query/ast.h"

namespace tidemark::promql {

std::string_view ValueKindName(ValueKind k) {
  switch (k) {
    case ValueKind::kNone: return "none";
    case ValueKind::kScalar: return "scalar";
    case ValueKind::kString: return "string";
    case ValueKind::kVector: return "instant vector";
    case ValueKind::kMatrix: return "range vector";
  }
  return "none";
}

ValueKind Expr::Type() const {
  switch (kind) {
    case NodeKind::kNumber: return ValueKind::kScalar;
    case NodeKind::kString: return ValueKind::kString;
    case NodeKind::kVectorSelector: return ValueKind::kVector;
    case NodeKind::kMatrixSelector: return ValueKind::kMatrix;
    case NodeKind::kSubquery: return ValueKind::kMatrix;
    case NodeKind::kParen: {
      const auto& p = static_cast<const ParenExpr&>(*this);
      return p.expr ? p.expr->Type() : ValueKind::kNone;
    }
    case NodeKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(*this);
      return u.expr ? u.expr->Type() : ValueKind::kNone;
    }
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(*this);
      if (b.lhs && b.rhs && b.lhs->Type() == ValueKind::kScalar &&
          b.rhs->Type() == ValueKind::kScalar) {
        return ValueKind::kScalar;
      }
      return ValueKind::kVector;
    }
    case NodeKind::kAggregate: return ValueKind::kVector;
    case NodeKind::kCall: {
      const auto& c = static_cast<const Call&>(*this);
      return c.func ? c.func->return_type : ValueKind::kNone;
    }
    case NodeKind::kStepInvariant:
      // The parser never creates this node; the evaluator's wrapper knows its child's type.
      return ValueKind::kNone;
  }
  return ValueKind::kNone;
}

std::string_view BinOpString(BinOp op) {
  switch (op) {
    case BinOp::kAdd: return "+";
    case BinOp::kSub: return "-";
    case BinOp::kMul: return "*";
    case BinOp::kDiv: return "/";
    case BinOp::kMod: return "%";
    case BinOp::kPow: return "^";
    case BinOp::kAtan2: return "atan2";
    case BinOp::kEql: return "==";
    case BinOp::kNeq: return "!=";
    case BinOp::kGtr: return ">";
    case BinOp::kLss: return "<";
    case BinOp::kGte: return ">=";
    case BinOp::kLte: return "<=";
    case BinOp::kAnd: return "and";
    case BinOp::kOr: return "or";
    case BinOp::kUnless: return "unless";
    case BinOp::kTrimUpper: return "</";
    case BinOp::kTrimLower: return ">/";
  }
  return "?";
}

bool IsComparison(BinOp op) {
  switch (op) {
    case BinOp::kEql:
    case BinOp::kNeq:
    case BinOp::kGtr:
    case BinOp::kLss:
    case BinOp::kGte:
    case BinOp::kLte:
      return true;
    default:
      return false;
  }
}

bool IsSetOp(BinOp op) { return op == BinOp::kAnd || op == BinOp::kOr || op == BinOp::kUnless; }

std::string_view AggOpString(AggOp op) {
  switch (op) {
    case AggOp::kSum: return "sum";
    case AggOp::kAvg: return "avg";
    case AggOp::kCount: return "count";
    case AggOp::kMin: return "min";
    case AggOp::kMax: return "max";
    case AggOp::kGroup: return "group";
    case AggOp::kStddev: return "stddev";
    case AggOp::kStdvar: return "stdvar";
    case AggOp::kTopk: return "topk";
    case AggOp::kBottomk: return "bottomk";
    case AggOp::kQuantile: return "quantile";
    case AggOp::kCountValues: return "count_values";
    case AggOp::kLimitK: return "limitk";
    case AggOp::kLimitRatio: return "limit_ratio";
  }
  return "?";
}

namespace {

constexpr int64_t kMsPerSecond = 1000;
constexpr int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;
constexpr int64_t kMsPerWeek = 7 * kMsPerDay;
constexpr int64_t kMsPerYear = 365 * kMsPerDay;

Status BadDuration(std::string_view input) {
  return Status::InvalidArgument("not a valid duration string: \"" + std::string(input) + "\"");
}

}  // namespace

// Same language as Prometheus' model.ParseDuration: components y w d h m s ms, each an unsigned
// integer, biggest unit first, each at most once; "0" alone is allowed. Like Prometheus the
// total must fit a Go time.Duration (int64 nanoseconds, about 292 years).
Result<int64_t> ParseDuration(std::string_view input) {
  if (input == "0") return int64_t{0};
  if (input.empty()) return Status::InvalidArgument("empty duration string");
  struct Unit {
    std::string_view name;
    int64_t ms;
  };
  static constexpr Unit kUnits[] = {{"y", kMsPerYear}, {"w", kMsPerWeek},   {"d", kMsPerDay},
                                    {"h", kMsPerHour}, {"m", kMsPerMinute}, {"s", kMsPerSecond},
                                    {"ms", 1}};
  constexpr uint64_t kMaxNs = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t pos = 0;
  size_t next_unit = 0;  // units must appear in kUnits order
  uint64_t total_ns = 0;
  while (pos < input.size()) {
    if (!is_digit(input[pos])) return BadDuration(input);
    uint64_t n = 0;
    bool overflow = false;
    while (pos < input.size() && is_digit(input[pos])) {
      if (n > (kMaxNs - 9) / 10) overflow = true;
      n = n * 10 + static_cast<uint64_t>(input[pos] - '0');
      ++pos;
    }
    if (overflow) return BadDuration(input);
    size_t unit_start = pos;
    while (pos < input.size() && !is_digit(input[pos])) ++pos;
    if (pos == unit_start) return BadDuration(input);
    std::string_view unit = input.substr(unit_start, pos - unit_start);
    size_t u = 0;
    while (u < std::size(kUnits) && kUnits[u].name != unit) ++u;
    if (u == std::size(kUnits)) {
      return Status::InvalidArgument("unknown unit \"" + std::string(unit) + "\" in duration \"" +
                                     std::string(input) + "\"");
    }
    if (u < next_unit) return BadDuration(input);
    next_unit = u + 1;
    uint64_t mult_ns = static_cast<uint64_t>(kUnits[u].ms) * 1000000u;
    if (n > (kMaxNs + 1) / mult_ns) return Status::InvalidArgument("duration out of range");
    total_ns += n * mult_ns;
    if (total_ns > kMaxNs) return Status::InvalidArgument("duration out of range");
  }
  return static_cast<int64_t>(total_ns / 1000000u);
}

// Mirrors model.Duration.String(): years and weeks only when they divide exactly.
std::string FormatDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = ms == std::numeric_limits<int64_t>::min() ? std::numeric_limits<int64_t>::max() : -ms;
  }
  auto part = [&](const char* unit, int64_t mult, bool exact) {
    if (exact && ms % mult != 0) return;
    int64_t v = ms / mult;
    if (v > 0) {
      out += std::to_string(v);
      out += unit;
      ms -= v * mult;
    }
  };
  part("y", kMsPerYear, true);
  part("w", kMsPerWeek, true);
  part("d", kMsPerDay, false);
  part("h", kMsPerHour, false);
  part("m", kMsPerMinute, false);
  part("s", kMsPerSecond, false);
  part("ms", 1, false);
  return out;
}

namespace {

Result<double> EvalDurationSeconds(const Expr& e, double step_s, double range_s, int depth) {
  if (depth > kMaxParseDepth) return Status::InvalidArgument("duration expression too deep");
  switch (e.kind) {
    case NodeKind::kNumber: return static_cast<const NumberLiteral&>(e).value;
    case NodeKind::kParen:
      return EvalDurationSeconds(*static_cast<const ParenExpr&>(e).expr, step_s, range_s,
                                 depth + 1);
    case NodeKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      TM_ASSIGN_OR_RETURN(double v, EvalDurationSeconds(*u.expr, step_s, range_s, depth + 1));
      return u.op == '-' ? -v : v;
    }
    case NodeKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      std::string_view name = c.func ? std::string_view(c.func->name) : std::string_view();
      if (name == "step") return step_s;
      if (name == "range") return range_s;
      if ((name == "min_of" || name == "max_of") && c.args.size() == 2) {
        TM_ASSIGN_OR_RETURN(double a, EvalDurationSeconds(*c.args[0], step_s, range_s, depth + 1));
        TM_ASSIGN_OR_RETURN(double b, EvalDurationSeconds(*c.args[1], step_s, range_s, depth + 1));
        return name == "min_of" ? std::min(a, b) : std::max(a, b);
      }
      return Status::InvalidArgument("unsupported function in duration expression");
    }
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      TM_ASSIGN_OR_RETURN(double l, EvalDurationSeconds(*b.lhs, step_s, range_s, depth + 1));
      TM_ASSIGN_OR_RETURN(double r, EvalDurationSeconds(*b.rhs, step_s, range_s, depth + 1));
      switch (b.op) {
        case BinOp::kAdd: return l + r;
        case BinOp::kSub: return l - r;
        case BinOp::kMul: return l * r;
        case BinOp::kDiv:
          if (r == 0) return Status::InvalidArgument("division by zero");
          return l / r;
        case BinOp::kMod:
          if (r == 0) return Status::InvalidArgument("modulo by zero");
          return std::fmod(l, r);
        case BinOp::kPow: return std::pow(l, r);
        default: break;
      }
      return Status::InvalidArgument("unsupported operator in duration expression");
    }
    default:
      return Status::InvalidArgument("unsupported node in duration expression");
  }
}

}  // namespace

Result<int64_t> EvalDurationExpr(const Expr& expr, int64_t step_ms, int64_t range_ms) {
  TM_ASSIGN_OR_RETURN(double secs, EvalDurationSeconds(expr, static_cast<double>(step_ms) / 1000.0,
                                                       static_cast<double>(range_ms) / 1000.0, 0));
  double ms = std::round(secs * 1000.0);
  if (!std::isfinite(ms) || ms > 9.2e18 || ms < -9.2e18) {
    return Status::InvalidArgument("duration out of range");
  }
  return static_cast<int64_t>(ms);
}

}  // namespace tidemark::promql
