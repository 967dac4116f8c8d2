// FindStepInvariant: Prometheus' rules (PreprocessExpr), with aggregation parameters checked too.
#include "eval/step_invariant.h"

#include <string_view>

namespace tidemark::query::eval {
namespace {

// Functions whose result depends on the evaluation time, or on the timestamps of their argument's
// samples, even when every argument is pinned (Prometheus' AtModifierUnsafeFunctions).
bool TimeDependent(std::string_view name) {
  for (std::string_view f : {"days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour",
                             "minute", "month", "year", "predict_linear", "time", "timestamp"}) {
    if (name == f) return true;
  }
  return false;
}

bool Constant(const Expr& e) {
  switch (e.kind) {
    case NodeKind::kNumber:
    case NodeKind::kString: return true;
    case NodeKind::kParen: return Constant(*static_cast<const ParenExpr&>(e).expr);
    case NodeKind::kUnary: return Constant(*static_cast<const UnaryExpr&>(e).expr);
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      return Constant(*b.lhs) && Constant(*b.rhs);
    }
    default: return false;
  }
}

class Finder {
 public:
  explicit Finder(std::vector<const Expr*>* out) : out_(out) {}

  // Whether e is step-invariant; keeps the invariant children of a node that is not.
  bool Walk(const Expr& e) {
    switch (e.kind) {
      case NodeKind::kNumber:
      case NodeKind::kString: return true;
      case NodeKind::kParen: return Walk(*static_cast<const ParenExpr&>(e).expr);
      case NodeKind::kUnary: return Walk(*static_cast<const UnaryExpr&>(e).expr);
      case NodeKind::kVectorSelector:
        return static_cast<const VectorSelector&>(e).at.kind != AtKind::kNone;
      case NodeKind::kMatrixSelector:
        return static_cast<const MatrixSelector&>(e).vs->at.kind != AtKind::kNone;
      case NodeKind::kSubquery: {
        // The inner expression is evaluated at the subquery's own steps: pinned, it is the
        // same at each of them too.
        const auto& sq = static_cast<const SubqueryExpr&>(e);
        if (Walk(*sq.expr)) Keep(*sq.expr);
        return sq.at.kind != AtKind::kNone;
      }
      case NodeKind::kBinary: {
        const auto& b = static_cast<const BinaryExpr&>(e);
        return Children({b.lhs.get(), b.rhs.get()});
      }
      case NodeKind::kAggregate: {
        const auto& a = static_cast<const AggregateExpr&>(e);
        return Children({a.expr.get(), a.param.get()});
      }
      case NodeKind::kCall: {
        const auto& c = static_cast<const Call&>(e);
        std::vector<const Expr*> args;
        for (const ExprPtr& a : c.args) args.push_back(a.get());
        return Children(args, c.func != nullptr && !TimeDependent(c.func->name));
      }
    }
    return false;
  }

  void Keep(const Expr& e) {
    const ValueKind type = e.Type();
    if (Constant(e) || (type != ValueKind::kVector && type != ValueKind::kScalar)) return;
    out_->push_back(&e);
  }

 private:
  // Whether the node is: `self` (its own operation does not read the time) and every (non-null)
  // child is. If not, keeps the children that are.
  bool Children(const std::vector<const Expr*>& children, bool self = true) {
    std::vector<const Expr*> invariant;
    bool all = self;
    for (const Expr* c : children) {
      if (c == nullptr) continue;
      if (Walk(*c)) {
        invariant.push_back(c);
      } else {
        all = false;
      }
    }
    if (!all) {
      for (const Expr* c : invariant) Keep(*c);
    }
    return all;
  }

  std::vector<const Expr*>* out_;
};

}  // namespace

void FindStepInvariant(const Expr& root, std::vector<const Expr*>* out) {
  Finder f(out);
  if (f.Walk(root)) f.Keep(root);
}

}  // namespace tidemark::query::eval
