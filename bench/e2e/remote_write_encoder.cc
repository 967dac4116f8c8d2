// Protobuf wire encoding of remote-write WriteRequests, and snappy compression.
#include "remote_write_encoder.h"

#include <snappy.h>

#include <cstring>

namespace tidemark::e2e {
namespace {

constexpr uint8_t kWireVarint = 0;
constexpr uint8_t kWireFixed64 = 1;
constexpr uint8_t kWireLen = 2;

void AppendTag(std::string& out, uint32_t field, uint8_t wire) { AppendVarint(out, (field << 3) | wire); }

void AppendLenField(std::string& out, uint32_t field, std::string_view bytes) {
  AppendTag(out, field, kWireLen);
  AppendVarint(out, bytes.size());
  out.append(bytes);
}

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace

void AppendVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::string EncodeTimeSeriesLabels(const LabelPairs& labels) {
  std::string out, label;
  for (const auto& [name, value] : labels) {
    label.clear();
    AppendLenField(label, 1, name);
    AppendLenField(label, 2, value);
    AppendLenField(out, 1, label);
  }
  return out;
}

void WriteRequestBuilder::Add(std::string_view encoded_labels, int64_t timestamp_ms, double value) {
  // Sample{1: fixed64 double, 2: varint int64}; a zero timestamp is still written (harmless).
  char sample[1 + 8 + 1 + 10];
  size_t n = 0;
  sample[n++] = static_cast<char>((1 << 3) | kWireFixed64);
  std::memcpy(sample + n, &value, 8);  // little-endian hosts only (x86-64, arm64)
  n += 8;
  sample[n++] = static_cast<char>((2 << 3) | kWireVarint);
  uint64_t ts = static_cast<uint64_t>(timestamp_ms);
  while (ts >= 0x80) {
    sample[n++] = static_cast<char>((ts & 0x7f) | 0x80);
    ts >>= 7;
  }
  sample[n++] = static_cast<char>(ts);

  const size_t series_len = encoded_labels.size() + 1 + VarintSize(n) + n;
  AppendTag(raw_, 1, kWireLen);
  AppendVarint(raw_, series_len);
  raw_.append(encoded_labels);
  AppendTag(raw_, 2, kWireLen);
  AppendVarint(raw_, n);
  raw_.append(sample, n);
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
