// The relabel engine: Prometheus' relabel_config validation and ProcessBuilder semantics over
// RE2 (regexes anchored as ^(?s:...)$ like Prometheus' NewRegexp).
#include "tidemark/storage/model/relabel.h"

#include <openssl/evp.h>
#include <re2/re2.h>

#include <array>
#include <cctype>

#include "model/unicode_case.h"
#include "tidemark/storage/model/regexp_expand.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::relabel {

namespace {

constexpr std::string_view kDefaultRegex = "(.*)";
constexpr std::string_view kDefaultReplacement = "$1";
constexpr std::string_view kDefaultSeparator = ";";

constexpr std::array<std::pair<Action, std::string_view>, 11> kActionNames = {{
    {Action::kReplace, "replace"},
    {Action::kKeep, "keep"},
    {Action::kDrop, "drop"},
    {Action::kKeepEqual, "keepequal"},
    {Action::kDropEqual, "dropequal"},
    {Action::kHashMod, "hashmod"},
    {Action::kLabelMap, "labelmap"},
    {Action::kLabelDrop, "labeldrop"},
    {Action::kLabelKeep, "labelkeep"},
    {Action::kLowercase, "lowercase"},
    {Action::kUppercase, "uppercase"},
}};

// Prometheus 3.x's UTF-8 validation scheme: any non-empty valid UTF-8 name.
bool ValidName(std::string_view name) { return !name.empty() && ValidUtf8(name); }

// Go (1.22+, so Prometheus 3.x) also names groups as (?<name>...), which this RE2 only reads in
// its (?P<name>...) spelling: rewrite the former outside escapes and character classes.
std::string GoGroupNames(const std::string& regex) {
  std::string out;
  out.reserve(regex.size());
  bool in_class = false;
  for (size_t i = 0; i < regex.size(); ++i) {
    const char c = regex[i];
    if (c == '\\' && i + 1 < regex.size()) {
      out += c;
      out += regex[++i];
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
    } else if (c == '[') {
      in_class = true;
      if (i + 1 < regex.size() && regex[i + 1] == ']') out += regex[i++];  // "[]...]"
    } else if (regex.compare(i, 3, "(?<") == 0) {
      out += "(?P<";
      i += 2;
      continue;
    }
    out += c;
  }
  return out;
}

std::unique_ptr<const re2::RE2> CompileAnchored(const std::string& regex) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  return std::make_unique<const re2::RE2>("^(?s:" + GoGroupNames(regex) + ")$", opts);
}

Status FieldError(std::string_view field, std::string message) {
  return Status::InvalidArgument(std::string(field) + ": " + message);
}

// Go's md5.Sum(val)[8:] read as a big-endian uint64 (what Prometheus' hashmod takes).
uint64_t Md5Tail(std::string_view val) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> sum{};
  unsigned int n = 0;
  EVP_Digest(val.data(), val.size(), sum.data(), &n, EVP_md5(), nullptr);
  uint64_t v = 0;
  for (int i = 8; i < 16; ++i) v = (v << 8) | sum[i];
  return v;
}

// Matches `s` against an anchored regex, filling `groups` (all of them, 0 = whole match).
bool MatchGroups(const re2::RE2& re, std::string_view s, std::vector<re2::StringPiece>& pieces,
                 std::vector<std::string_view>& groups) {
  const int n = re.NumberOfCapturingGroups() + 1;
  pieces.assign(n, re2::StringPiece());
  if (!re.Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), re2::RE2::ANCHOR_BOTH,
                pieces.data(), n)) {
    return false;
  }
  groups.resize(n);
  for (int i = 0; i < n; ++i) groups[i] = std::string_view(pieces[i].data(), pieces[i].size());
  return true;
}

}  // namespace

struct Relabeler::Compiled {
  Config cfg;
  std::unique_ptr<const re2::RE2> re;
  // replace with the default regex, an empty source value and no '$' anywhere: Prometheus sets
  // the target straight away (same result as the general path, minus the regex run).
  bool replace_fast_path = false;
};

std::string_view ActionName(Action a) {
  for (const auto& [action, name] : kActionNames) {
    if (action == a) return name;
  }
  return "unknown";
}

Result<Action> ParseAction(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [action, n] : kActionNames) {
    if (n == lower) return action;
  }
  return Status::InvalidArgument("unknown relabel action " + Quote(name));
}

Status Validate(const Config& c) {
  const Action a = c.action;
  const std::string act(ActionName(a));
  if (a == Action::kHashMod && c.modulus == 0) {
    return FieldError("modulus", "relabel configuration for hashmod requires non-zero modulus");
  }
  const bool needs_target = a == Action::kReplace || a == Action::kHashMod ||
                            a == Action::kLowercase || a == Action::kUppercase ||
                            a == Action::kKeepEqual || a == Action::kDropEqual;
  if (needs_target && c.target_label.empty()) {
    return FieldError("target_label",
                      "relabel configuration for " + act + " action requires 'target_label' value");
  }
  // Under UTF-8 validation a target with $references is checked like any other name.
  if (needs_target && !ValidName(c.target_label)) {
    return FieldError("target_label",
                      Quote(c.target_label) + " is invalid 'target_label' for " + act + " action");
  }
  const bool target_only = a == Action::kLowercase || a == Action::kUppercase ||
                           a == Action::kKeepEqual || a == Action::kDropEqual;
  if (target_only && c.replacement != kDefaultReplacement) {
    return FieldError("replacement", "'replacement' can not be set for " + act + " action");
  }
  if (a == Action::kLabelMap && !ValidName(c.replacement)) {
    return FieldError("replacement",
                      Quote(c.replacement) + " is invalid 'replacement' for " + act + " action");
  }
  if ((a == Action::kKeepEqual || a == Action::kDropEqual) &&
      (c.regex != kDefaultRegex || c.modulus != 0 || c.separator != kDefaultSeparator ||
       c.replacement != kDefaultReplacement)) {
    return FieldError("action",
                      act + " action requires only 'source_labels' and `target_label`, and no other fields");
  }
  if ((a == Action::kLabelDrop || a == Action::kLabelKeep) &&
      (!c.source_labels.empty() || !c.target_label.empty() || c.modulus != 0 ||
       c.separator != kDefaultSeparator || c.replacement != kDefaultReplacement)) {
    return FieldError("action", act + " action requires only 'regex', and no other fields");
  }
  auto re = CompileAnchored(c.regex);
  if (!re->ok()) return FieldError("regex", "error parsing regexp: " + re->error());
  return Status::OK();
}

Relabeler::Relabeler() : rules_(std::make_shared<const std::vector<Compiled>>()) {}

Result<Relabeler> Relabeler::Compile(std::vector<Config> rules) {
  std::vector<Compiled> compiled;
  compiled.reserve(rules.size());
  for (size_t i = 0; i < rules.size(); ++i) {
    Status st = Validate(rules[i]);
    if (!st.ok()) {
      return Status::InvalidArgument("relabel rule " + std::to_string(i) + ": " + st.message());
    }
    Compiled c;
    c.cfg = std::move(rules[i]);
    c.re = CompileAnchored(c.cfg.regex);
    c.replace_fast_path = c.cfg.action == Action::kReplace && c.cfg.regex == kDefaultRegex &&
                          c.cfg.target_label.find('$') == std::string::npos &&
                          c.cfg.replacement.find('$') == std::string::npos;
    compiled.push_back(std::move(c));
  }
  Relabeler r;
  r.rules_ = std::make_shared<const std::vector<Compiled>>(std::move(compiled));
  return r;
}

bool Relabeler::empty() const { return rules_->empty(); }

bool Relabeler::Apply(LabelsBuilder& lb) const {
  std::string val;
  std::vector<re2::StringPiece> pieces;
  std::vector<std::string_view> groups;
  std::string target, res;
  for (const Compiled& rule : *rules_) {
    const Config& cfg = rule.cfg;
    const re2::RE2& re = *rule.re;
    val.clear();
    for (size_t i = 0; i < cfg.source_labels.size(); ++i) {
      if (i > 0) val += cfg.separator;
      val += lb.Get(cfg.source_labels[i]);
    }
    switch (cfg.action) {
      case Action::kDrop:
        if (re2::RE2::FullMatch(val, re)) return false;
        break;
      case Action::kKeep:
        if (!re2::RE2::FullMatch(val, re)) return false;
        break;
      case Action::kDropEqual:
        if (lb.Get(cfg.target_label) == val) return false;
        break;
      case Action::kKeepEqual:
        if (lb.Get(cfg.target_label) != val) return false;
        break;
      case Action::kReplace: {
        if (val.empty() && rule.replace_fast_path) {
          lb.Set(cfg.target_label, cfg.replacement);
          break;
        }
        if (!MatchGroups(re, val, pieces, groups)) break;  // no match: nothing replaced
        target.clear();
        AppendRegexpExpand(target, cfg.target_label, groups, re.NamedCapturingGroups());
        if (!ValidName(target)) break;
        res.clear();
        AppendRegexpExpand(res, cfg.replacement, groups, re.NamedCapturingGroups());
        lb.Set(target, res);  // an empty result deletes the target
        break;
      }
      case Action::kLowercase:
        lb.Set(cfg.target_label, ToLowerUtf8(val));
        break;
      case Action::kUppercase:
        lb.Set(cfg.target_label, ToUpperUtf8(val));
        break;
      case Action::kHashMod:
        lb.Set(cfg.target_label, std::to_string(Md5Tail(val) % cfg.modulus));
        break;
      case Action::kLabelMap:
        lb.Range([&](const Label& l) {
          if (!MatchGroups(re, l.name, pieces, groups)) return;
          res.clear();
          AppendRegexpExpand(res, cfg.replacement, groups, re.NamedCapturingGroups());
          lb.Set(res, l.value);
        });
        break;
      case Action::kLabelDrop:
        lb.Range([&](const Label& l) {
          if (re2::RE2::FullMatch(l.name, re)) lb.Del(l.name);
        });
        break;
      case Action::kLabelKeep:
        lb.Range([&](const Label& l) {
          if (!re2::RE2::FullMatch(l.name, re)) lb.Del(l.name);
        });
        break;
    }
  }
  return true;
}

}  // namespace tidemark::relabel
