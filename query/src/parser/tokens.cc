// Keyword classification, token descriptions and number parsing.
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "parser/parser_impl.h"

namespace tidemark::query::parser {
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
  if (cut < s.size()) return Quote(s.substr(0, cut)) + "...";
  return Quote(s);
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
      if (kw != Kw::kNone) return Quote(text);
      if (text.find(':') != std::string::npos) return "metric identifier " + Quote(text);
      return "identifier " + Quote(text);
    case Tok::kNumber: return "number " + GoQuoteMaybeTruncated(text);
    case Tok::kDuration: return "duration " + GoQuoteMaybeTruncated(text);
    case Tok::kString: return "string " + GoQuoteMaybeTruncated(text);
    case Tok::kAdd: case Tok::kSub: case Tok::kMul: case Tok::kDiv: case Tok::kMod:
    case Tok::kPow: case Tok::kEqlc: case Tok::kNeq: case Tok::kLss: case Tok::kLte:
    case Tok::kGtr: case Tok::kGte: case Tok::kEqlRegex: case Tok::kNeqRegex: case Tok::kAt:
    case Tok::kTrimUpper: case Tok::kTrimLower:
      return "<op:" + text + ">";
    default:
      return Quote(text);
  }
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
                                   Quote(text) + ": invalid syntax");
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
                                   Quote(text) + ": invalid syntax");
  }
  if (errno == ERANGE && std::isinf(d)) {
    return Status::InvalidArgument("error parsing number: strconv.ParseFloat: parsing " +
                                   Quote(text) + ": value out of range");
  }
  return d;
}

}  // namespace tidemark::query::parser
