// Sample and timestamp vocabulary shared by every module.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

namespace tidemark {

// Milliseconds since the Unix epoch, as in Prometheus. Never seconds, never 32 bits.
using Timestamp = int64_t;
// Dense identifier of a series within one store.
using SeriesRef = uint64_t;

inline constexpr Timestamp kMinTimestamp = std::numeric_limits<int64_t>::min() / 2;
inline constexpr Timestamp kMaxTimestamp = std::numeric_limits<int64_t>::max() / 2;

struct Sample {
  Timestamp t = 0;
  double v = 0;
};

// Prometheus' staleness marker: a specific NaN bit pattern, distinct from an ordinary NaN.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;
inline double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }
inline bool IsStaleNaN(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }

// What an iterator currently points at; kNone when exhausted. (Histograms may be added later.)
enum class ValueType : uint8_t { kNone = 0, kFloat = 1 };

}  // namespace tidemark
