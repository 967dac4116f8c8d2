// Test-only protobuf message builder, plus builders for remote-write and OTLP messages. Include
// only from targets that link tidemark_ingest (it writes through
// tidemark/ingest/protowire_writer.h).
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tidemark/ingest/protowire_writer.h"

namespace tidemark::ingest::testing {

// Chainable message builder: PbWriter().Bytes(1, "a").Varint(2, 3).str().
class PbWriter {
 public:
  PbWriter& Varint(uint32_t field, uint64_t v) {
    AppendVarintField(&buf_, field, v);
    return *this;
  }
  PbWriter& Fixed64(uint32_t field, uint64_t v) {
    AppendFixed64Field(&buf_, field, v);
    return *this;
  }
  PbWriter& Double(uint32_t field, double v) { return Fixed64(field, std::bit_cast<uint64_t>(v)); }
  PbWriter& Bytes(uint32_t field, std::string_view b) {
    AppendLenField(&buf_, field, b);
    return *this;
  }
  PbWriter& Message(uint32_t field, const PbWriter& m) { return Bytes(field, m.str()); }
  PbWriter& PackedVarint(uint32_t field, const std::vector<uint64_t>& vs) {
    std::string p;
    for (uint64_t v : vs) AppendUvarint(&p, v);
    return Bytes(field, p);
  }
  PbWriter& PackedFixed64(uint32_t field, const std::vector<uint64_t>& vs) {
    std::string p;
    for (uint64_t v : vs) AppendFixed64(&p, v);
    return Bytes(field, p);
  }
  PbWriter& PackedDouble(uint32_t field, const std::vector<double>& vs) {
    std::vector<uint64_t> bits;
    for (double d : vs) bits.push_back(std::bit_cast<uint64_t>(d));
    return PackedFixed64(field, bits);
  }
  PbWriter& Raw(std::string_view b) {
    buf_.append(b);
    return *this;
  }
  // A bare varint with no tag: for building malformed bodies.
  void PutVarint(uint64_t v) { AppendUvarint(&buf_, v); }
  const std::string& str() const { return buf_; }

 private:
  std::string buf_;
};

// ---- remote-write 1.0 ----
using LabelPairs = std::vector<std::pair<std::string, std::string>>;
using SamplePairs = std::vector<std::pair<int64_t, double>>;  // (t ms, v)

inline PbWriter RwSample(int64_t t, double v) {
  PbWriter s;
  s.Double(1, v).Varint(2, static_cast<uint64_t>(t));
  return s;
}

inline PbWriter RwTimeSeries(const LabelPairs& labels, const SamplePairs& samples) {
  PbWriter ts;
  for (const auto& [n, v] : labels) ts.Message(1, PbWriter().Bytes(1, n).Bytes(2, v));
  for (const auto& [t, v] : samples) ts.Message(2, RwSample(t, v));
  return ts;
}

// ---- OTLP ----
inline PbWriter AnyString(std::string_view s) { return std::move(PbWriter().Bytes(1, s)); }
inline PbWriter KeyValue(std::string_view key, const PbWriter& any) {
  return std::move(PbWriter().Bytes(1, key).Message(2, any));
}
inline PbWriter KeyValueStr(std::string_view key, std::string_view value) {
  return KeyValue(key, AnyString(value));
}

// NumberDataPoint with string attributes and a double value.
inline PbWriter NumberPoint(const LabelPairs& attrs, uint64_t start_ns, uint64_t time_ns, double v,
                            uint32_t flags = 0) {
  PbWriter p;
  for (const auto& [k, val] : attrs) p.Message(7, KeyValueStr(k, val));
  p.Fixed64(2, start_ns).Fixed64(3, time_ns).Double(4, v);
  if (flags) p.Varint(8, flags);
  return p;
}

inline PbWriter Metric(std::string_view name, std::string_view unit, uint32_t kind_field,
                       const PbWriter& body, std::string_view description = "") {
  PbWriter m;
  m.Bytes(1, name);
  if (!description.empty()) m.Bytes(2, description);
  if (!unit.empty()) m.Bytes(3, unit);
  m.Message(kind_field, body);
  return m;
}

inline PbWriter ResourceMetrics(const LabelPairs& resource, const std::vector<PbWriter>& metrics) {
  PbWriter res;
  for (const auto& [k, v] : resource) res.Message(1, KeyValueStr(k, v));
  PbWriter scope;
  scope.Message(1, PbWriter().Bytes(1, "test-scope").Bytes(2, "1.0"));
  for (const PbWriter& m : metrics) scope.Message(2, m);
  PbWriter rm;
  rm.Message(1, res).Message(2, scope);
  return rm;
}

}  // namespace tidemark::ingest::testing
