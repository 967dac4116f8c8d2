// GET /api/v1/status/remote_write (Tidemark's own): each remote-write endpoint's queue state
// (docs/http-api.md).
#include <nlohmann/json.hpp>

#include "api_common.h"
#include "tidemark/ingest/remote_write_sender.h"

namespace tidemark::http::api {

namespace {

HttpResponse RemoteWriteStatus(Context& c, HttpRequest&) {
  nlohmann::json eps = nlohmann::json::array();
  if (c.b.remote_write != nullptr) {
    for (const auto& s : c.b.remote_write->Statuses()) {
      eps.push_back({{"name", s.name},
                     {"url", s.url},
                     {"cursor", s.cursor},
                     {"lastCommit", s.last_commit},
                     {"shards", s.shards},
                     {"samplesSent", s.samples_sent},
                     {"samplesFailed", s.samples_failed},
                     {"samplesRetried", s.samples_retried},
                     {"samplesDropped", s.samples_dropped},
                     {"samplesPending", s.samples_pending},
                     {"highestSentTimestampSeconds", s.highest_sent_timestamp_seconds},
                     {"lagSeconds", s.lag_seconds},
                     {"lastError", s.last_error}});
    }
  }
  return Success(nlohmann::json{{"endpoints", eps}}.dump());
}

}  // namespace

void RegisterRemoteWriteStatusRoutes(Router& router, std::shared_ptr<Context> ctx) {
  router.Add({{"GET"}, "/api/v1/status/remote_write", "remote_write_status", Pool::kInline, false,
              [ctx](HttpRequest& r) { return RemoteWriteStatus(*ctx, r); }});
}

}  // namespace tidemark::http::api
