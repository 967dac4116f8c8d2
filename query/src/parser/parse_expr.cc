// Expression grammar: binary operators by precedence climbing, unary, calls, aggregations.
#include <cmath>
#include <string>
#include <utility>

#include "parser/parser_impl.h"

namespace tidemark::query::parser {
namespace {

// Binding strength of binary operators (higher binds tighter); 0 = not a binary operator.
constexpr int kPrecOr = 1;
constexpr int kPrecAnd = 2;
constexpr int kPrecCmp = 3;
constexpr int kPrecAdd = 4;
constexpr int kPrecMul = 5;
constexpr int kPrecPow = 6;

struct OpInfo {
  BinOp op;
  int prec = 0;
};

OpInfo BinaryOpOf(const Token& t, Kw kw) {
  switch (t.type) {
    case Tok::kAdd: return {BinOp::kAdd, kPrecAdd};
    case Tok::kSub: return {BinOp::kSub, kPrecAdd};
    case Tok::kMul: return {BinOp::kMul, kPrecMul};
    case Tok::kDiv: return {BinOp::kDiv, kPrecMul};
    case Tok::kMod: return {BinOp::kMod, kPrecMul};
    case Tok::kPow: return {BinOp::kPow, kPrecPow};
    case Tok::kEqlc: return {BinOp::kEql, kPrecCmp};
    case Tok::kNeq: return {BinOp::kNeq, kPrecCmp};
    case Tok::kLss: return {BinOp::kLss, kPrecCmp};
    case Tok::kLte: return {BinOp::kLte, kPrecCmp};
    case Tok::kGtr: return {BinOp::kGtr, kPrecCmp};
    case Tok::kGte: return {BinOp::kGte, kPrecCmp};
    case Tok::kTrimUpper: return {BinOp::kTrimUpper, kPrecCmp};
    case Tok::kTrimLower: return {BinOp::kTrimLower, kPrecCmp};
    case Tok::kIdent:
      switch (kw) {
        case Kw::kAnd: return {BinOp::kAnd, kPrecAnd};
        case Kw::kUnless: return {BinOp::kUnless, kPrecAnd};
        case Kw::kOr: return {BinOp::kOr, kPrecOr};
        case Kw::kAtan2: return {BinOp::kAtan2, kPrecMul};
        default: break;
      }
      break;
    default: break;
  }
  return {BinOp::kAdd, 0};
}

AggOp AggOpOf(Kw kw) {
  switch (kw) {
    case Kw::kSum: return AggOp::kSum;
    case Kw::kAvg: return AggOp::kAvg;
    case Kw::kCount: return AggOp::kCount;
    case Kw::kMin: return AggOp::kMin;
    case Kw::kMax: return AggOp::kMax;
    case Kw::kGroup: return AggOp::kGroup;
    case Kw::kStddev: return AggOp::kStddev;
    case Kw::kStdvar: return AggOp::kStdvar;
    case Kw::kTopk: return AggOp::kTopk;
    case Kw::kBottomk: return AggOp::kBottomk;
    case Kw::kQuantile: return AggOp::kQuantile;
    case Kw::kCountValues: return AggOp::kCountValues;
    case Kw::kLimitK: return AggOp::kLimitK;
    default: return AggOp::kLimitRatio;
  }
}

bool AggHasParam(AggOp op) {
  return op == AggOp::kTopk || op == AggOp::kBottomk || op == AggOp::kQuantile ||
         op == AggOp::kCountValues || op == AggOp::kLimitK || op == AggOp::kLimitRatio;
}

}  // namespace

Parser::Parser(std::string_view input) : input_(input), tokens_(Lex(input)) {}

const Token& Parser::Peek(size_t ahead) const {
  size_t i = pos_ + ahead;
  return i < tokens_.size() ? tokens_[i] : tokens_.back();
}

Kw Parser::PeekKw(size_t ahead) const {
  const Token& t = Peek(ahead);
  if (t.type != Tok::kIdent || t.in_braces) return Kw::kNone;
  Kw kw = KeywordOf(t.text);
  // fill/fill_left/fill_right are keywords only right before '(' so they stay usable as names.
  if ((kw == Kw::kFill || kw == Kw::kFillLeft || kw == Kw::kFillRight) &&
      Peek(ahead + 1).type != Tok::kLParen) {
    return Kw::kNone;
  }
  return kw;
}

const Token& Parser::Next() {
  const Token& t = Peek();
  if (pos_ < tokens_.size() - 1) ++pos_;
  if (t.type == Tok::kRParen || t.type == Tok::kRBracket || t.type == Tok::kRBrace ||
      t.type == Tok::kNumber || t.type == Tok::kDuration) {
    last_closing_ = t.end;
  }
  return t;
}

void Parser::Fail(PosRange pos, std::string message) const {
  throw ParseError{pos, std::move(message)};
}

void Parser::Unexpected(std::string_view context, std::string_view expected) const {
  const Token& t = Peek();
  if (t.type == Tok::kError) Fail({t.pos, t.end}, t.message);
  std::string msg = "unexpected " + DescribeToken(t, PeekKw());
  if (!context.empty()) {
    msg += " in ";
    msg += context;
  }
  if (!expected.empty()) {
    msg += ", expected ";
    msg += expected;
  }
  Fail({t.pos, t.end}, std::move(msg));
}

void Parser::Enter(int pos) {
  if (++depth_ > kMaxParseDepth) {
    Fail({pos, pos + 1}, "expression nesting too deep (more than " +
                             std::to_string(kMaxParseDepth) + " levels)");
  }
}

ExprPtr Parser::ParseTopLevel() {
  if (Peek().type == Tok::kEof) Fail({0, 0}, "no expression found in input");
  ExprPtr e = ParseBinary(0);
  if (Peek().type != Tok::kEof) Unexpected("", "");
  CheckAst(*e, input_);
  return e;
}

ExprPtr Parser::ParseBinary(int min_prec) {
  Enter(Peek().pos);
  ExprPtr lhs = ParseUnary();
  while (true) {
    OpInfo info = BinaryOpOf(Peek(), PeekKw());
    if (info.prec == 0 || info.prec < min_prec) break;
    if (++binary_ops_ > kMaxBinaryChain) {
      Fail({Peek().pos, Peek().end}, "expression nesting too deep (more than " +
                                         std::to_string(kMaxBinaryChain) + " binary operators)");
    }
    Next();
    auto bin = std::make_unique<BinaryExpr>();
    bin->op = info.op;
    bin->matching.emplace();
    ParseBinaryModifiers(*bin);
    // '^' is right-associative; everything else is left-associative.
    int next_min = info.op == BinOp::kPow ? info.prec : info.prec + 1;
    ExprPtr rhs = ParseBinary(next_min);
    bin->pos = {lhs->pos.start, rhs->pos.end};
    bin->lhs = std::move(lhs);
    bin->rhs = std::move(rhs);
    lhs = std::move(bin);
  }
  Leave();
  return lhs;
}

void Parser::ParseBinaryModifiers(BinaryExpr& b) {
  VectorMatching& vm = *b.matching;
  if (PeekKw() == Kw::kBool) {
    Next();
    b.return_bool = true;
  }
  Kw kw = PeekKw();
  if (kw == Kw::kOn || kw == Kw::kIgnoring) {
    Next();
    vm.on = kw == Kw::kOn;
    vm.labels = ParseGroupingLabels();
    kw = PeekKw();
    if (kw == Kw::kGroupLeft || kw == Kw::kGroupRight) {
      Next();
      vm.card = kw == Kw::kGroupLeft ? Cardinality::kManyToOne : Cardinality::kOneToMany;
      if (Peek().type == Tok::kLParen) vm.include = ParseGroupingLabels();
    }
  }
  kw = PeekKw();
  if (kw == Kw::kFill) {
    Next();
    double v = ParseFillValue();
    vm.fill_lhs = v;
    vm.fill_rhs = v;
  } else if (kw == Kw::kFillLeft || kw == Kw::kFillRight) {
    Next();
    (kw == Kw::kFillLeft ? vm.fill_lhs : vm.fill_rhs) = ParseFillValue();
    Kw other = kw == Kw::kFillLeft ? Kw::kFillRight : Kw::kFillLeft;
    if (PeekKw() == other) {
      Next();
      (other == Kw::kFillLeft ? vm.fill_lhs : vm.fill_rhs) = ParseFillValue();
    }
  }
}

double Parser::ParseFillValue() {
  if (Peek().type != Tok::kLParen) Unexpected(GenericContext(), "");
  Next();
  double sign = 1;
  if (Peek().type == Tok::kAdd || Peek().type == Tok::kSub) {
    if (Next().type == Tok::kSub) sign = -1;
  }
  if (Peek().type != Tok::kNumber && Peek().type != Tok::kDuration) {
    Unexpected(GenericContext(), "");
  }
  ExprPtr n = NumberToken(Next());
  if (Peek().type != Tok::kRParen) Unexpected(GenericContext(), "");
  Next();
  return sign * static_cast<NumberLiteral&>(*n).value;
}

ExprPtr Parser::ParseUnary() {
  const Token& t = Peek();
  if (t.type != Tok::kAdd && t.type != Tok::kSub) return ParsePostfix();
  Enter(t.pos);
  int start = t.pos;
  char op = t.type == Tok::kSub ? '-' : '+';
  Next();
  // Unary minus binds like '*': `-a ^ b` is `-(a ^ b)`, `-a * b` is `(-a) * b`.
  ExprPtr operand = ParseBinary(kPrecPow);
  Leave();
  if (operand->kind == NodeKind::kNumber) {
    auto& num = static_cast<NumberLiteral&>(*operand);
    if (op == '-') num.value = -num.value;
    num.pos.start = start;
    return operand;
  }
  auto u = std::make_unique<UnaryExpr>();
  u->op = op;
  u->pos = {start, operand->pos.end};
  u->expr = std::move(operand);
  return u;
}

ExprPtr Parser::ParsePostfix() {
  ExprPtr e = ParsePrimary();
  while (true) {
    const Token& t = Peek();
    if (t.type == Tok::kLBracket) {
      e = ParseRangeOrSubquery(std::move(e));
      continue;
    }
    if (t.type == Tok::kAt) {
      ParseAt(*e);
      continue;
    }
    Kw kw = PeekKw();
    if (kw == Kw::kOffset) {
      ParseOffset(*e);
      continue;
    }
    if (kw == Kw::kAnchored || kw == Kw::kSmoothed) {
      const Token& tok = Next();
      ApplyExtended(*e, kw, tok);
      continue;
    }
    break;
  }
  return e;
}

ExprPtr Parser::ParsePrimary() {
  const Token& t = Peek();
  switch (t.type) {
    case Tok::kNumber:
    case Tok::kDuration:
      return NumberToken(Next());
    case Tok::kString: {
      const Token& s = Next();
      auto lit = std::make_unique<StringLiteral>();
      auto v = Unquote(s.text);
      if (!v.ok()) Fail({s.pos, s.end}, v.status().message());
      lit->value = std::move(*v);
      lit->pos = {s.pos, s.end};
      return lit;
    }
    case Tok::kLParen: {
      Enter(t.pos);
      int start = Next().pos;
      auto p = std::make_unique<ParenExpr>();
      p->expr = ParseBinary(0);
      if (Peek().type != Tok::kRParen) Unexpected(GenericContext(), "");
      p->pos = {start, Next().end};
      Leave();
      return p;
    }
    case Tok::kLBrace:
      return ParseVectorSelector();
    case Tok::kIdent: {
      Kw kw = PeekKw();
      Tok next = Peek(1).type;
      if (IsAggregatorKw(kw)) {
        Kw next_kw = PeekKw(1);
        if (next == Tok::kLParen || next_kw == Kw::kBy || next_kw == Kw::kWithout) {
          return ParseAggregate(kw);
        }
        return ParseVectorSelector();
      }
      switch (kw) {
        case Kw::kNone:
          if (next == Tok::kLParen && t.text.find(':') == std::string_view::npos) return ParseCall();
          return ParseVectorSelector();
        case Kw::kStart: case Kw::kEnd: case Kw::kStep: case Kw::kRange: case Kw::kMaxOf:
        case Kw::kMinOf:
          if (next == Tok::kLParen) return ParseCall();
          return ParseVectorSelector();
        case Kw::kBy: case Kw::kWithout: case Kw::kOffset: case Kw::kAnchored:
        case Kw::kSmoothed: case Kw::kAnd: case Kw::kOr: case Kw::kUnless: case Kw::kFill:
        case Kw::kFillLeft: case Kw::kFillRight:
          // Keywords Prometheus also accepts as metric names.
          return ParseVectorSelector();
        default:
          Unexpected(GenericContext(), "");
      }
    }
    default:
      Unexpected(GenericContext(), "");
  }
}

ExprPtr Parser::ParseAggregate(Kw kw) {
  const Token& op_tok = Next();
  Enter(op_tok.pos);
  auto agg = std::make_unique<AggregateExpr>();
  agg->op = AggOpOf(kw);
  ++agg_depth_;
  auto parse_modifier = [&] {
    Kw m = PeekKw();
    Next();
    agg->without = m == Kw::kWithout;
    agg->has_grouping = true;
    agg->grouping = ParseGroupingLabels();
  };
  Kw m = PeekKw();
  bool modifier_first = m == Kw::kBy || m == Kw::kWithout;
  if (modifier_first) parse_modifier();
  if (Peek().type != Tok::kLParen) Unexpected("aggregation", "");
  int close_end = 0;
  std::vector<ExprPtr> args = ParseCallBody(&close_end);
  agg->pos = {op_tok.pos, close_end};
  --agg_depth_;
  if (!modifier_first) {
    m = PeekKw();
    if (m == Kw::kBy || m == Kw::kWithout) {
      parse_modifier();
      agg->pos.end = last_closing_;
    }
  }
  if (args.empty()) Fail(agg->pos, "no arguments for aggregate expression provided");
  size_t want = AggHasParam(agg->op) ? 2 : 1;
  if (args.size() != want) {
    Fail(agg->pos, "wrong number of arguments for aggregate expression provided, expected " +
                       std::to_string(want) + ", got " + std::to_string(args.size()));
  }
  if (want == 2) agg->param = std::move(args[0]);
  agg->expr = std::move(args[want - 1]);
  Leave();
  return agg;
}

ExprPtr Parser::ParseCall() {
  const Token& name = Next();
  Enter(name.pos);
  auto call = std::make_unique<Call>();
  int close_end = 0;
  call->args = ParseCallBody(&close_end);
  call->pos = {name.pos, close_end};
  // Function names are case-sensitive in Prometheus (`RATE(...)` is an unknown function).
  call->func = LookupFunction(name.text);
  if (call->func == nullptr) {
    Fail({name.pos, name.end}, "unknown function with name \"" + std::string(name.text) + "\"");
  }
  Leave();
  return call;
}

std::vector<ExprPtr> Parser::ParseCallBody(int* close_end) {
  Next();  // '('
  std::vector<ExprPtr> args;
  if (Peek().type == Tok::kRParen) {
    *close_end = Next().end;
    return args;
  }
  while (true) {
    args.push_back(ParseBinary(0));
    if (Peek().type == Tok::kComma) {
      const Token& comma = Next();
      if (Peek().type == Tok::kRParen) {
        Fail({comma.pos, comma.end}, "trailing commas not allowed in function call args");
      }
      continue;
    }
    if (Peek().type == Tok::kRParen) break;
    Unexpected(GenericContext(), "");
  }
  *close_end = Next().end;
  return args;
}

std::vector<std::string> Parser::ParseGroupingLabels() {
  if (Peek().type != Tok::kLParen) Unexpected("grouping opts", "\"(\"");
  Next();
  std::vector<std::string> labels;
  while (true) {
    const Token& t = Peek();
    if (t.type == Tok::kRParen) {  // only reachable for an empty list `()`
      Next();
      return labels;
    }
    if (t.type == Tok::kIdent) {
      labels.emplace_back(Next().text);
    } else if (t.type == Tok::kString) {
      auto v = Unquote(t.text);
      if (!v.ok()) Fail({t.pos, t.end}, v.status().message());
      if (v->empty()) {
        Fail({t.pos, t.end}, "invalid label name for grouping: \"\"");
      }
      Next();
      labels.push_back(std::move(*v));
    } else {
      Unexpected("grouping opts", "label");
    }
    if (Peek().type == Tok::kComma) {
      Next();
      if (Peek().type == Tok::kRParen) {
        Next();
        return labels;
      }
      continue;
    }
    if (Peek().type == Tok::kRParen) {
      Next();
      return labels;
    }
    Unexpected("grouping opts", "\",\" or \")\"");
  }
}

}  // namespace tidemark::query::parser
