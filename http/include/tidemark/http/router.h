// The route table: method + path pattern -> handler, with how (which thread pool) to run it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/http/request.h"

namespace tidemark::http {

// Where a handler runs. I/O threads must never block, so anything slow goes to a pool.
enum class Pool : uint8_t {
  kInline,    // cheap, non-blocking (health, status): runs on the I/O thread
  kQuery,     // PromQL and index reads: the query worker pool
  kBlocking,  // ingestion, admin, reload: the blocking worker pool (never shared with queries)
};

using Handler = std::function<HttpResponse(HttpRequest&)>;

struct Route {
  std::vector<std::string> methods;  // e.g. {"GET","POST"}
  std::string pattern;               // "/api/v1/label/:name/values"; ":x" captures one segment
  std::string name;                  // handler label for metrics/logs (defaults to pattern)
  Pool pool = Pool::kInline;
  bool raw_body = false;  // handler decodes Content-Encoding itself (ingest)
  Handler handler;
};

class Router {
 public:
  void Add(Route route);
  enum class MatchResult : uint8_t { kFound, kNotFound, kMethodNotAllowed };
  // On kFound sets *route and fills `vars` from ":name" segments.
  MatchResult Match(std::string_view method, std::string_view path, const Route** route,
                    std::map<std::string, std::string>& vars) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace tidemark::http
