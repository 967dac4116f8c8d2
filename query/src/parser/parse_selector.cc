// Selectors, label matchers, range/subquery brackets, offset/@ modifiers, duration expressions.
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "parser/parser_impl.h"

namespace tidemark::query::parser {
namespace {

// Durations must fit a Go time.Duration (int64 nanoseconds) as in Prometheus.
bool DurationOutOfRange(double seconds) {
  return seconds > 9223372036.854775807 || seconds < -9223372036.854775808;
}

int64_t SecondsToMs(double seconds) { return static_cast<int64_t>(std::llround(seconds * 1000.0)); }

std::optional<MatchType> MatchTypeOf(Tok t) {
  switch (t) {
    case Tok::kEql: return MatchType::kEqual;
    case Tok::kNeq: return MatchType::kNotEqual;
    case Tok::kEqlRegex: return MatchType::kRegexMatch;
    case Tok::kNeqRegex: return MatchType::kRegexNoMatch;
    default: return std::nullopt;
  }
}

}  // namespace

PosRange RangeOf(const Expr& e) { return e.pos; }

bool IsConstantDuration(const Expr& e) {
  switch (e.kind) {
    case NodeKind::kNumber: return true;
    case NodeKind::kParen: return IsConstantDuration(*static_cast<const ParenExpr&>(e).expr);
    case NodeKind::kUnary: return IsConstantDuration(*static_cast<const UnaryExpr&>(e).expr);
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      return IsConstantDuration(*b.lhs) && IsConstantDuration(*b.rhs);
    }
    case NodeKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      if (c.func == nullptr || (c.func->name != "min_of" && c.func->name != "max_of")) return false;
      for (const auto& a : c.args) {
        if (!IsConstantDuration(*a)) return false;
      }
      return true;
    }
    default: return false;
  }
}

ExprPtr Parser::NumberToken(const Token& t) {
  auto num = std::make_unique<NumberLiteral>();
  num->pos = {t.pos, t.end};
  if (t.type == Tok::kDuration) {
    auto ms = ParseDuration(t.text);
    if (!ms.ok()) Fail(num->pos, ms.status().message());
    num->value = static_cast<double>(*ms) / 1000.0;
    num->duration = true;
  } else {
    auto v = ParseNumber(t.text);
    if (!v.ok()) Fail(num->pos, v.status().message());
    num->value = *v;
  }
  return num;
}

ExprPtr Parser::ParseVectorSelector() {
  auto vs = std::make_unique<VectorSelector>();
  const Token& first = Peek();
  vs->pos = {first.pos, first.end};
  if (first.type == Tok::kIdent) {
    vs->name = std::string(Next().text);
    if (Peek().type == Tok::kLBrace) ParseLabelMatchers(*vs);
  } else {
    ParseLabelMatchers(*vs);
  }
  if (!vs->name.empty()) {
    auto m = Matcher::Make(MatchType::kEqual, "__name__", vs->name);
    if (!m.ok()) Fail(vs->pos, m.status().message());
    vs->matchers.push_back(std::move(*m));
  }
  return vs;
}

void Parser::ParseLabelMatchers(VectorSelector& vs) {
  Next();  // '{'
  while (true) {
    const Token& t = Peek();
    if (t.type == Tok::kRBrace) break;  // `{}` or a trailing comma
    std::string name;
    int name_pos = t.pos;
    if (t.type == Tok::kIdent) {
      name = std::string(Next().text);
      if (!MatchTypeOf(Peek().type)) Unexpected("label matching", "label matching operator");
    } else if (t.type == Tok::kString) {
      auto v = Unquote(t.text);
      if (!v.ok()) Fail({t.pos, t.end}, v.status().message());
      Next();
      if (!MatchTypeOf(Peek().type)) {
        // `{"metric.name"}`: a quoted metric name (Prometheus 3 UTF-8 syntax).
        auto m = Matcher::Make(MatchType::kEqual, "__name__", *v);
        if (!m.ok()) Fail({t.pos, t.end}, m.status().message());
        vs.matchers.push_back(std::move(*m));
        name.clear();
        goto separator;
      }
      name = std::move(*v);
    } else {
      Unexpected("label matching", "identifier or \"}\"");
    }
    {
      MatchType type = *MatchTypeOf(Next().type);
      const Token& val = Peek();
      if (val.type != Tok::kString) Unexpected("label matching", "string");
      auto v = Unquote(val.text);
      if (!v.ok()) Fail({val.pos, val.end}, v.status().message());
      Next();
      auto m = Matcher::Make(type, std::move(name), std::move(*v));
      if (!m.ok()) Fail({name_pos, val.end}, m.status().message());
      vs.matchers.push_back(std::move(*m));
    }
  separator:
    if (Peek().type == Tok::kComma) {
      Next();
      continue;
    }
    if (Peek().type != Tok::kRBrace) Unexpected("label matching", "\",\" or \"}\"");
  }
  vs.pos.end = Next().end;  // '}'
}

ExprPtr Parser::ParseRangeOrSubquery(ExprPtr base) {
  const Token& lb = Next();  // '['
  int lb_pos = lb.pos;
  Tok t = Peek().type;
  if (t == Tok::kRBracket || t == Tok::kColon || t == Tok::kEof || t == Tok::kComma ||
      t == Tok::kRParen) {
    Unexpected("subquery or range selector", "number, duration, step(), or range()");
  }
  ExprPtr range = ParseDurationExpr(0);
  if (range->kind == NodeKind::kNumber &&
      static_cast<const NumberLiteral&>(*range).value <= 0) {
    Fail(range->pos, "duration must be greater than 0");
  }
  auto fold = [](ExprPtr d, int64_t* ms, ExprPtr* expr_slot) {
    if (d->kind == NodeKind::kNumber) {
      *ms = SecondsToMs(static_cast<const NumberLiteral&>(*d).value);
      return;
    }
    if (IsConstantDuration(*d)) {
      auto v = EvalDurationExpr(*d, 0, 0);
      if (v.ok()) *ms = *v;
    }
    *expr_slot = std::move(d);
  };
  if (Peek().type == Tok::kRBracket) {
    int rb_end = Next().end;
    const char* err = nullptr;
    if (base->kind != NodeKind::kVectorSelector) {
      err = "ranges only allowed for vector selectors";
    } else {
      const auto& vs = static_cast<const VectorSelector&>(*base);
      if (vs.offset_ms != 0 || vs.offset_expr) {
        err = "no offset modifiers allowed before range";
      } else if (vs.at.kind != AtKind::kNone) {
        err = "no @ modifiers allowed before range";
      }
    }
    if (err != nullptr) Fail({lb_pos, rb_end}, err);
    auto ms = std::make_unique<MatrixSelector>();
    ms->pos = {base->pos.start, rb_end};
    ms->vs.reset(static_cast<VectorSelector*>(base.release()));
    fold(std::move(range), &ms->range_ms, &ms->range_expr);
    return ms;
  }
  if (Peek().type != Tok::kColon) Unexpected("subquery or range", "\":\" or \"]\"");
  Next();
  auto sq = std::make_unique<SubqueryExpr>();
  fold(std::move(range), &sq->range_ms, &sq->range_expr);
  if (Peek().type != Tok::kRBracket) {
    t = Peek().type;
    if (t != Tok::kNumber && t != Tok::kDuration && t != Tok::kIdent && t != Tok::kLParen &&
        t != Tok::kAdd && t != Tok::kSub) {
      Unexpected("subquery selector", "number, duration, step(), range(), or \"]\"");
    }
    ExprPtr step = ParseDurationExpr(0);
    if (step->kind == NodeKind::kNumber &&
        static_cast<const NumberLiteral&>(*step).value <= 0) {
      Fail(step->pos, "duration must be greater than 0");
    }
    fold(std::move(step), &sq->step_ms, &sq->step_expr);
    if (Peek().type != Tok::kRBracket) Unexpected("subquery selector", "\"]\"");
  }
  sq->pos = {base->pos.start, Next().end};
  sq->expr = std::move(base);
  return sq;
}

void Parser::ParseOffset(Expr& target) {
  Next();  // offset
  Tok t = Peek().type;
  Kw kw = PeekKw();
  bool starts_duration = t == Tok::kNumber || t == Tok::kDuration || t == Tok::kLParen ||
                         t == Tok::kAdd || t == Tok::kSub || kw == Kw::kStep ||
                         kw == Kw::kRange || kw == Kw::kMinOf || kw == Kw::kMaxOf;
  if (!starts_duration) Unexpected("offset", "number, duration, step(), or range()");
  ExprPtr d = ParseOffsetDuration();
  int64_t* offset_ms = nullptr;
  ExprPtr* offset_expr = nullptr;
  switch (target.kind) {
    case NodeKind::kVectorSelector: {
      auto& vs = static_cast<VectorSelector&>(target);
      offset_ms = &vs.offset_ms;
      offset_expr = &vs.offset_expr;
      break;
    }
    case NodeKind::kMatrixSelector: {
      auto& vs = *static_cast<MatrixSelector&>(target).vs;
      offset_ms = &vs.offset_ms;
      offset_expr = &vs.offset_expr;
      break;
    }
    case NodeKind::kSubquery: {
      auto& sq = static_cast<SubqueryExpr&>(target);
      offset_ms = &sq.offset_ms;
      offset_expr = &sq.offset_expr;
      break;
    }
    default:
      Fail(target.pos,
           "offset modifier must be preceded by an instant vector selector or range vector "
           "selector or a subquery");
  }
  if (*offset_ms != 0 || *offset_expr) Fail(target.pos, "offset may not be set multiple times");
  if (d->kind == NodeKind::kNumber) {
    *offset_ms = SecondsToMs(static_cast<const NumberLiteral&>(*d).value);
  } else {
    if (IsConstantDuration(*d)) {
      auto v = EvalDurationExpr(*d, 0, 0);
      if (v.ok()) *offset_ms = *v;
    }
    *offset_expr = std::move(d);
  }
  target.pos.end = last_closing_;
}

ExprPtr Parser::ParseOffsetDuration() {
  // Only a literal, a keyword call or a parenthesised expression, optionally signed: binary
  // operators after it belong to the enclosing expression (`foo offset 5m - 1`).
  const Token& t = Peek();
  if (t.type == Tok::kAdd || t.type == Tok::kSub) {
    int start = t.pos;
    char op = Next().type == Tok::kSub ? '-' : '+';
    if (Peek().type != Tok::kNumber && Peek().type != Tok::kDuration &&
        Peek().type != Tok::kLParen && PeekKw() != Kw::kStep && PeekKw() != Kw::kRange &&
        PeekKw() != Kw::kMinOf && PeekKw() != Kw::kMaxOf) {
      Unexpected("offset", "number, duration, step(), or range()");
    }
    ExprPtr inner = ParseDurationPrimary();
    if (inner->kind == NodeKind::kNumber) {
      auto& n = static_cast<NumberLiteral&>(*inner);
      if (op == '-') n.value = -n.value;
      if (DurationOutOfRange(n.value)) Fail({start, start + 1}, "duration out of range");
      n.pos.start = start;
      return inner;
    }
    if (op == '+') return inner;
    auto u = std::make_unique<UnaryExpr>();
    u->op = '-';
    u->pos = {start, inner->pos.end};
    u->expr = std::move(inner);
    return u;
  }
  return ParseDurationPrimary();
}

void Parser::ParseAt(Expr& target) {
  Next();  // '@'
  AtModifier at;
  const Token& t = Peek();
  Kw kw = PeekKw();
  if ((kw == Kw::kStart || kw == Kw::kEnd) && Peek(1).type == Tok::kLParen) {
    Next();
    Next();
    if (Peek().type != Tok::kRParen) Unexpected("@", "timestamp");
    Next();
    at.kind = kw == Kw::kStart ? AtKind::kStart : AtKind::kEnd;
  } else {
    double sign = 1;
    if (t.type == Tok::kAdd || t.type == Tok::kSub) {
      if (Next().type == Tok::kSub) sign = -1;
    }
    if (Peek().type != Tok::kNumber && Peek().type != Tok::kDuration) Unexpected("@", "timestamp");
    ExprPtr n = NumberToken(Next());
    double ts = sign * static_cast<NumberLiteral&>(*n).value;
    if (std::isnan(ts) || std::isinf(ts) || ts >= 9.223372036854775807e18 ||
        ts <= -9.223372036854775808e18) {
      Fail(target.pos, "timestamp out of bounds for @ modifier: " + FormatFloat(ts, 'f', 6));
    }
    at.kind = AtKind::kTimestamp;
    at.timestamp = static_cast<int64_t>(std::llround(ts * 1000.0));
  }
  AtModifier* slot = nullptr;
  switch (target.kind) {
    case NodeKind::kVectorSelector: slot = &static_cast<VectorSelector&>(target).at; break;
    case NodeKind::kMatrixSelector: slot = &static_cast<MatrixSelector&>(target).vs->at; break;
    case NodeKind::kSubquery: slot = &static_cast<SubqueryExpr&>(target).at; break;
    default:
      Fail(target.pos,
           "@ modifier must be preceded by an instant vector selector or range vector selector "
           "or a subquery");
  }
  if (slot->kind != AtKind::kNone) Fail(target.pos, "@ <timestamp> may not be set multiple times");
  *slot = at;
  target.pos.end = last_closing_;
}

void Parser::ApplyExtended(Expr& target, Kw kw, const Token& tok) {
  const char* name = kw == Kw::kAnchored ? "anchored" : "smoothed";
  VectorSelector* vs = nullptr;
  switch (target.kind) {
    case NodeKind::kVectorSelector: vs = &static_cast<VectorSelector&>(target); break;
    case NodeKind::kMatrixSelector: vs = static_cast<MatrixSelector&>(target).vs.get(); break;
    case NodeKind::kSubquery:
      Fail(target.pos, std::string(name) + " modifier is not supported for subqueries");
    default:
      Fail(target.pos, std::string(name) + " modifier not implemented");
  }
  (kw == Kw::kAnchored ? vs->anchored : vs->smoothed) = true;
  if (vs->anchored && vs->smoothed) {
    Fail(target.pos, "anchored and smoothed modifiers cannot be used together");
  }
  target.pos.end = tok.end;
}

// --- Duration expressions -------------------------------------------------------------------

ExprPtr Parser::ParseDurationExpr(int min_prec) {
  Enter(Peek().pos);
  ExprPtr lhs = ParseDurationUnary();
  while (true) {
    const Token& t = Peek();
    BinOp op;
    int prec;
    switch (t.type) {
      case Tok::kAdd: op = BinOp::kAdd, prec = 4; break;
      case Tok::kSub: op = BinOp::kSub, prec = 4; break;
      case Tok::kMul: op = BinOp::kMul, prec = 5; break;
      case Tok::kDiv: op = BinOp::kDiv, prec = 5; break;
      case Tok::kMod: op = BinOp::kMod, prec = 5; break;
      case Tok::kPow: op = BinOp::kPow, prec = 6; break;
      default: prec = 0; op = BinOp::kAdd; break;
    }
    if (prec == 0 || prec < min_prec) break;
    const Token& op_tok = Next();
    ExprPtr rhs = ParseDurationExpr(op == BinOp::kPow ? prec : prec + 1);
    if ((op == BinOp::kDiv || op == BinOp::kMod) && rhs->kind == NodeKind::kNumber &&
        static_cast<const NumberLiteral&>(*rhs).value == 0) {
      Fail({op_tok.pos, op_tok.end}, op == BinOp::kDiv ? "division by zero" : "modulo by zero");
    }
    auto b = std::make_unique<BinaryExpr>();
    b->op = op;
    b->pos = {lhs->pos.start, rhs->pos.end};
    b->lhs = std::move(lhs);
    b->rhs = std::move(rhs);
    lhs = std::move(b);
  }
  Leave();
  return lhs;
}

ExprPtr Parser::ParseDurationUnary() {
  const Token& t = Peek();
  if (t.type != Tok::kAdd && t.type != Tok::kSub) return ParseDurationPrimary();
  int start = t.pos;
  char op = Next().type == Tok::kSub ? '-' : '+';
  Enter(start);
  ExprPtr operand = ParseDurationExpr(6);
  Leave();
  if (operand->kind == NodeKind::kNumber) {
    auto& n = static_cast<NumberLiteral&>(*operand);
    if (op == '-') n.value = -n.value;
    if (DurationOutOfRange(n.value)) Fail({start, start + 1}, "duration out of range");
    n.pos.start = start;
    return operand;
  }
  if (op == '+') return operand;
  auto u = std::make_unique<UnaryExpr>();
  u->op = '-';
  u->pos = {start, operand->pos.end};
  u->expr = std::move(operand);
  return u;
}

ExprPtr Parser::DurationKeywordCall(Kw kw, bool allow_args) {
  const Token& name = Next();
  auto call = std::make_unique<Call>();
  std::string lower(name.text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  call->func = LookupFunction(lower);
  if (Peek().type != Tok::kLParen) {
    Unexpected("subquery or range selector", "number, duration, step(), or range()");
  }
  Next();
  if (allow_args) {
    call->args.push_back(ParseDurationExpr(0));
    if (Peek().type != Tok::kComma) Unexpected(GenericContext(), "");
    Next();
    call->args.push_back(ParseDurationExpr(0));
  }
  (void)kw;
  if (Peek().type != Tok::kRParen) Unexpected(GenericContext(), "");
  call->pos = {name.pos, Next().end};
  return call;
}

ExprPtr Parser::ParseDurationPrimary() {
  const Token& t = Peek();
  switch (t.type) {
    case Tok::kNumber:
    case Tok::kDuration: {
      ExprPtr n = NumberToken(Next());
      if (DurationOutOfRange(static_cast<const NumberLiteral&>(*n).value)) {
        Fail(n->pos, "duration out of range");
      }
      return n;
    }
    case Tok::kLParen: {
      Enter(t.pos);
      auto p = std::make_unique<ParenExpr>();
      int start = Next().pos;
      p->expr = ParseDurationExpr(0);
      if (Peek().type != Tok::kRParen) Unexpected(GenericContext(), "");
      p->pos = {start, Next().end};
      Leave();
      return p;
    }
    case Tok::kIdent: {
      Kw kw = KeywordOf(t.text);
      if (kw == Kw::kStep || kw == Kw::kRange) return DurationKeywordCall(kw, false);
      if (kw == Kw::kMinOf || kw == Kw::kMaxOf) return DurationKeywordCall(kw, true);
      break;
    }
    default: break;
  }
  Unexpected("subquery or range selector", "number, duration, step(), or range()");
}

Matchers Parser::ParseSelectorOnly() {
  const Token& t = Peek();
  if (t.type != Tok::kIdent && t.type != Tok::kLBrace) Unexpected("", "");
  ExprPtr e = ParseVectorSelector();
  if (Peek().type != Tok::kEof) Unexpected("", "");
  return std::move(static_cast<VectorSelector&>(*e).matchers);
}

}  // namespace tidemark::query::parser
