// Ingest routes: remote-write, remote-read and OTLP bodies go to the ingest module untouched.
#include "api_common.h"
#include "tidemark/ingest/ingester.h"
#include "tidemark/ingest/remote_read.h"

namespace tidemark::http::api {

namespace {

HttpResponse FromIngest(ingest::IngestResponse in) {
  HttpResponse r;
  r.status = in.http_status;
  r.content_type = std::move(in.content_type);
  r.body = std::move(in.body);
  r.headers = std::move(in.headers);
  return r;
}

}  // namespace

void RegisterIngestRoutes(Router& router, std::shared_ptr<Context> ctx, bool otlp_only) {
  auto otlp = [ctx](HttpRequest& r) {
    if (!ctx->b.ingester) return ErrorResponse("unavailable", "OTLP ingestion not available");
    return FromIngest(
        ctx->b.ingester->Otlp(r.body, r.Header("content-type"), r.Header("content-encoding")));
  };
  if (otlp_only) {
    router.Add({{"POST"}, "/v1/metrics", "otlp", Pool::kBlocking, true, otlp});
    return;
  }
  router.Add({{"POST"}, "/api/v1/write", "remote_write", Pool::kBlocking, true,
              [ctx](HttpRequest& r) {
                if (!ctx->b.ingester) {
                  return ErrorResponse("unavailable", "remote write receiver not available");
                }
                return FromIngest(ctx->b.ingester->RemoteWrite(r.body, r.Header("content-type"),
                                                               r.Header("content-encoding")));
              }});
  router.Add({{"POST"}, "/api/v1/otlp/v1/metrics", "otlp", Pool::kBlocking, true, otlp});
  router.Add({{"POST"}, "/api/v1/read", "remote_read", Pool::kQuery, true, [ctx](HttpRequest& r) {
                if (!ctx->b.remote_reader) {
                  return ErrorResponse("unavailable", "remote read not available");
                }
                auto answer = ctx->b.remote_reader->Read(r.body, ExternalLabels(*ctx));
                return answer.ok() ? FromIngest(std::move(*answer)) : PlainError(answer.status());
              }});
}

}  // namespace tidemark::http::api
