// RangeCacheable: which expressions have step values that do not depend on the query's range
// (the condition for splicing cached steps; Thanos and Cortex refuse `@` and negative offsets
// for the same reason).
#include "tidemark/query/range_cache.h"

namespace tidemark::query {

namespace {

bool SelectorCacheable(const VectorSelector& vs) {
  // A negative offset reads samples after the step, which may not have arrived when it was
  // cached; `@` and duration expressions (step(), range()) depend on the query itself;
  // `smoothed` interpolates with the sample after the window.
  return vs.at.kind == AtKind::kNone && vs.offset_ms >= 0 && !vs.offset_expr && !vs.anchored &&
         !vs.smoothed;
}

}  // namespace

bool RangeCacheable(const Expr& expr) {
  switch (expr.kind) {
    case NodeKind::kNumber:
    case NodeKind::kString:
      return true;
    case NodeKind::kVectorSelector:
      return SelectorCacheable(static_cast<const VectorSelector&>(expr));
    case NodeKind::kMatrixSelector: {
      const auto& m = static_cast<const MatrixSelector&>(expr);
      return !m.range_expr && m.vs && SelectorCacheable(*m.vs);
    }
    case NodeKind::kParen:
      return RangeCacheable(*static_cast<const ParenExpr&>(expr).expr);
    case NodeKind::kUnary:
      return RangeCacheable(*static_cast<const UnaryExpr&>(expr).expr);
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(expr);
      return RangeCacheable(*b.lhs) && RangeCacheable(*b.rhs);
    }
    case NodeKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(expr);
      return RangeCacheable(*a.expr) && (!a.param || RangeCacheable(*a.param));
    }
    case NodeKind::kCall: {
      for (const ExprPtr& arg : static_cast<const Call&>(expr).args) {
        if (!RangeCacheable(*arg)) return false;
      }
      return true;
    }
    // Subqueries are left to the engine: their inner steps, defaults and offsets make the
    // argument longer than the benefit on dashboards, which rarely use them.
    case NodeKind::kSubquery:
      return false;
  }
  return false;
}

}  // namespace tidemark::query
