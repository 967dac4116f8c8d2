// In-memory form of an OTLP ExportMetricsServiceRequest, filled by the protobuf and JSON decoders
// and consumed by the Prometheus translation. Strings are views into the request body (protobuf)
// or owned (JSON, attribute values rendered from non-string AnyValues).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/storage/model/strconv.h"

namespace tidemark::ingest {

struct OtlpAttribute {
  std::string key;
  std::string value;  // AnyValue rendered as Prometheus does: strings as is, others as text/JSON
};

enum class OtlpMetricKind : uint8_t { kNone, kGauge, kSum, kHistogram, kExponentialHistogram, kSummary };
enum class OtlpTemporality : uint8_t { kUnspecified = 0, kDelta = 1, kCumulative = 2 };

inline constexpr uint32_t kOtlpFlagNoRecordedValue = 1;

struct OtlpNumberPoint {
  std::vector<OtlpAttribute> attributes;
  uint64_t start_time_ns = 0;
  uint64_t time_ns = 0;
  double value = 0;
  uint32_t flags = 0;
};

struct OtlpHistogramPoint {
  std::vector<OtlpAttribute> attributes;
  uint64_t start_time_ns = 0;
  uint64_t time_ns = 0;
  uint64_t count = 0;
  bool has_sum = false;
  double sum = 0;
  std::vector<uint64_t> bucket_counts;
  std::vector<double> explicit_bounds;
  uint32_t flags = 0;
};

struct OtlpQuantile {
  double quantile = 0;
  double value = 0;
};

struct OtlpSummaryPoint {
  std::vector<OtlpAttribute> attributes;
  uint64_t start_time_ns = 0;
  uint64_t time_ns = 0;
  uint64_t count = 0;
  double sum = 0;
  std::vector<OtlpQuantile> quantiles;
  uint32_t flags = 0;
};

struct OtlpMetric {
  std::string name;
  std::string description;
  std::string unit;
  OtlpMetricKind kind = OtlpMetricKind::kNone;
  OtlpTemporality temporality = OtlpTemporality::kUnspecified;
  bool monotonic = false;
  std::vector<OtlpNumberPoint> numbers;       // gauge, sum
  std::vector<OtlpHistogramPoint> histograms;
  std::vector<OtlpSummaryPoint> summaries;
  size_t exponential_points = 0;  // exponential histograms are counted, not decoded
};

struct OtlpScopeMetrics {
  std::string scope_name;
  std::string scope_version;
  std::vector<OtlpMetric> metrics;
};

struct OtlpResourceMetrics {
  std::vector<OtlpAttribute> resource_attributes;
  std::vector<OtlpScopeMetrics> scopes;
};

struct OtlpRequest {
  std::vector<OtlpResourceMetrics> resources;
};


}  // namespace tidemark::ingest
