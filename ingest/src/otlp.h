// OTLP metrics: protobuf/JSON decoding, translation to Prometheus series, response encoding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "batch_writer.h"
#include "metadata_store.h"
#include "otlp_model.h"
#include "tidemark/ingest/ingester.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::ingest {

// Nesting limit for AnyValue arrays/kvlists and for JSON documents.
inline constexpr int kOtlpMaxDepth = 32;

// ExportMetricsServiceRequest from protobuf (field numbers from opentelemetry-proto).
// More than `max_points` data points (all kinds) → ResourceExhausted.
Status DecodeOtlpProto(std::string_view body, size_t max_points, OtlpRequest* out);
// ExportMetricsServiceRequest from OTLP/JSON (lowerCamelCase; snake_case also accepted).
Status DecodeOtlpJson(std::string_view body, size_t max_points, OtlpRequest* out);

struct OtlpTranslateResult {
  uint64_t points_total = 0;
  uint64_t points_rejected = 0;
};

class DeltaToCumulative;

// Appends the Prometheus series for every data point through `writer` (delta sums and
// histograms accumulated to cumulative through `deltas`), records metric metadata, and counts
// rejected points (invalid names/labels, exponential histograms, delta points out of order,
// storage rejections).
OtlpTranslateResult TranslateOtlp(const OtlpRequest& req, const IngestOptions& options,
                                  BatchWriter& writer, MetadataStore& metadata,
                                  DeltaToCumulative& deltas);

// ExportMetricsServiceResponse, with partial_success when rejected > 0.
std::string EncodeOtlpResponse(bool json, int64_t rejected, std::string_view message);
// google.rpc.Status {code, message} for error answers.
std::string EncodeRpcStatus(bool json, int code, std::string_view message);

}  // namespace tidemark::ingest
