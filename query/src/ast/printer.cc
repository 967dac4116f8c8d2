// FormatExpr: PromQL text of an AST, byte for byte what Prometheus' String() methods produce.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "tidemark/query/ast.h"

namespace tidemark::query {
namespace {

// The fill modifiers' number text: 'f' shortest, but the exponent form below 1e-4 or from 1e21 on.
std::string FormatFillValue(double v) {
  double a = std::fabs(v);
  if (a != 0 && (a < 1e-4 || a >= 1e21)) return FormatFloat(v, 'e', -1);
  return FormatFloat(v, 'f', -1);
}

bool IsLegacyLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void WriteLabels(std::string& out, const std::vector<std::string>& labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += IsLegacyLabelName(labels[i]) ? labels[i] : Quote(labels[i]);
  }
}

std::string MatcherString(const Matcher& m) {
  std::string out = IsLegacyLabelName(m.name()) ? m.name() : Quote(m.name());
  out += MatchTypeString(m.type());
  out += Quote(m.value());
  return out;
}

std::string AtString(const AtModifier& at) {
  switch (at.kind) {
    case AtKind::kTimestamp: {
      char buf[64];
      std::snprintf(buf, sizeof buf, " @ %.3f", static_cast<double>(at.timestamp) / 1000.0);
      return buf;
    }
    case AtKind::kStart: return " @ start()";
    case AtKind::kEnd: return " @ end()";
    case AtKind::kNone: break;
  }
  return "";
}

std::string OffsetString(int64_t offset_ms, const ExprPtr& offset_expr) {
  if (offset_expr) return " offset " + FormatExpr(*offset_expr);
  if (offset_ms > 0) return " offset " + FormatDuration(offset_ms);
  if (offset_ms < 0) return " offset -" + FormatDuration(-offset_ms);
  return "";
}

// The selector without @/offset/anchored/smoothed: name{sorted matchers}.
std::string SelectorCore(const VectorSelector& vs) {
  std::vector<std::string> parts;
  for (const auto& m : vs.matchers) {
    if (m.name() == "__name__" && m.type() == MatchType::kEqual && m.value() == vs.name &&
        !m.value().empty()) {
      continue;
    }
    parts.push_back(MatcherString(m));
  }
  std::string out = vs.name;
  if (!parts.empty()) {
    std::sort(parts.begin(), parts.end());
    out += '{';
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += ',';
      out += parts[i];
    }
    out += '}';
  }
  return out;
}

std::string ExtendedString(const VectorSelector& vs) {
  if (vs.anchored) return " anchored";
  if (vs.smoothed) return " smoothed";
  return "";
}

std::string MatchingString(const BinaryExpr& b) {
  if (!b.matching) return "";
  const VectorMatching& vm = *b.matching;
  std::string out;
  bool grouped = vm.card == Cardinality::kManyToOne || vm.card == Cardinality::kOneToMany;
  if (!vm.labels.empty() || vm.on || grouped) {
    out += vm.on ? " on (" : " ignoring (";
    WriteLabels(out, vm.labels);
    out += ")";
  }
  if (grouped) {
    out += vm.card == Cardinality::kManyToOne ? " group_left (" : " group_right (";
    WriteLabels(out, vm.include);
    out += ")";
  }
  if (vm.fill_lhs || vm.fill_rhs) {
    if (vm.fill_lhs && vm.fill_rhs && *vm.fill_lhs == *vm.fill_rhs) {
      out += " fill (" + FormatFillValue(*vm.fill_lhs) + ")";
    } else {
      if (vm.fill_lhs) out += " fill_left (" + FormatFillValue(*vm.fill_lhs) + ")";
      if (vm.fill_rhs) out += " fill_right (" + FormatFillValue(*vm.fill_rhs) + ")";
    }
  }
  return out;
}

void Write(std::string& out, const Expr& e);

void WriteAggregate(std::string& out, const AggregateExpr& a) {
  out += AggOpString(a.op);
  if (a.without) {
    out += " without (";
    WriteLabels(out, a.grouping);
    out += ") ";
  } else if (!a.grouping.empty()) {
    out += " by (";
    WriteLabels(out, a.grouping);
    out += ") ";
  }
  out += '(';
  if (a.param) {
    Write(out, *a.param);
    out += ", ";
  }
  if (a.expr) Write(out, *a.expr);
  out += ')';
}

void Write(std::string& out, const Expr& e) {
  switch (e.kind) {
    case NodeKind::kNumber: {
      const auto& n = static_cast<const NumberLiteral&>(e);
      if (n.duration) {
        // Prometheus goes through nanoseconds and prints whole milliseconds.
        double ms = std::trunc(n.value * 1000.0);
        if (ms < 0) {
          out += '-';  // appended separately: `"-" + string` trips GCC 12's -Wrestrict at -O3
          out += FormatDuration(static_cast<int64_t>(-ms));
        } else {
          out += FormatDuration(static_cast<int64_t>(ms));
        }
      } else {
        out += FormatFloat(n.value, 'f', -1);
      }
      return;
    }
    case NodeKind::kString:
      out += Quote(static_cast<const StringLiteral&>(e).value);
      return;
    case NodeKind::kVectorSelector: {
      const auto& vs = static_cast<const VectorSelector&>(e);
      out += SelectorCore(vs);
      out += AtString(vs.at);
      out += ExtendedString(vs);
      out += OffsetString(vs.offset_ms, vs.offset_expr);
      return;
    }
    case NodeKind::kMatrixSelector: {
      const auto& m = static_cast<const MatrixSelector&>(e);
      out += SelectorCore(*m.vs);
      out += '[';
      out += m.range_expr ? FormatExpr(*m.range_expr) : FormatDuration(m.range_ms);
      out += ']';
      out += ExtendedString(*m.vs);
      out += AtString(m.vs->at);
      out += OffsetString(m.vs->offset_ms, m.vs->offset_expr);
      return;
    }
    case NodeKind::kSubquery: {
      const auto& s = static_cast<const SubqueryExpr&>(e);
      Write(out, *s.expr);
      out += '[';
      out += s.range_expr ? FormatExpr(*s.range_expr) : FormatDuration(s.range_ms);
      out += ':';
      if (s.step_expr) {
        out += FormatExpr(*s.step_expr);
      } else if (s.step_ms != 0) {
        out += FormatDuration(s.step_ms);
      }
      out += ']';
      out += AtString(s.at);
      out += OffsetString(s.offset_ms, s.offset_expr);
      return;
    }
    case NodeKind::kParen:
      out += '(';
      Write(out, *static_cast<const ParenExpr&>(e).expr);
      out += ')';
      return;
    case NodeKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      out += u.op;
      Write(out, *u.expr);
      return;
    }
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      size_t lhs_at = out.size();
      Write(out, *b.lhs);
      // A signed literal before '^' would re-parse as a sign over the power (`-1 ^ 2` is
      // `-(1 ^ 2)`), so it keeps its own parentheses to print what was parsed.
      if (b.op == BinOp::kPow && b.lhs->kind == NodeKind::kNumber &&
          (out[lhs_at] == '-' || out[lhs_at] == '+')) {
        out.insert(lhs_at, 1, '(');
        out += ')';
      }
      out += ' ';
      out += BinOpString(b.op);
      if (b.return_bool) out += " bool";
      out += MatchingString(b);
      out += ' ';
      Write(out, *b.rhs);
      return;
    }
    case NodeKind::kAggregate:
      WriteAggregate(out, static_cast<const AggregateExpr&>(e));
      return;
    case NodeKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      out += c.func ? c.func->name : "unknown";
      out += '(';
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) out += ", ";
        Write(out, *c.args[i]);
      }
      out += ')';
      return;
    }
  }
}

}  // namespace

std::string FormatExpr(const Expr& expr) {
  std::string out;
  Write(out, expr);
  return out;
}

}  // namespace tidemark::query
