// Ingest routes: remote-write and OTLP bodies go to the ingest module untouched.
#include "api_common.h"

namespace tidemark::http::api {

namespace {

HttpResponse FromRaw(RawResponse raw) {
  HttpResponse r;
  r.status = raw.status;
  r.content_type = std::move(raw.content_type);
  r.body = std::move(raw.body);
  r.headers = std::move(raw.headers);
  return r;
}

}  // namespace

void RegisterIngestRoutes(Router& router, std::shared_ptr<Context> ctx, bool otlp_only) {
  auto otlp = [ctx](HttpRequest& r) {
    if (!ctx->b.otlp) return ErrorResponse("unavailable", "OTLP ingestion not available");
    return FromRaw(ctx->b.otlp(r.body, r.Header("content-type"), r.Header("content-encoding")));
  };
  if (otlp_only) {
    router.Add({{"POST"}, "/v1/metrics", "otlp", Pool::kBlocking, true, otlp});
    return;
  }
  router.Add({{"POST"}, "/api/v1/write", "remote_write", Pool::kBlocking, true,
              [ctx](HttpRequest& r) {
                if (!ctx->b.remote_write) {
                  return ErrorResponse("unavailable", "remote write receiver not available");
                }
                return FromRaw(ctx->b.remote_write(r.body, r.Header("content-type"),
                                                   r.Header("content-encoding")));
              }});
  router.Add({{"POST"}, "/api/v1/otlp/v1/metrics", "otlp", Pool::kBlocking, true, otlp});
}

}  // namespace tidemark::http::api
