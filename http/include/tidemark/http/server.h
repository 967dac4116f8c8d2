// The asynchronous HTTP/1.1 server (Boost.Beast): keep-alive, in-order responses, limits,
// gzip, and handler dispatch to worker pools so slow queries never block I/O threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "tidemark/http/log.h"
#include "tidemark/http/router.h"
#include "tidemark/http/web_config.h"
#include "tidemark/storage/model/metrics.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::http {

struct ServerOptions {
  std::string listen = "127.0.0.1:9090";  // host:port; port 0 picks a free one
  int io_threads = 0;                     // 0 = one per core
  int query_threads = 0;                  // 0 = max(2, cores)
  int blocking_threads = 0;               // 0 = max(2, cores)
  size_t max_header_bytes = 64 << 10;     // 431 above
  size_t max_body_bytes = 32 << 20;       // 413 above (as received)
  size_t max_decompressed_body_bytes = 256 << 20;  // gzip request bodies, 413 above
  int64_t idle_timeout_ms = 120'000;   // keep-alive connection waiting for a request
  int64_t read_timeout_ms = 60'000;    // reading one request's headers+body once started
  int64_t write_timeout_ms = 60'000;
  // Open connections (--web.max-connections; 0 = unlimited). At the cap the connection that has
  // waited longest for a request (idle keep-alive, or headers still trickling in) is closed to make
  // room; when none is waiting, accepting pauses until one closes (as Go's LimitListener).
  size_t max_connections = 512;
  size_t min_gzip_bytes = 1024;        // smaller responses are not worth compressing
  std::string server_name = "tidemark";
  // --web.config.file: TLS, basic auth and response headers; null serves plain HTTP to anyone.
  // Not owned; must outlive the server (one watcher may serve several listeners).
  WebConfigWatcher* web = nullptr;
  // --web.route-prefix: every route is served under it ("/prom/api/v1/query"), as Prometheus
  // does; "" serves at the root. Starts with "/", no trailing slash ("/prom").
  std::string route_prefix;
};

class HttpServer {
 public:
  // Binds and starts serving. `router`, `metrics` and `logger` must outlive the server.
  static Result<std::unique_ptr<HttpServer>> Start(const ServerOptions& options,
                                                   const Router& router,
                                                   MetricsRegistry* metrics, Logger* logger);
  virtual ~HttpServer() = default;
  virtual uint16_t port() const = 0;
  // Stops accepting, lets in-flight requests finish (up to `grace_ms`), closes idle
  // connections, and joins all threads. Idempotent.
  virtual void Stop(int64_t grace_ms) = 0;
};

}  // namespace tidemark::http
