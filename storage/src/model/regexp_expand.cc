// Go's regexp.Expand over RE2 matches (see regexp_expand.h); names may hold non-ASCII letters.
#include "tidemark/storage/model/regexp_expand.h"

#include <cstdint>

#include "model/unicode_case.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark {
namespace {

// Length of the group name at the start of s (Go's unicode.IsLetter/IsDigit or '_'), 0 if none.
size_t NameLength(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_';
      if (!word) break;
      ++i;
      continue;
    }
    uint32_t r;
    size_t n = DecodeRune(s, i, &r);
    if (!IsLetterOrDigitRune(r)) break;
    i += n;
  }
  return i;
}

// Go's rule: decimal digits only, no leading zero, below 1e8; otherwise -1 (a name).
int GroupNumber(std::string_view name) {
  if (name.size() > 1 && name[0] == '0') return -1;
  int num = 0;
  for (char c : name) {
    if (c < '0' || c > '9' || num >= 100000000) return -1;
    num = num * 10 + (c - '0');
  }
  return num;
}

}  // namespace

void AppendRegexpExpand(std::string& out, std::string_view tmpl,
                        std::span<const std::string_view> groups,
                        const std::map<std::string, int>& named) {
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out.append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out.push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    bool brace = !tmpl.empty() && tmpl[0] == '{';
    std::string_view rest = brace ? tmpl.substr(1) : tmpl;
    size_t len = NameLength(rest);
    if (len == 0 || (brace && (len >= rest.size() || rest[len] != '}'))) {
      out.push_back('$');  // malformed: the '$' stays as text
      continue;
    }
    std::string_view name = rest.substr(0, len);
    tmpl = rest.substr(len + (brace ? 1 : 0));
    int idx = GroupNumber(name);
    if (idx < 0) {
      auto it = named.find(std::string(name));
      if (it != named.end()) idx = it->second;
    }
    if (idx >= 0 && static_cast<size_t>(idx) < groups.size()) out.append(groups[idx]);
  }
  out.append(tmpl);
}

}  // namespace tidemark
