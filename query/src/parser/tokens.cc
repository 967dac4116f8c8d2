// Keyword classification, token descriptions, string unquoting and number parsing.
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "parser/parser_impl.h"

namespace tidemark::promql::parser {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Go's %q of a string truncated to 10 runes when the token is long (Item.String()).
std::string GoQuoteMaybeTruncated(std::string_view s) {
  size_t runes = 0;
  size_t cut = s.size();
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) {
      if (runes == 10) {
        cut = i;
        break;
      }
      ++runes;
    }
  }
  if (cut < s.size()) return QuoteString(s.substr(0, cut)) + "...";
  return QuoteString(s);
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

void AppendUtf8(std::string& out, uint32_t r) {
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xc0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3f));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xe0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (r & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (r & 0x3f));
  }
}

// Go's %#U: "U+0063 'c'".
std::string RuneDesc(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", c);
  if (c >= 0x20 && c < 0x7f) return std::string(buf) + " '" + static_cast<char>(c) + "'";
  return buf;
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t r = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      r = (r << 6) | (cc & 0x3f);
    }
    // Reject overlong forms, surrogates and out-of-range code points.
    if ((n == 2 && r < 0x80) || (n == 3 && r < 0x800) || (n == 4 && r < 0x10000) ||
        (r >= 0xd800 && r < 0xe000) || r > 0x10ffff) {
      return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

Kw KeywordOf(std::string_view ident) {
  static const struct {
    const char* name;
    Kw kw;
  } kTable[] = {
      {"and", Kw::kAnd}, {"or", Kw::kOr}, {"unless", Kw::kUnless}, {"atan2", Kw::kAtan2},
      {"sum", Kw::kSum}, {"avg", Kw::kAvg}, {"count", Kw::kCount}, {"min", Kw::kMin},
      {"max", Kw::kMax}, {"group", Kw::kGroup}, {"stddev", Kw::kStddev},
      {"stdvar", Kw::kStdvar}, {"topk", Kw::kTopk}, {"bottomk", Kw::kBottomk},
      {"quantile", Kw::kQuantile}, {"count_values", Kw::kCountValues}, {"limitk", Kw::kLimitK},
      {"limit_ratio", Kw::kLimitRatio}, {"offset", Kw::kOffset}, {"smoothed", Kw::kSmoothed},
      {"anchored", Kw::kAnchored}, {"by", Kw::kBy}, {"without", Kw::kWithout}, {"on", Kw::kOn},
      {"ignoring", Kw::kIgnoring}, {"group_left", Kw::kGroupLeft},
      {"group_right", Kw::kGroupRight}, {"fill", Kw::kFill}, {"fill_left", Kw::kFillLeft},
      {"fill_right", Kw::kFillRight}, {"bool", Kw::kBool}, {"start", Kw::kStart},
      {"end", Kw::kEnd}, {"step", Kw::kStep}, {"range", Kw::kRange}, {"max_of", Kw::kMaxOf},
      {"min_of", Kw::kMinOf},
  };
  if (ident.size() > 12) return Kw::kNone;
  std::string l = Lower(ident);
  for (const auto& e : kTable) {
    if (l == e.name) return e.kw;
  }
  return Kw::kNone;
}

bool IsAggregatorKw(Kw k) { return k >= Kw::kSum && k <= Kw::kLimitRatio; }

std::string DescribeToken(const Token& t, Kw kw) {
  std::string text(t.text);
  switch (t.type) {
    case Tok::kEof: return "end of input";
    case Tok::kError: return t.message;
    case Tok::kIdent:
      if (kw >= Kw::kAnd && kw <= Kw::kAtan2) return "<op:" + text + ">";
      if (IsAggregatorKw(kw)) return "<aggr:" + text + ">";
      if (kw >= Kw::kOffset && kw <= Kw::kBool) return "<" + text + ">";
      if (kw != Kw::kNone) return QuoteString(text);
      if (text.find(':') != std::string::npos) return "metric identifier " + QuoteString(text);
      return "identifier " + QuoteString(text);
    case Tok::kNumber: return "number " + GoQuoteMaybeTruncated(text);
    case Tok::kDuration: return "duration " + GoQuoteMaybeTruncated(text);
    case Tok::kString: return "string " + GoQuoteMaybeTruncated(text);
    case Tok::kAdd: case Tok::kSub: case Tok::kMul: case Tok::kDiv: case Tok::kMod:
    case Tok::kPow: case Tok::kEqlc: case Tok::kNeq: case Tok::kLss: case Tok::kLte:
    case Tok::kGtr: case Tok::kGte: case Tok::kEqlRegex: case Tok::kNeqRegex: case Tok::kAt:
    case Tok::kTrimUpper: case Tok::kTrimLower:
      return "<op:" + text + ">";
    default:
      return QuoteString(text);
  }
}

Result<std::string> Unquote(std::string_view tok) {
  if (tok.size() < 2) return Status::InvalidArgument("invalid string literal");
  char q = tok.front();
  std::string_view body = tok.substr(1, tok.size() - 2);
  if (!ValidUtf8(body)) return Status::InvalidArgument("invalid UTF-8 rune");
  if (q == '`') return std::string(body);
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= body.size()) return Status::InvalidArgument("escape sequence not terminated");
    char e = body[i];
    switch (e) {
      case 'a': out += '\a'; continue;
      case 'b': out += '\b'; continue;
      case 'f': out += '\f'; continue;
      case 'n': out += '\n'; continue;
      case 'r': out += '\r'; continue;
      case 't': out += '\t'; continue;
      case 'v': out += '\v'; continue;
      case '\\': out += '\\'; continue;
      default: break;
    }
    if (e == q) {
      out += e;
      continue;
    }
    int n = 0;
    uint32_t base = 0, max = 0;
    if (e >= '0' && e <= '7') {
      n = 3, base = 8, max = 255;
      --i;  // the first digit is part of the value
    } else if (e == 'x') {
      n = 2, base = 16, max = 255;
    } else if (e == 'u') {
      n = 4, base = 16, max = 0x10ffff;
    } else if (e == 'U') {
      n = 8, base = 16, max = 0x10ffff;
    } else {
      return Status::InvalidArgument("unknown escape sequence " + RuneDesc(body, i));
    }
    uint32_t x = 0;
    for (int k = 0; k < n; ++k) {
      if (++i >= body.size()) return Status::InvalidArgument("escape sequence not terminated");
      char d = body[i];
      uint32_t v = IsHex(d) ? static_cast<uint32_t>(HexVal(d)) : 16;
      if (v >= base) {
        return Status::InvalidArgument("illegal character " + RuneDesc(body, i) +
                                       " in escape sequence");
      }
      x = x * base + v;
    }
    if (x > max || (x >= 0xd800 && x < 0xe000 && base == 16 && n >= 4)) {
      return Status::InvalidArgument("escape sequence is an invalid Unicode code point");
    }
    if (n >= 4) {
      AppendUtf8(out, x);
    } else {
      out += static_cast<char>(x);  // \x and octal escapes are raw bytes
    }
  }
  return out;
}

Result<double> ParseNumber(std::string_view text) {
  std::string s;
  s.reserve(text.size());
  for (char c : text) {
    if (c != '_') s += c;
  }
  bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  bool all_digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
  errno = 0;
  char* end = nullptr;
  if (hex) {
    unsigned long long v = std::strtoull(s.c_str() + 2, &end, 16);
    if (errno == 0 && *end == '\0' && v <= static_cast<unsigned long long>(INT64_MAX)) {
      return static_cast<double>(v);
    }
    return Status::InvalidArgument("error parsing number: strconv.ParseFloat: parsing " +
                                   QuoteString(text) + ": invalid syntax");
  }
  if (all_digits && s.size() > 1 && s[0] == '0') {
    // Go's base-0 integer parsing: a leading 0 means octal.
    if (s.find_first_of("89") == std::string::npos) {
      unsigned long long v = std::strtoull(s.c_str(), &end, 8);
      if (errno == 0 && v <= static_cast<unsigned long long>(INT64_MAX)) {
        return static_cast<double>(v);
      }
    }
  } else if (all_digits) {
    unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (errno == 0 && v <= static_cast<unsigned long long>(INT64_MAX)) {
      return static_cast<double>(v);
    }
  }
  std::string l = Lower(s);
  if (l == "inf" || l == "+inf") return HUGE_VAL;
  if (l == "-inf") return -HUGE_VAL;
  if (l == "nan") return std::nan("");
  errno = 0;
  double d = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') {
    return Status::InvalidArgument("error parsing number: strconv.ParseFloat: parsing " +
                                   QuoteString(text) + ": invalid syntax");
  }
  if (errno == ERANGE && std::isinf(d)) {
    return Status::InvalidArgument("error parsing number: strconv.ParseFloat: parsing " +
                                   QuoteString(text) + ": value out of range");
  }
  return d;
}

}  // namespace tidemark::promql::parser
