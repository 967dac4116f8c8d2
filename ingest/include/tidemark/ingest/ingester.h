// Ingester: decodes Prometheus remote-write (1.0/2.0) and OTLP metrics bodies and appends them.
//
// The HTTP layer hands over the raw request body plus its Content-Type and Content-Encoding headers
// and writes back the returned IngestResponse verbatim (status, headers, body). Thread-safe: one
// Ingester serves all connections; each call uses its own storage Appender.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tidemark/storage/appender.h"

namespace tidemark::ingest {

// The configurable limits on what a series may be (IngestOptions); samples they refuse are
// counted per limit (IngestStats::samples_rejected_limit) and answered 400 naming the limit.
enum class IngestLimit : uint8_t {
  kLabelLimit,            // labels per series
  kLabelNameLength,       // bytes of a label name
  kLabelValueLength,      // bytes of a label value
  kSeriesLimit,           // series in memory
  kSeriesLimitPerMetric,  // series in memory with one metric name
};
inline constexpr size_t kIngestLimits = 5;
// The reason label in /metrics: "label_limit", "label_name_length_limit", ...
std::string_view IngestLimitReason(IngestLimit l);
// The flag that sets it: "--ingest.label-limit", ...
std::string_view IngestLimitFlag(IngestLimit l);

struct IngestOptions {
  // Request body limit as received (compressed). The HTTP layer should also enforce it before
  // reading the body; the Ingester re-checks it and answers 413.
  size_t max_body_bytes = 32u << 20;
  // Limit on the body after snappy/gzip decompression (413 when exceeded). Checked before
  // allocating, from the snappy header, and while inflating gzip.
  size_t max_decompressed_bytes = 256u << 20;
  // Series limits (0 = none); 400 naming the limit when exceeded.
  size_t max_labels_per_series = 64;     // counts __name__
  size_t max_label_name_len = 1024;      // bytes
  size_t max_label_value_len = 4096;     // bytes
  size_t max_series = 0;                 // series in memory (storage SeriesLimits)
  size_t max_series_per_metric = 0;
  // OTLP translation: Prometheus' `otlp:` configuration section; replaceable at run time
  // (Ingester::SetOtlpConfig) when the configuration is reloaded.
  struct Otlp {
    // Resource attributes copied onto every series of that resource (besides target_info).
    std::vector<std::string> promote_resource_attributes;
    // Copy every resource attribute except those in ignore_resource_attributes (exclusive with
    // promote_resource_attributes, as Prometheus checks at load).
    bool promote_all_resource_attributes = false;
    std::vector<std::string> ignore_resource_attributes;
    // Keep service.name, service.namespace and service.instance.id on target_info too.
    bool keep_identifying_resource_attributes = false;
    // Unit suffixes and `_total`/`_ratio` on metric names: translation_strategy
    // UnderscoreEscapingWithSuffixes (true, the default) or UnderscoreEscapingWithoutSuffixes.
    bool add_suffixes = true;
  } otlp;
  // OTLP: emit `target_info` for resources with attributes beyond job/instance.
  bool otlp_target_info = true;
  // OTLP delta sums and histograms are accumulated into cumulative series per stream (the
  // OpenTelemetry collector's deltatocumulative processor): at most this many streams are
  // tracked (points of new streams beyond it are rejected), and a stream without points for
  // `otlp_delta_max_stale_ms` is forgotten (its next point starts a new cumulative series).
  size_t otlp_delta_max_streams = 100'000;
  int64_t otlp_delta_max_stale_ms = 5 * 60 * 1000;
  // Milliseconds on a monotonic clock, for delta stream staleness; empty = steady_clock.
  std::function<int64_t()> monotonic_ms;
  // Receives one warn-level line per rejection summary (at most one per 10 s, with counts per
  // reason and the first reason's text); empty = rejections are only counted.
  std::function<void(const std::string& message)> warn;
  // OTLP: data points per request (bounds the decoded request's memory); more → 413.
  size_t otlp_max_data_points = 2'000'000;
};

// What the HTTP layer sends back. Headers exclude Content-Length (the server computes it).
struct IngestResponse {
  int http_status = 204;
  std::string content_type;  // empty when body is empty
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Metric metadata as served by /api/v1/metadata (type is Prometheus' lowercase name:
// counter, gauge, histogram, gaugehistogram, summary, info, stateset, unknown).
struct MetricMetadata {
  std::string metric;
  std::string type;
  std::string help;
  std::string unit;
};

// Monotonic counters since construction (for /metrics).
struct IngestStats {
  uint64_t requests_remote_write_v1 = 0;
  uint64_t requests_remote_write_v2 = 0;
  uint64_t requests_otlp_protobuf = 0;
  uint64_t requests_otlp_json = 0;
  uint64_t requests_failed = 0;             // any non-2xx answer
  uint64_t samples_accepted = 0;
  uint64_t samples_rejected_invalid = 0;    // bad labels, limits
  uint64_t samples_rejected_out_of_order = 0;
  uint64_t samples_rejected_duplicate = 0;
  uint64_t samples_rejected_unsupported = 0;  // OTLP exponential histograms, delta stream limit
  std::array<uint64_t, kIngestLimits> samples_rejected_limit{};  // by IngestLimit
  uint64_t exemplars_ignored = 0;
  uint64_t histograms_ignored = 0;          // native histograms (remote-write)
  uint64_t metadata_received = 0;
  uint64_t bytes_received = 0;              // before decompression
  uint64_t bytes_decompressed = 0;
};

class MetadataStore;

class Ingester {
 public:
  Ingester(Appendable& storage, IngestOptions options);
  ~Ingester();
  Ingester(const Ingester&) = delete;
  Ingester& operator=(const Ingester&) = delete;

  // POST /api/v1/write. Content-Type selects 1.0 (absent, application/x-protobuf, or
  // proto=prometheus.WriteRequest) or 2.0 (proto=io.prometheus.write.v2.Request); other proto
  // values answer 415. Content-Encoding must be snappy (or absent, treated as snappy).
  IngestResponse RemoteWrite(std::string_view body, std::string_view content_type,
                             std::string_view content_encoding);

  // POST /v1/metrics and /api/v1/otlp/v1/metrics. Content-Type application/x-protobuf or
  // application/json (415 otherwise); Content-Encoding gzip or identity.
  IngestResponse Otlp(std::string_view body, std::string_view content_type,
                      std::string_view content_encoding);

  // Metadata received so far, sorted by metric name; `metric` filters to one name when not
  // empty, `limit` caps the number of metric names (0 = unlimited).
  std::vector<MetricMetadata> Metadata(std::string_view metric = {}, size_t limit = 0) const;

  // Adds metadata read elsewhere (scrapes) to what Metadata() answers.
  void AddMetadata(const std::vector<MetricMetadata>& metadata);

  IngestStats Stats() const;

  // Replaces the OTLP translation settings (configuration reload); requests already running
  // finish with the old ones.
  void SetOtlpConfig(IngestOptions::Otlp otlp);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tidemark::ingest
