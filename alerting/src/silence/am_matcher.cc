// Alertmanager's label matcher syntax (amtool arguments, the API's `filter` parameter) and the
// conversion between a silence's API matchers and compiled ones.
#include "tidemark/alerting/silences.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::alerting {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool NameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool NameChar(char c) { return NameStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

Result<Matcher> ParseAmMatcher(std::string_view s) {
  const Status bad = Status::InvalidArgument("bad matcher format: " + std::string(s));
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  const size_t name_start = i;
  if (i >= s.size() || !NameStart(s[i])) return bad;
  while (i < s.size() && NameChar(s[i])) ++i;
  std::string name(s.substr(name_start, i - name_start));
  while (i < s.size() && IsSpace(s[i])) ++i;
  MatchType type;
  std::string_view rest = s.substr(i);
  if (rest.starts_with("=~")) {
    type = MatchType::kRegexMatch;
  } else if (rest.starts_with("!=")) {
    type = MatchType::kNotEqual;
  } else if (rest.starts_with("!~")) {
    type = MatchType::kRegexNoMatch;
  } else if (rest.starts_with("=")) {
    type = MatchType::kEqual;
  } else {
    return bad;
  }
  i += type == MatchType::kEqual ? 1 : 2;
  while (i < s.size() && IsSpace(s[i])) ++i;
  std::string_view raw = s.substr(i);
  while (!raw.empty() && IsSpace(raw.back())) raw.remove_suffix(1);
  const std::string shown(raw);

  bool quoted = false;
  if (raw.starts_with('"')) {
    raw.remove_prefix(1);
    quoted = true;
  }
  if (!ValidUtf8(raw)) {
    return Status::InvalidArgument("matcher value not valid UTF-8: " + shown);
  }
  const Status unescaped_quote =
      Status::InvalidArgument("matcher value contains unescaped double quote: " + shown);
  std::string value;
  bool escaped = false;
  for (size_t k = 0; k < raw.size(); ++k) {
    const char c = raw[k];
    if (escaped) {
      escaped = false;
      if (c == 'n') {
        value += '\n';
      } else if (c == '"' || c == '\\') {
        value += c;
      } else {
        value += '\\';
        value += c;
      }
      continue;
    }
    if (c == '\\') {
      if (k + 1 < raw.size()) {
        escaped = true;
      } else {
        value += '\\';
      }
    } else if (c == '"') {
      if (!quoted || k + 1 < raw.size()) return unescaped_quote;
      quoted = false;  // the closing quote
    } else {
      value += c;
    }
  }
  if (quoted) return unescaped_quote;
  return Matcher::Make(type, std::move(name), std::move(value));
}

Result<Matchers> ParseAmMatchers(std::string_view s) {
  if (s.starts_with('{')) s.remove_prefix(1);
  if (s.ends_with('}')) s.remove_suffix(1);
  std::vector<std::string> tokens;
  std::string token;
  bool in_quotes = false, escaped = false;
  for (char c : s) {
    if (c == ',' && !in_quotes) {
      tokens.push_back(std::move(token));
      token.clear();
      continue;
    }
    if (c == '"') {
      if (!escaped) {
        in_quotes = !in_quotes;
      } else {
        escaped = false;
      }
    } else if (c == '\\') {
      escaped = !escaped;
    } else {
      escaped = false;
    }
    token += c;
  }
  std::string_view last(token);
  while (!last.empty() && IsSpace(last.front())) last.remove_prefix(1);
  while (!last.empty() && IsSpace(last.back())) last.remove_suffix(1);
  if (!last.empty()) tokens.emplace_back(last);
  Matchers out;
  for (const auto& t : tokens) {
    TM_ASSIGN_OR_RETURN(Matcher m, ParseAmMatcher(t));
    out.push_back(std::move(m));
  }
  return out;
}

SilenceMatcher ToSilenceMatcher(const Matcher& m) {
  SilenceMatcher s;
  s.name = m.name();
  s.value = m.value();
  s.is_regex = m.type() == MatchType::kRegexMatch || m.type() == MatchType::kRegexNoMatch;
  s.is_equal = m.type() == MatchType::kEqual || m.type() == MatchType::kRegexMatch;
  return s;
}

Result<Matcher> ToMatcher(const SilenceMatcher& m) {
  const MatchType t = m.is_regex ? (m.is_equal ? MatchType::kRegexMatch : MatchType::kRegexNoMatch)
                                 : (m.is_equal ? MatchType::kEqual : MatchType::kNotEqual);
  return Matcher::Make(t, m.name, m.value);
}

}  // namespace tidemark::alerting
