// External URL and route prefix normalisation (Prometheus' computeExternalURL and route-prefix
// default).
#include "external_url.h"

namespace tidemark::app {

namespace {

std::string TrimTrailingSlashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// The path of "scheme://host[:port]/path?query#fragment"; "" when there is none.
std::string UrlPath(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t slash = url.find('/', start);
  if (slash == std::string::npos) return "";
  return url.substr(slash, url.find_first_of("?#", slash) - slash);
}

}  // namespace

std::string ExternalUrl(const ServeConfig& cfg) {
  if (cfg.external_url.empty()) return "http://" + cfg.listen;
  return TrimTrailingSlashes(cfg.external_url);
}

std::string RoutePrefix(const ServeConfig& cfg) {
  std::string p = cfg.route_prefix.empty() ? UrlPath(cfg.external_url) : cfg.route_prefix;
  p = TrimTrailingSlashes(p);
  if (!p.empty() && p[0] != '/') p = "/" + p;
  return p;
}

}  // namespace tidemark::app
