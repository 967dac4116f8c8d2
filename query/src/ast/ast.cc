// Small AST helpers: static types, operator names, durations.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "tidemark/query/ast.h"

namespace tidemark::query {

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

}  // namespace tidemark::query
