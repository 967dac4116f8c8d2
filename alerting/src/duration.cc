// Prometheus duration strings (model.ParseDuration / Duration.String) and rule-file globbing.
#include <glob.h>

#include <algorithm>
#include <cctype>
#include <limits>

#include "tidemark/alerting/rule_file.h"
#include "tidemark/query/ast.h"

namespace tidemark::alerting {

// The duration language is PromQL's; one implementation serves the API, config and rules.
Result<int64_t> ParsePromDuration(std::string_view s) {
  auto d = tidemark::ParseDuration(s);
  if (d.ok()) return d;
  // promtool (Prometheus 2.x) words every malformed duration this way; rule-file errors match it.
  return Status::InvalidArgument("not a valid duration string: \"" + std::string(s) + "\"");
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
