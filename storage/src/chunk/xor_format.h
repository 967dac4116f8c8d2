// Constants and shared state of the XOR (Gorilla) chunk format; see docs/format/chunks.md.
//
// Algorithm credit: T. Pelkonen et al., "Gorilla: A Fast, Scalable, In-Memory Time Series
// Database", VLDB 2015 (delta-of-delta timestamps, XOR-compressed floats). Bucket widths here are
// our own choice for millisecond timestamps with scrape jitter.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/varint.h"

namespace tidemark::chunk::xorfmt {

// Bytes 0-1: sample count, big-endian. The bitstream starts at byte 2.
inline constexpr size_t kHeaderBytes = 2;
inline constexpr size_t kHeaderBits = kHeaderBytes * 8;
// The first sample needs at least a 1-byte varint timestamp and 64 raw value bits.
inline constexpr size_t kMinFirstSampleBits = 8 + 64;
// Every later sample needs at least 1 timestamp bit and 1 value bit.
inline constexpr size_t kMinLaterSampleBits = 2;

// Delta-of-delta buckets, after a unary prefix of 1 bits ("0", "10", "110", "1110", "1111"):
// prefix length i selects kDodBits[i] signed payload bits. Widths chosen for ms timestamps:
// 4 bits (6 with the prefix) covers the usual 0-2 ms of scrape jitter (dod in -8..7), 8 bits
// rarer jitter up to +-128 ms, 16 bits +-32 s (a missed 15 s scrape); 64 takes anything (delta
// arithmetic wraps modulo 2^64, so any int64 sequence round-trips).
inline constexpr unsigned kDodBuckets = 4;  // number of non-zero buckets
inline constexpr unsigned kDodBits[kDodBuckets] = {4, 8, 16, 64};

// "No previous window" marker for the XOR leading-zero count.
inline constexpr uint8_t kNoWindow = 0xff;
// Leading zeros are stored in 5 bits.
inline constexpr unsigned kMaxLeading = 31;

// Encoder/decoder state after some samples; identical on both sides, so an appender can be
// rebuilt by decoding.
struct State {
  uint32_t n = 0;        // samples so far
  uint64_t t = 0;        // last timestamp (as uint64: arithmetic wraps modulo 2^64)
  uint64_t delta = 0;    // last timestamp delta
  uint64_t v_bits = 0;   // last value bits
  uint8_t leading = kNoWindow;
  uint8_t trailing = 0;
};

using tidemark::UnZigZag;
using tidemark::ZigZag;

// True iff the signed value fits in `bits` bits of two's complement.
inline bool FitsSigned(int64_t v, unsigned bits) {
  if (bits >= 64) return true;
  const int64_t lim = int64_t{1} << (bits - 1);
  return v >= -lim && v < lim;
}
// Sign-extends the low `bits` bits of v.
inline int64_t SignExtend(uint64_t v, unsigned bits) {
  if (bits >= 64) return static_cast<int64_t>(v);
  const unsigned shift = 64 - bits;
  return static_cast<int64_t>(v << shift) >> shift;
}

}  // namespace tidemark::chunk::xorfmt
