// OpenTelemetry → Prometheus naming: metric names (unit suffixes, _total, _ratio) and label names.
#pragma once

#include <string>
#include <string_view>

#include "otlp_model.h"

namespace tidemark::ingest {

// Prometheus metric name for an OTLP metric. With add_suffixes=false only sanitization applies.
std::string PrometheusMetricName(const OtlpMetric& metric, bool add_suffixes);
// Prometheus label name for an attribute key ("" when nothing valid remains).
std::string PrometheusLabelName(std::string_view key);
// The Prometheus unit word for an OTLP unit (metadata), e.g. "By" → "bytes", "" for "1"/"{x}".
std::string PrometheusUnit(std::string_view unit);

}  // namespace tidemark::ingest
