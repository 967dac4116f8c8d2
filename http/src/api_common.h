// Helpers shared by the API handler files: error mapping, parameter access, deadlines.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tidemark/http/api.h"
#include "tidemark/http/format.h"
#include "tidemark/http/params.h"
#include "tidemark/http/request.h"

namespace tidemark::http::api {

// {"status":"error",...} with the HTTP status Prometheus uses for that errorType.
HttpResponse ErrorResponse(std::string_view error_type, std::string_view message);
// Maps a module Status to Prometheus' errorType and HTTP status.
HttpResponse StatusResponse(const Status& s);
HttpResponse BadData(std::string_view message);
HttpResponse Success(std::string_view data_json, const std::vector<std::string>& warnings = {});
// Go's http.Error (text/plain, the message and a newline), how Prometheus' federation and
// remote-read handlers answer failures; the Status form maps InvalidArgument to 400,
// Unavailable to 503 and the rest to 500.
HttpResponse PlainError(int status, std::string_view message);
HttpResponse PlainError(const Status& s);

// Parses an optional time parameter (default when absent or empty).
Result<Timestamp> TimeParam(const HttpRequest& r, const std::string& name, Timestamp dflt);
Timestamp NowMs();

// Parses every match[] parameter into matcher sets (bad_data on error).
Result<std::vector<Matchers>> MatchParams(const HttpRequest& r);

struct Context;
// The current config's external labels (none without a ServerControl).
Labels ExternalLabels(const Context& c);

// Cancels tokens when their deadline passes (per-request `timeout` parameters).
class Watchdog {
 public:
  Watchdog();
  ~Watchdog();
  // Returns an id for Remove.
  uint64_t Add(std::chrono::steady_clock::time_point deadline, query::CancelToken* token);
  void Remove(uint64_t id);

 private:
  void Loop();
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, std::pair<std::chrono::steady_clock::time_point, query::CancelToken*>> items_;
  // When the loop wakes next: Add wakes it early only for a deadline before that, so a query
  // with the usual minutes-long timeout costs no thread switch.
  std::chrono::steady_clock::time_point wake_ = std::chrono::steady_clock::time_point::max();
  uint64_t next_ = 1;
  bool stop_ = false;
  std::thread thread_;
};

// Everything the handler lambdas share.
struct Context {
  ApiBackends b;
  ApiState* state = nullptr;
  std::unique_ptr<Watchdog> watchdog = std::make_unique<Watchdog>();
};

void RegisterQueryRoutes(Router& router, std::shared_ptr<Context> ctx);
void RegisterMetaRoutes(Router& router, std::shared_ptr<Context> ctx);
void RegisterStatusRoutes(Router& router, std::shared_ptr<Context> ctx);
void RegisterRuleRoutes(Router& router, std::shared_ptr<Context> ctx);
void RegisterSloRoutes(Router& router, std::shared_ptr<Context> ctx);
void RegisterAlertmanagerRoutes(Router& router, std::shared_ptr<Context> ctx);
void RegisterIngestRoutes(Router& router, std::shared_ptr<Context> ctx, bool otlp_only);
void RegisterNotificationRoutes(Router& router, std::shared_ptr<Context> ctx);
void RegisterFederationRoutes(Router& router, std::shared_ptr<Context> ctx);
void RegisterRemoteWriteStatusRoutes(Router& router, std::shared_ptr<Context> ctx);
void RegisterUiRoutes(Router& router, std::shared_ptr<Context> ctx);
void RegisterTargetRoutes(Router& router, std::shared_ptr<Context> ctx);

}  // namespace tidemark::http::api
