// OTLP delta temporality → cumulative, per stream, with the rules of the OpenTelemetry
// collector's deltatocumulative processor (which Prometheus' otlp-deltatocumulative feature runs):
// a stream's first point starts its running total; a point whose start time is older than the
// stream's is dropped (another writer, or a replay); a point not newer than the stream's last one
// is dropped (out of order); otherwise the point is added and the total keeps the stream's start.
// State is bounded: at most `max_streams` streams, each forgotten after `max_stale_ms` without
// points. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "otlp_model.h"

namespace tidemark::ingest {

class DeltaToCumulative {
 public:
  using Clock = std::function<int64_t()>;  // milliseconds, monotonic
  DeltaToCumulative(size_t max_streams, int64_t max_stale_ms, Clock now);

  enum class Outcome : uint8_t { kOk, kOlderStart, kOutOfOrder, kTooManyStreams };
  // Why a point was dropped, for logs and partial-success messages.
  static std::string_view Describe(Outcome o);

  struct Number {
    uint64_t start_ns = 0;
    uint64_t time_ns = 0;
    double value = 0;
  };
  // Adds `point` to the stream `key`; on kOk, *total is the stream's cumulative point.
  Outcome AddNumber(const std::string& key, const Number& point, Number* total);

  struct Histogram {
    uint64_t start_ns = 0;
    uint64_t time_ns = 0;
    uint64_t count = 0;
    bool has_sum = false;
    double sum = 0;
    std::vector<double> bounds;
    std::vector<uint64_t> buckets;  // per bucket, not cumulative
  };
  // As AddNumber. A point with other bucket bounds than the stream's replaces the total (the
  // collector's rule: there is no way to merge them).
  Outcome AddHistogram(const std::string& key, const Histogram& point, Histogram* total);

  size_t streams() const;

 private:
  struct Stream {
    Number number;
    Histogram histogram;
    int64_t last_seen_ms = 0;
  };
  // The stream for `key`, created when absent and there is room; nullptr when full. *created
  // tells whether it is new.
  Stream* FindOrCreate(const std::string& key, int64_t now, bool* created);
  void Sweep(int64_t now);  // forgets stale streams

  const size_t max_streams_;
  const int64_t max_stale_ms_;
  Clock now_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Stream> streams_;
  int64_t last_sweep_ms_ = 0;
};

// The identity of an OTLP stream: resource attributes, scope, metric name, unit, kind and
// monotonicity, and the point's attributes.
std::string DeltaStreamKey(const std::vector<OtlpAttribute>& resource, std::string_view scope_name,
                           std::string_view scope_version, const OtlpMetric& metric,
                           const std::vector<OtlpAttribute>& point_attributes);

}  // namespace tidemark::ingest
