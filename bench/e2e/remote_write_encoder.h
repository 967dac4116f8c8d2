// WriteRequestBuilder: hand-written encoder of Prometheus remote-write 1.0 request bodies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "node_data.h"

namespace tidemark::e2e {

// The `labels` fields (field 1, one Label message each) of a prometheus.TimeSeries, encoded once per
// series so building a batch only copies bytes.
std::string EncodeTimeSeriesLabels(const LabelPairs& labels);

// Accumulates TimeSeries (one sample each, as Prometheus' queue manager sends them) into a
// prometheus.WriteRequest: WriteRequest{1: repeated TimeSeries}, TimeSeries{1: Label, 2: Sample},
// Label{1: name, 2: value}, Sample{1: double value, 2: int64 timestamp}.
class WriteRequestBuilder {
 public:
  void Add(std::string_view encoded_labels, int64_t timestamp_ms, double value);
  int64_t num_samples() const { return num_samples_; }
  const std::string& raw() const { return raw_; }
  // The body as sent (snappy block format); resets the builder.
  std::string FinishCompressed();

 private:
  std::string raw_;
  std::string sample_;  // scratch for one encoded Sample, reused
  int64_t num_samples_ = 0;
};

}  // namespace tidemark::e2e
