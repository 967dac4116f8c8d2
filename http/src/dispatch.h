// Adapts Beast requests to HttpRequest, runs the routed handler (exceptions become 500) and
// builds the Beast response (gzip, metrics, error logs). Used by the server; no I/O here.
#pragma once

#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tidemark/http/log.h"
#include "tidemark/http/router.h"
#include "tidemark/storage/model/metrics.h"

namespace tidemark::http {

struct DispatchOptions {
  size_t max_decompressed_body_bytes = 256 << 20;
  size_t min_gzip_bytes = 1024;
  std::string server_name = "tidemark";
  std::string route_prefix;  // ServerOptions::route_prefix
};

struct PreparedRequest {
  HttpRequest req;
  const Route* route = nullptr;
  Pool pool = Pool::kInline;
  std::optional<HttpResponse> early;  // set when the request is answered without a handler
  bool accepts_gzip = false;
  // http_server_config.headers, set before the handler's own (which may override them).
  std::vector<std::pair<std::string, std::string>> web_headers;
  unsigned version = 11;
  std::chrono::steady_clock::time_point start;
};

std::string ErrorBodyForLimit(size_t limit);

class Dispatcher {
 public:
  Dispatcher(const Router& router, DispatchOptions options, MetricsRegistry* metrics,
             Logger* logger)
      : router_(router), options_(std::move(options)), metrics_(metrics), logger_(logger) {}

  PreparedRequest Prepare(boost::beast::http::request<boost::beast::http::string_body>&& breq,
                          const std::string& remote) const;
  std::shared_ptr<boost::beast::http::response<boost::beast::http::string_body>> Run(
      PreparedRequest& p) const;

  // Also usable without Beast (tests): routes and runs the request, exceptions -> 500.
  HttpResponse Invoke(PreparedRequest& p) const;

 private:
  const Router& router_;
  DispatchOptions options_;
  MetricsRegistry* metrics_;
  Logger* logger_;
};

}  // namespace tidemark::http
