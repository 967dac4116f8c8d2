// Test-only protobuf wire encoder plus builders for remote-write and OTLP messages.
#pragma once

#include <snappy.h>
#include <zlib.h>

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidemark::ingest::testing {

class PbWriter {
 public:
  PbWriter& Varint(uint32_t field, uint64_t v) {
    Tag(field, 0);
    PutVarint(v);
    return *this;
  }
  PbWriter& Fixed64(uint32_t field, uint64_t v) {
    Tag(field, 1);
    for (int i = 0; i < 8; ++i) buf_.push_back(static_cast<char>(v >> (8 * i)));
    return *this;
  }
  PbWriter& Double(uint32_t field, double v) { return Fixed64(field, std::bit_cast<uint64_t>(v)); }
  PbWriter& Bytes(uint32_t field, std::string_view b) {
    Tag(field, 2);
    PutVarint(b.size());
    buf_.append(b);
    return *this;
  }
  PbWriter& Message(uint32_t field, const PbWriter& m) { return Bytes(field, m.str()); }
  PbWriter& PackedVarint(uint32_t field, const std::vector<uint64_t>& vs) {
    PbWriter p;
    for (uint64_t v : vs) p.PutVarint(v);
    return Bytes(field, p.str());
  }
  PbWriter& PackedFixed64(uint32_t field, const std::vector<uint64_t>& vs) {
    std::string p;
    for (uint64_t v : vs) {
      for (int i = 0; i < 8; ++i) p.push_back(static_cast<char>(v >> (8 * i)));
    }
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
  const std::string& str() const { return buf_; }

  void PutVarint(uint64_t v) {
    while (v >= 0x80) {
      buf_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    buf_.push_back(static_cast<char>(v));
  }

 private:
  void Tag(uint32_t field, uint32_t wt) { PutVarint((uint64_t{field} << 3) | wt); }
  std::string buf_;
};

inline std::string Snappy(std::string_view raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

inline std::string Gzip(std::string_view raw) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, raw.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

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

inline PbWriter Metric(std::string_view name, std::string_view unit, uint32_t kind_field, const PbWriter& body,
                       std::string_view description = "") {
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
