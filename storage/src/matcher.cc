// Label matchers: anchored RE2 regexes (Prometheus semantics) with shortcuts for literal
// alternations and literal prefixes, so most matchers never run the regex engine.
#include "tidemark/storage/matcher.h"

#include <re2/re2.h>

#include "tidemark/storage/model/strconv.h"

namespace tidemark {
namespace {

bool IsRegexMeta(char c) {
  switch (c) {
    case '.': case '+': case '*': case '?': case '(': case ')': case '[': case ']':
    case '{': case '}': case '^': case '$': case '|': case '\\':
      return true;
    default:
      return false;
  }
}

// `a|b|c` made only of literal characters → {"a","b","c"}; otherwise empty.
std::vector<std::string> LiteralAlternation(const std::string& re) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : re) {
    if (c == '|') {
      out.push_back(cur);
      cur.clear();
    } else if (IsRegexMeta(c)) {
      return {};
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// Literal prefix of a regex like `foo.*` or `foo(bar|baz)`.
std::string LiteralPrefix(const std::string& re) {
  std::string out;
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '|') return "";  // top-level alternation: no common prefix known
    if (IsRegexMeta(c)) {
      // A quantifier applies to the previous char, which then is not a fixed prefix.
      if ((c == '*' || c == '?' || c == '{') && !out.empty()) out.pop_back();
      // Any top-level `|` later invalidates the prefix.
      int depth = 0;
      for (size_t j = i; j < re.size(); ++j) {
        if (re[j] == '\\') { ++j; continue; }
        if (re[j] == '(' ) ++depth;
        else if (re[j] == ')') --depth;
        else if (re[j] == '|' && depth == 0) return "";
      }
      return out;
    }
    out += c;
  }
  return out;
}


}  // namespace

std::string_view MatchTypeString(MatchType t) {
  switch (t) {
    case MatchType::kEqual: return "=";
    case MatchType::kNotEqual: return "!=";
    case MatchType::kRegexMatch: return "=~";
    case MatchType::kRegexNoMatch: return "!~";
  }
  return "?";
}

Result<Matcher> Matcher::Make(MatchType type, std::string name, std::string value) {
  Matcher m;
  m.type_ = type;
  m.name_ = std::move(name);
  m.value_ = std::move(value);
  if (type == MatchType::kRegexMatch || type == MatchType::kRegexNoMatch) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_dot_nl(true);  // Prometheus compiles with (?s)
    auto re = std::make_shared<RE2>("^(?:" + m.value_ + ")$", opts);
    if (!re->ok()) {
      return Status::InvalidArgument("invalid regular expression \"" + m.value_ +
                                     "\": " + re->error());
    }
    m.re_ = std::move(re);
    m.match_all_ = m.value_ == ".*";
    m.set_matches_ = LiteralAlternation(m.value_);
    if (m.set_matches_.empty()) m.prefix_ = LiteralPrefix(m.value_);
  }
  m.matches_empty_ = m.Matches("");
  return m;
}

bool Matcher::Matches(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual: return v == value_;
    case MatchType::kNotEqual: return v != value_;
    case MatchType::kRegexMatch:
    case MatchType::kRegexNoMatch: {
      bool m;
      if (match_all_) {
        m = true;
      } else if (!set_matches_.empty()) {
        m = false;
        for (const auto& s : set_matches_) {
          if (s == v) { m = true; break; }
        }
      } else if (!prefix_.empty() && v.substr(0, prefix_.size()) != prefix_) {
        m = false;
      } else {
        m = RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re_);
      }
      return type_ == MatchType::kRegexMatch ? m : !m;
    }
  }
  return false;
}

// Prometheus' labels.Matcher.String(): the value as %q, the name quoted unless legacy-valid.
std::string Matcher::ToString() const {
  std::string out;
  if (IsValidLabelName(name_)) {
    out = name_;
  } else {
    AppendQuote(out, name_);
  }
  out += MatchTypeString(type_);
  AppendQuote(out, value_);
  return out;
}

bool MatchesAll(const Labels& labels, const Matchers& matchers) {
  for (const auto& m : matchers) {
    if (!m.Matches(labels.Get(m.name()))) return false;
  }
  return true;
}

}  // namespace tidemark
