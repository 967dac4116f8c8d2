// Go text renderings for promtool-compatible unit-test output.
#include "rule_test/go_format.h"

#include "tidemark/storage/model/strconv.h"

namespace tidemark::alerting::ruletest {

std::string GoLabels(const Labels& labels) {
  std::string out = "{";
  bool first = true;
  for (const auto& l : labels) {
    if (!first) out += ", ";
    first = false;
    out += l.name;
    out += '=';
    AppendQuote(out, l.value);
  }
  return out + "}";
}

std::string GoDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string sign = ms < 0 ? "-" : "";
  uint64_t u = ms < 0 ? static_cast<uint64_t>(-(ms + 1)) + 1 : static_cast<uint64_t>(ms);
  if (u < 1000) return sign + std::to_string(u) + "ms";
  std::string secs = std::to_string(u / 1000 % 60);
  if (const uint64_t frac = u % 1000; frac != 0) {
    std::string f = std::to_string(frac + 1000).substr(1);  // three digits
    while (f.back() == '0') f.pop_back();
    secs += "." + f;
  }
  const uint64_t total_min = u / 60'000;
  if (total_min == 0) return sign + secs + "s";
  if (total_min < 60) return sign + std::to_string(total_min) + "m" + secs + "s";
  return sign + std::to_string(total_min / 60) + "h" + std::to_string(total_min % 60) + "m" + secs +
         "s";
}

std::string IndentLines(std::string_view text, std::string_view indent) {
  std::string out;
  size_t start = 0;
  for (;;) {
    const size_t nl = text.find('\n', start);
    if (start > 0) out += indent;
    if (nl == std::string_view::npos) {
      out += text.substr(start);
      return out;
    }
    out += text.substr(start, nl + 1 - start);
    start = nl + 1;
  }
}

}  // namespace tidemark::alerting::ruletest
