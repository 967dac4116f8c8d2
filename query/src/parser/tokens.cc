// Keyword classification, token descriptions and number parsing.
#include <cstdint>
#include <string>

#include "parser/parser_impl.h"
#include "tidemark/storage/model/strconv.h"

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

// Prometheus' parser.number: strconv.ParseInt(val, 0, 64), and when that fails ParseFloat, whose
// error is the one reported.
Result<double> ParseNumber(std::string_view text) {
  if (auto n = ParseInt(text, 0); n.ok()) return static_cast<double>(*n);
  auto f = ParseFloat(text);
  if (!f.ok()) return Status::InvalidArgument("error parsing number: " + f.status().message());
  return *f;
}

}  // namespace tidemark::query::parser
