// Route matching by path segments.
#include "tidemark/http/router.h"

#include <algorithm>

namespace tidemark::http {

void Router::Add(Route route) {
  if (route.name.empty()) route.name = route.pattern;
  routes_.push_back(std::move(route));
}

namespace {

// Matches "/a/:x/c" against "/a/b/c".
bool MatchPattern(std::string_view pattern, std::string_view path,
                  std::map<std::string, std::string>& vars) {
  vars.clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty()) return false;
    if (pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    size_t pe = pattern.find('/');
    size_t se = path.find('/');
    std::string_view pseg = pattern.substr(0, pe);
    std::string_view sseg = path.substr(0, se);
    if (!pseg.empty() && pseg[0] == ':') {
      if (sseg.empty()) return false;
      vars[std::string(pseg.substr(1))] = std::string(sseg);
    } else if (pseg != sseg) {
      return false;
    }
    pattern = pe == std::string_view::npos ? std::string_view() : pattern.substr(pe);
    path = se == std::string_view::npos ? std::string_view() : path.substr(se);
  }
  return true;
}

}  // namespace

Router::MatchResult Router::Match(std::string_view method, std::string_view path,
                                  const Route** route,
                                  std::map<std::string, std::string>& vars) const {
  bool path_matched = false;
  std::map<std::string, std::string> tmp;
  for (const Route& r : routes_) {
    if (!MatchPattern(r.pattern, path, tmp)) continue;
    path_matched = true;
    if (std::find(r.methods.begin(), r.methods.end(), method) != r.methods.end()) {
      *route = &r;
      vars = std::move(tmp);
      return MatchResult::kFound;
    }
  }
  return path_matched ? MatchResult::kMethodNotAllowed : MatchResult::kNotFound;
}

}  // namespace tidemark::http
