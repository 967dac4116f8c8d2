// Label matchers (=, !=, =~, !~) with Prometheus semantics; regexes are RE2, fully anchored.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/status.h"

namespace re2 {
class RE2;
}

namespace tidemark {

enum class MatchType : uint8_t { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

std::string_view MatchTypeString(MatchType t);  // "=", "!=", "=~", "!~"

class Matcher {
 public:
  // Fails with InvalidArgument for a regex RE2 cannot compile.
  static Result<Matcher> Make(MatchType type, std::string name, std::string value);

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  // Does a label value match? An absent label is matched as the empty string.
  bool Matches(std::string_view v) const;
  // True when the matcher accepts the empty string, i.e. also series lacking the label.
  bool MatchesEmpty() const { return matches_empty_; }

  // If the regex is a plain alternation of literals (`a|b|c`), the literals; else empty.
  const std::vector<std::string>& SetMatches() const { return set_matches_; }
  // Literal prefix every match must start with ("" when none is known).
  const std::string& Prefix() const { return prefix_; }

  // Prometheus' labels.Matcher.String(): name="value", the value as Go's %q, the name quoted
  // too when it is not a legacy label name (`"a.b"=~"x"`).
  std::string ToString() const;

 private:
  Matcher() = default;
  MatchType type_ = MatchType::kEqual;
  std::string name_;
  std::string value_;
  std::shared_ptr<const re2::RE2> re_;  // immutable, shared between copies
  std::vector<std::string> set_matches_;
  std::string prefix_;
  bool matches_empty_ = false;
  bool match_all_ = false;  // regex `.*`
};

using Matchers = std::vector<Matcher>;

// True if `labels` satisfies every matcher.
bool MatchesAll(const Labels& labels, const Matchers& matchers);

}  // namespace tidemark
