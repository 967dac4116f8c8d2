// Static type checks after parsing, in the order Prometheus' checkAST reports them.
#include <string>

#include "parser/parser_impl.h"

namespace tidemark::query::parser {
namespace {

bool IsSpaceChar(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class Checker {
 public:
  explicit Checker(std::string_view input) : input_(input) {}

  ValueKind Check(const Expr& e, int depth = 0) {
    if (depth > kMaxBinaryChain + 4 * kMaxParseDepth) Fail(e.pos, "expression nesting too deep");
    ValueKind type = e.Type();
    switch (e.kind) {
      case NodeKind::kAggregate: CheckAggregate(static_cast<const AggregateExpr&>(e), depth); break;
      case NodeKind::kBinary: CheckBinary(static_cast<const BinaryExpr&>(e), depth); break;
      case NodeKind::kCall: CheckCall(static_cast<const Call&>(e), depth); break;
      case NodeKind::kParen: Check(*static_cast<const ParenExpr&>(e).expr, depth + 1); break;
      case NodeKind::kUnary: {
        ValueKind t = Check(*static_cast<const UnaryExpr&>(e).expr, depth + 1);
        if (t != ValueKind::kScalar && t != ValueKind::kVector) {
          Fail(e.pos,
               "unary expression only allowed on expressions of type scalar or instant vector, "
               "got \"" + std::string(ValueKindName(t)) + "\"");
        }
        break;
      }
      case NodeKind::kSubquery: {
        ValueKind t = Check(*static_cast<const SubqueryExpr&>(e).expr, depth + 1);
        if (t != ValueKind::kVector) {
          // Prometheus prints the raw type name here ("matrix"), not the documented one.
          Fail(e.pos, "subquery is only allowed on instant vector, got " + RawTypeName(t) +
                          " instead");
        }
        break;
      }
      case NodeKind::kMatrixSelector:
        CheckSelector(*static_cast<const MatrixSelector&>(e).vs, false);
        break;
      case NodeKind::kVectorSelector:
        CheckSelector(static_cast<const VectorSelector&>(e), false);
        break;
      default: break;
    }
    return type;
  }

 private:
  [[noreturn]] void Fail(PosRange pos, std::string msg) const {
    throw ParseError{pos, std::move(msg)};
  }

  static std::string RawTypeName(ValueKind t) {
    switch (t) {
      case ValueKind::kVector: return "vector";
      case ValueKind::kMatrix: return "matrix";
      default: return std::string(ValueKindName(t));
    }
  }

  void ExpectType(const Expr& e, ValueKind want, std::string_view context, int depth) {
    ValueKind t = Check(e, depth + 1);
    if (t != want) {
      Fail(e.pos, "expected type " + std::string(ValueKindName(want)) + " in " +
                      std::string(context) + ", got " + std::string(ValueKindName(t)));
    }
  }

  void CheckAggregate(const AggregateExpr& a, int depth) {
    ExpectType(*a.expr, ValueKind::kVector, "aggregation expression", depth);
    if (a.param) {
      ValueKind want = a.op == AggOp::kCountValues ? ValueKind::kString : ValueKind::kScalar;
      ExpectType(*a.param, want, "aggregation parameter", depth);
    }
  }

  PosRange OpRange(const BinaryExpr& b) const {
    PosRange r;
    int start = b.lhs->pos.end;
    while (start < static_cast<int>(input_.size()) && IsSpaceChar(input_[static_cast<size_t>(start)])) {
      ++start;
    }
    int end = b.rhs->pos.start - 1;
    while (end > start && IsSpaceChar(input_[static_cast<size_t>(end)])) --end;
    r.start = start;
    r.end = end;
    return r;
  }

  void CheckBinary(const BinaryExpr& cb, int depth) {
    auto& b = const_cast<BinaryExpr&>(cb);  // normalises `matching` like Prometheus does
    ValueKind lt = Check(*b.lhs, depth + 1);
    ValueKind rt = Check(*b.rhs, depth + 1);
    if (b.return_bool && !IsComparison(b.op)) {
      Fail(OpRange(b), "bool modifier can only be used on comparison operators");
    }
    if (IsComparison(b.op) && !b.return_bool && lt == ValueKind::kScalar &&
        rt == ValueKind::kScalar) {
      Fail(OpRange(b), "comparisons between scalars must use BOOL modifier");
    }
    if (b.matching) {
      VectorMatching& vm = *b.matching;
      if (IsSetOp(b.op) && vm.card == Cardinality::kOneToOne) vm.card = Cardinality::kManyToMany;
      if (vm.on) {
        for (const auto& l1 : vm.labels) {
          for (const auto& l2 : vm.include) {
            if (l1 == l2) {
              Fail(OpRange(b), "label " + Quote(l1) + " must not occur in ON and GROUP clause at once");
            }
          }
        }
      }
    }
    if (lt != ValueKind::kScalar && lt != ValueKind::kVector) {
      Fail(b.lhs->pos, "binary expression must contain only scalar and instant vector types");
    }
    if (rt != ValueKind::kScalar && rt != ValueKind::kVector) {
      Fail(b.rhs->pos, "binary expression must contain only scalar and instant vector types");
    }
    std::string op_name(BinOpString(b.op));
    if ((lt != ValueKind::kVector || rt != ValueKind::kVector) && b.matching) {
      if (!b.matching->labels.empty()) {
        Fail(b.pos, "vector matching only allowed between instant vectors");
      }
      if (b.matching->fill_lhs || b.matching->fill_rhs) {
        Fail(b.pos, "filling in missing series only allowed between instant vectors");
      }
      b.matching.reset();
    } else if (IsSetOp(b.op) && b.matching) {
      const VectorMatching& vm = *b.matching;
      if (vm.card == Cardinality::kOneToMany || vm.card == Cardinality::kManyToOne) {
        Fail(b.pos, "no grouping allowed for \"" + op_name + "\" operation");
      }
      if (vm.card != Cardinality::kManyToMany) {
        Fail(b.pos, "set operations must always be many-to-many");
      }
      if (vm.fill_lhs || vm.fill_rhs) {
        Fail(b.pos, "filling in missing series not allowed for set operators");
      }
    }
    if ((lt == ValueKind::kScalar || rt == ValueKind::kScalar) && IsSetOp(b.op)) {
      Fail(b.pos, "set operator \"" + op_name + "\" not allowed in binary scalar expression");
    }
  }

  void CheckCall(const Call& c, int depth) {
    const FunctionInfo& f = *c.func;
    int nargs = static_cast<int>(f.arg_types.size());
    int got = static_cast<int>(c.args.size());
    std::string quoted = "\"" + f.name + "\"";
    if (f.variadic == 0) {
      if (nargs != got) {
        Fail(c.pos, "expected " + std::to_string(nargs) + " argument(s) in call to " + quoted +
                        ", got " + std::to_string(got));
      }
    } else {
      int na = nargs - 1;
      if (na > got) {
        Fail(c.pos, "expected at least " + std::to_string(na) + " argument(s) in call to " +
                        quoted + ", got " + std::to_string(got));
      }
      if (f.variadic > 0 && na + f.variadic < got) {
        Fail(c.pos, "expected at most " + std::to_string(na + f.variadic) +
                        " argument(s) in call to " + quoted + ", got " + std::to_string(got));
      }
    }
    bool info_selector = f.name == "info" && got > 1;
    if (info_selector) {
      const Expr& sel = *c.args[1];
      if (sel.Type() != ValueKind::kVector) {
        Fail(c.pos, "expected type instant vector in call to function " + quoted + ", got " +
                        std::string(ValueKindName(sel.Type())));
      }
      if (sel.kind != NodeKind::kVectorSelector) {
        Fail(sel.pos, "expected label selectors only");
      }
      if (!static_cast<const VectorSelector&>(sel).name.empty()) {
        Fail(sel.pos, "expected label selectors only, got vector selector instead");
      }
    }
    for (int i = 0; i < got; ++i) {
      int ti = i;
      if (i >= nargs) {
        if (f.variadic == 0) break;
        ti = nargs - 1;
      }
      ValueKind t;
      if (info_selector && i == 1) {
        // info()'s label selector may match everything (no non-empty matcher required).
        CheckSelector(static_cast<const VectorSelector&>(*c.args[1]), true);
        t = ValueKind::kVector;
      } else {
        t = Check(*c.args[static_cast<size_t>(i)], depth + 1);
      }
      if (t != f.arg_types[static_cast<size_t>(ti)]) {
        Fail(c.args[static_cast<size_t>(i)]->pos,
             "expected type " + std::string(ValueKindName(f.arg_types[static_cast<size_t>(ti)])) +
                 " in call to function " + quoted + ", got " + std::string(ValueKindName(t)));
      }
    }
  }

  void CheckSelector(const VectorSelector& vs, bool bypass_empty_check) {
    if (!vs.name.empty()) {
      for (size_t i = 0; i + 1 < vs.matchers.size(); ++i) {
        if (vs.matchers[i].name() == "__name__") {
          Fail(vs.pos, "metric name must not be set twice: " + Quote(vs.name) + " or " +
                           Quote(vs.matchers[i].value()));
        }
      }
      return;
    }
    if (bypass_empty_check) return;
    for (const auto& m : vs.matchers) {
      if (!m.MatchesEmpty()) return;
    }
    Fail(vs.pos, "vector selector must contain at least one non-empty matcher");
  }

  std::string_view input_;
};

}  // namespace

void CheckAst(const Expr& e, std::string_view input) { Checker(input).Check(e); }

}  // namespace tidemark::query::parser
