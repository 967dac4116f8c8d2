// Prometheus duration strings (model.ParseDuration / Duration.String) and rule-file globbing.
#include <glob.h>

#include <algorithm>
#include <cctype>
#include <limits>

#include "tidemark/alerting/rule_file.h"

namespace tidemark::alerting {

Result<int64_t> ParsePromDuration(std::string_view s) {
  if (s.empty()) return Status::InvalidArgument("empty duration string");
  if (s == "0") return int64_t{0};
  auto bad = [&] {
    return Status::InvalidArgument("not a valid duration string: \"" + std::string(s) + "\"");
  };
  // Units must appear in this order, each at most once.
  struct Unit {
    std::string_view name;
    int64_t ms;
  };
  static constexpr Unit kUnits[] = {{"y", 365LL * 86400000}, {"w", 7LL * 86400000},
                                    {"d", 86400000},         {"h", 3600000},
                                    {"m", 60000},            {"s", 1000},
                                    {"ms", 1}};
  int64_t total = 0;
  size_t next_unit = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    if (j == i) return bad();
    size_t k = j;
    while (k < s.size() && std::isalpha(static_cast<unsigned char>(s[k]))) ++k;
    std::string_view unit = s.substr(j, k - j);
    size_t u = next_unit;
    while (u < std::size(kUnits) && kUnits[u].name != unit) ++u;
    if (u == std::size(kUnits)) return bad();
    next_unit = u + 1;
    int64_t n = 0;
    for (size_t p = i; p < j; ++p) {
      if (n > (std::numeric_limits<int64_t>::max() - 9) / 10) return bad();
      n = n * 10 + (s[p] - '0');
    }
    if (n > std::numeric_limits<int64_t>::max() / kUnits[u].ms) return bad();
    total += n * kUnits[u].ms;
    i = k;
  }
  return total;
}

std::string FormatPromDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  struct Unit {
    const char* name;
    int64_t ms;
  };
  static constexpr Unit kUnits[] = {{"y", 365LL * 86400000}, {"w", 7LL * 86400000},
                                    {"d", 86400000},         {"h", 3600000},
                                    {"m", 60000},            {"s", 1000},
                                    {"ms", 1}};
  for (const auto& u : kUnits) {
    if (ms >= u.ms) {
      out += std::to_string(ms / u.ms) + u.name;
      ms %= u.ms;
    }
  }
  return out;
}

std::vector<std::string> ExpandGlobs(const std::vector<std::string>& patterns) {
  std::vector<std::string> out;
  for (const auto& p : patterns) {
    glob_t g{};
    if (::glob(p.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    }
    ::globfree(&g);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace tidemark::alerting
