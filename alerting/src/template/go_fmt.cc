// Template values and Go fmt-compatible rendering (%v, Sprintf verbs, strconv 'g' floats).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "template/template.h"

namespace tidemark::alerting {

TValue TValue::Bool(bool v) {
  TValue t;
  t.kind = Kind::kBool;
  t.b = v;
  return t;
}
TValue TValue::Int(int64_t v) {
  TValue t;
  t.kind = Kind::kInt;
  t.i = v;
  return t;
}
TValue TValue::Float(double v) {
  TValue t;
  t.kind = Kind::kFloat;
  t.f = v;
  return t;
}
TValue TValue::String(std::string v) {
  TValue t;
  t.kind = Kind::kString;
  t.s = std::move(v);
  return t;
}
TValue TValue::Map(TMap m) {
  TValue t;
  t.kind = Kind::kMap;
  t.map = std::make_shared<const TMap>(std::move(m));
  return t;
}
TValue TValue::Struct(TMap m, std::string type_name) {
  TValue t;
  t.kind = Kind::kStruct;
  t.map = std::make_shared<const TMap>(std::move(m));
  t.type_name = std::move(type_name);
  return t;
}
TValue TValue::List(TList l) {
  TValue t;
  t.kind = Kind::kList;
  t.list = std::make_shared<const TList>(std::move(l));
  return t;
}
TValue TValue::FromLabels(const Labels& l) {
  TMap m;
  for (const auto& lb : l) m.emplace(lb.name, String(lb.value));
  return Map(std::move(m));
}
TValue TValue::Sample(const Labels& l, double v) {
  return Struct({{"Labels", FromLabels(l)}, {"Value", Float(v)}}, "*template.sample");
}

bool TValue::Truthy() const {
  switch (kind) {
    case Kind::kNil: return false;
    case Kind::kBool: return b;
    case Kind::kInt: return i != 0;
    case Kind::kFloat: return f != 0;
    case Kind::kString: return !s.empty();
    case Kind::kMap: return !map->empty();
    case Kind::kStruct: return true;
    case Kind::kList: return !list->empty();
  }
  return false;
}

std::string TValue::GoTypeName() const {
  switch (kind) {
    case Kind::kNil: return "<nil>";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kFloat: return "float64";
    case Kind::kString: return "string";
    case Kind::kMap: return "map[string]string";
    case Kind::kStruct: return type_name;
    case Kind::kList: return "template.queryResult";
  }
  return "?";
}

std::string GoPrint(const TValue& v) {
  switch (v.kind) {
    case TValue::Kind::kNil: return "<nil>";
    case TValue::Kind::kBool: return v.b ? "true" : "false";
    case TValue::Kind::kInt: return std::to_string(v.i);
    case TValue::Kind::kFloat: return FormatFloat(v.f, 'g', -1);
    case TValue::Kind::kString: return v.s;
    case TValue::Kind::kMap: {
      std::string s = "map[";
      bool first = true;
      for (const auto& [k, e] : *v.map) {
        if (!first) s += ' ';
        first = false;
        s += k + ":" + GoPrint(e);
      }
      return s + "]";
    }
    case TValue::Kind::kStruct: {
      std::string s = "{";
      bool first = true;
      for (const auto& [k, e] : *v.map) {
        if (!first) s += ' ';
        first = false;
        s += GoPrint(e);
      }
      return (v.type_name.rfind('*', 0) == 0 ? "&" : "") + s + "}";
    }
    case TValue::Kind::kList: {
      std::string s = "[";
      for (size_t i = 0; i < v.list->size(); ++i) {
        if (i) s += ' ';
        s += GoPrint((*v.list)[i]);
      }
      return s + "]";
    }
  }
  return "";
}

namespace {

std::string BadVerb(char verb, const TValue& v) {
  return std::string("%!") + verb + "(" + v.GoTypeName() + "=" + GoPrint(v) + ")";
}

std::string Pad(std::string s, int width, bool minus, bool zero) {
  if (width <= 0 || static_cast<int>(s.size()) >= width) return s;
  size_t n = static_cast<size_t>(width) - s.size();
  if (minus) return s + std::string(n, ' ');
  if (zero) {
    size_t sign = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    return s.insert(sign, std::string(n, '0'));
  }
  return std::string(n, ' ') + s;
}

// %v %e %f %g (and %E %G) of a float64: default precision 6 for %e/%f, shortest for %g; the + and
// space flags sign non-negative numbers; # keeps C's alternate form, which matches Go's there.
std::string FormatFloatVerb(double f, char verb, const std::string& flags, int prec) {
  if (verb == 'v') verb = 'g';
  if (std::isnan(f) || std::isinf(f)) return FormatFloat(f, 'g', -1);  // Go prints "+Inf" for %f too
  const bool g = verb == 'g' || verb == 'G';
  if (flags.find('#') != std::string::npos && !(g && prec < 0)) {
    std::string fmt = "%" + flags;
    if (prec >= 0) fmt += "." + std::to_string(prec);
    fmt += verb;
    char buf[512];
    std::snprintf(buf, sizeof(buf), fmt.c_str(), f);
    return buf;
  }
  std::string s = FormatFloat(f, verb, prec < 0 && !g ? 6 : prec);
  if (s[0] != '-') {
    if (flags.find('+') != std::string::npos) {
      s.insert(0, "+");
    } else if (flags.find(' ') != std::string::npos) {
      s.insert(0, " ");
    }
  }
  return s;
}

// A width or precision at format[*i], as Go's fmt reads it: -1 without digits. Past 1e6 Go
// gives up on the number and on the rest of the format, which then ends in "%!(NOVERB)".
int ParseCount(std::string_view format, size_t* i) {
  constexpr int kMaxCount = 1'000'000;
  int n = -1;
  while (*i < format.size() && std::isdigit(static_cast<unsigned char>(format[*i]))) {
    if (n > kMaxCount) {
      *i = format.size();
      return -1;
    }
    n = (n < 0 ? 0 : n) * 10 + (format[(*i)++] - '0');
  }
  return n;
}

}  // namespace

std::string GoSprintf(std::string_view format, const std::vector<TValue>& args) {
  std::string out;
  size_t argi = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%') {
      out += c;
      continue;
    }
    ++i;
    std::string flags;
    while (i < format.size() && std::string_view("+-# 0").find(format[i]) != std::string_view::npos) {
      flags += format[i++];
    }
    int width = ParseCount(format, &i), prec = -1;
    // As Go: a '.' that ends the format is the verb, not a precision.
    if (i + 1 < format.size() && format[i] == '.') {
      ++i;
      prec = std::max(ParseCount(format, &i), 0);
    }
    if (i >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    char verb = format[i];
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (argi >= args.size()) {
      out += std::string("%!") + verb + "(MISSING)";
      continue;
    }
    const TValue& a = args[argi++];
    const bool minus = flags.find('-') != std::string::npos;
    const bool zero = flags.find('0') != std::string::npos && !minus;
    std::string s;
    switch (verb) {
      case 'v':
        s = a.kind == TValue::Kind::kFloat ? FormatFloatVerb(a.f, 'v', flags, prec) : GoPrint(a);
        break;
      case 's':
        if (a.kind == TValue::Kind::kString) {
          s = prec >= 0 ? a.s.substr(0, static_cast<size_t>(prec)) : a.s;
        } else if (a.kind == TValue::Kind::kMap || a.kind == TValue::Kind::kList) {
          s = GoPrint(a);
        } else {
          s = BadVerb(verb, a);
        }
        break;
      case 'q':
        s = a.kind == TValue::Kind::kString ? Quote(a.s) : BadVerb(verb, a);
        break;
      case 't':
        s = a.kind == TValue::Kind::kBool ? (a.b ? "true" : "false") : BadVerb(verb, a);
        break;
      case 'd':
        if (a.kind == TValue::Kind::kInt) {
          s = std::to_string(a.i);
          if (flags.find('+') != std::string::npos && a.i >= 0) s = "+" + s;
        } else {
          s = BadVerb(verb, a);
        }
        break;
      case 'x':
      case 'X':
        if (a.kind == TValue::Kind::kInt) {
          char b[32];
          std::snprintf(b, sizeof(b), verb == 'x' ? "%llx" : "%llX", static_cast<long long>(a.i));
          s = b;
        } else if (a.kind == TValue::Kind::kString) {
          for (unsigned char ch : a.s) {
            char b[4];
            std::snprintf(b, sizeof(b), verb == 'x' ? "%02x" : "%02X", ch);
            s += b;
          }
        } else {
          s = BadVerb(verb, a);
        }
        break;
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G':
        if (a.kind == TValue::Kind::kFloat) {
          std::string fl;
          for (char ch : flags) {
            if (ch == '+' || ch == ' ' || ch == '#') fl += ch;
          }
          s = FormatFloatVerb(a.f, verb == 'F' ? 'f' : verb, fl, prec);
        } else {
          s = BadVerb(verb, a);
        }
        break;
      default:
        s = std::string("%!") + verb + "(" + a.GoTypeName() + "=" + GoPrint(a) + ")";
    }
    out += Pad(s, width, minus, zero && verb != 's' && verb != 'v' && verb != 'q');
  }
  if (argi < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = argi; k < args.size(); ++k) {
      if (k > argi) out += ", ";
      out += args[k].GoTypeName() + "=" + GoPrint(args[k]);
    }
    out += ")";
  }
  return out;
}

}  // namespace tidemark::alerting
