// Codec for head-log records: all samples of one commit, one RocksDB value (docs/format/keys.md).
#pragma once

#include <bit>
#include <string>
#include <string_view>

#include "chunk/decimal.h"
#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"
#include "tsdb/keys.h"

namespace tidemark::tsdb {

struct LoggedSample {
  SeriesRef ref = 0;
  Timestamp t = 0;
  double v = 0;
};

// Writes version 2 (format version 2 on): 0x00 (a version-1 record starts with its non-zero
// count), varint count, then per sample zigzag(ref - previous ref), a tag byte,
// zigzag(t - previous t) unless the tag says "same t", and the value as a zigzag-varint decimal
// mantissa or 8 LE float bits.
void EncodeHeadLogRecord(const LoggedSample* samples, size_t n, std::string* out);

// Decodes a record of either version, calling fn(const LoggedSample&) in order. Corruption on
// malformed input.
template <typename Fn>
Status DecodeHeadLogRecord(std::string_view in, Fn&& fn);

namespace headlog {
inline constexpr char kV2Marker = 0;
// Tag byte of a version-2 sample: the value code in the low 5 bits, flags above.
inline constexpr uint8_t kRawValue = 16;        // value codes 0..15: decimal exponent
inline constexpr uint8_t kValueCodeMask = 0x1f;
inline constexpr uint8_t kSameTime = 0x20;      // t equals the previous sample's; no delta
inline constexpr uint8_t kReservedBits = 0xc0;

inline uint64_t ReadLE64(std::string_view* in) {
  uint64_t bits = 0;
  for (int b = 7; b >= 0; --b) bits = (bits << 8) | static_cast<uint8_t>((*in)[b]);
  in->remove_prefix(8);
  return bits;
}

// Unsigned arithmetic: deltas between arbitrary int64 values must not overflow.
inline int64_t AddDelta(int64_t prev, uint64_t zigzag_delta) {
  return static_cast<int64_t>(static_cast<uint64_t>(prev) +
                              static_cast<uint64_t>(UnZigZag(zigzag_delta)));
}

template <typename Fn>
Status DecodeV1(std::string_view in, Fn&& fn) {
  uint64_t n = 0;
  if (!ReadUvarint(&in, &n)) return Status::Corruption("head log record: bad count");
  Timestamp prev = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t ref = 0, dt = 0;
    if (!ReadUvarint(&in, &ref) || !ReadUvarint(&in, &dt) || in.size() < 8) {
      return Status::Corruption("head log record: truncated sample");
    }
    LoggedSample s{ref, AddDelta(prev, dt), std::bit_cast<double>(ReadLE64(&in))};
    prev = s.t;
    fn(s);
  }
  if (!in.empty()) return Status::Corruption("head log record: trailing bytes");
  return Status::OK();
}

template <typename Fn>
Status DecodeV2(std::string_view in, Fn&& fn) {
  in.remove_prefix(1);  // the marker
  uint64_t n = 0;
  if (!ReadUvarint(&in, &n)) return Status::Corruption("head log record: bad count");
  LoggedSample s;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t dref = 0;
    if (!ReadUvarint(&in, &dref) || in.empty()) {
      return Status::Corruption("head log record: truncated sample");
    }
    s.ref = static_cast<SeriesRef>(AddDelta(static_cast<int64_t>(s.ref), dref));
    const auto tag = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    const uint8_t code = tag & kValueCodeMask;
    if ((tag & kReservedBits) != 0 || code > kRawValue) {
      return Status::Corruption("head log record: bad sample tag");
    }
    if ((tag & kSameTime) == 0) {
      uint64_t dt = 0;
      if (!ReadUvarint(&in, &dt)) return Status::Corruption("head log record: truncated sample");
      s.t = AddDelta(s.t, dt);
    }
    if (code == kRawValue) {
      if (in.size() < 8) return Status::Corruption("head log record: truncated sample");
      s.v = std::bit_cast<double>(ReadLE64(&in));
    } else {
      uint64_t m = 0;
      if (!ReadUvarint(&in, &m)) return Status::Corruption("head log record: truncated sample");
      s.v = chunk::DecimalValue(UnZigZag(m), code);
    }
    fn(static_cast<const LoggedSample&>(s));
  }
  if (!in.empty()) return Status::Corruption("head log record: trailing bytes");
  return Status::OK();
}
}  // namespace headlog

template <typename Fn>
Status DecodeHeadLogRecord(std::string_view in, Fn&& fn) {
  // A version-1 record of no samples is the single byte 0 (never written, but well formed).
  if (in.size() > 1 && in[0] == headlog::kV2Marker) return headlog::DecodeV2(in, fn);
  return headlog::DecodeV1(in, fn);
}

}  // namespace tidemark::tsdb
