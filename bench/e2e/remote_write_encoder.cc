// Protobuf wire encoding of remote-write WriteRequests, and snappy compression.
#include "remote_write_encoder.h"

#include <snappy.h>

#include "tidemark/ingest/protowire_writer.h"

namespace tidemark::e2e {

using ingest::AppendDoubleField;
using ingest::AppendLenField;
using ingest::AppendLenPrefix;
using ingest::AppendVarintField;
using ingest::LenFieldSize;

std::string EncodeTimeSeriesLabels(const LabelPairs& labels) {
  std::string out, label;
  for (const auto& [name, value] : labels) {
    label.clear();
    AppendLenField(&label, 1, name);
    AppendLenField(&label, 2, value);
    AppendLenField(&out, 1, label);
  }
  return out;
}

void WriteRequestBuilder::Add(std::string_view encoded_labels, int64_t timestamp_ms, double value) {
  // Sample{1: double, 2: int64}; a zero timestamp is still written (harmless).
  sample_.clear();
  AppendDoubleField(&sample_, 1, value);
  AppendVarintField(&sample_, 2, static_cast<uint64_t>(timestamp_ms));
  // The TimeSeries is written in place: its length is known before its bytes.
  AppendLenPrefix(&raw_, 1, encoded_labels.size() + LenFieldSize(2, sample_.size()));
  raw_.append(encoded_labels);
  AppendLenField(&raw_, 2, sample_);
  ++num_samples_;
}

std::string WriteRequestBuilder::FinishCompressed() {
  std::string out;
  snappy::Compress(raw_.data(), raw_.size(), &out);
  raw_.clear();
  num_samples_ = 0;
  return out;
}

}  // namespace tidemark::e2e
