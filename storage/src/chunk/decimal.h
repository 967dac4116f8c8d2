// Decimal-scaled floats (v == m / 10^k bit for bit), shared by cold blocks' value sections and
// head-log records: most metric values are decimals printed by an exporter, and their integer m
// is far shorter as a varint than the 8 bytes of the float.
//
// Why exact: both m (|m| <= 2^53) and 10^k (k <= 22) are exact doubles and IEEE division is
// correctly rounded, so m / 10^k is the same double on every conforming platform.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

namespace tidemark::chunk {

inline constexpr int kMaxDecimalExponent = 15;
inline constexpr std::array<double, kMaxDecimalExponent + 1> kDecimalPow10 = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

// The double m / 10^k, for 0 <= k <= kMaxDecimalExponent.
inline double DecimalValue(int64_t m, int k) {
  return k == 0 ? static_cast<double>(m) : static_cast<double>(m) / kDecimalPow10[k];
}

// Smallest k <= max_k (<= kMaxDecimalExponent) with an m, |m| <= 2^53, such that
// DecimalValue(m, k) has v's bits; -1 if none (NaN, infinities, -0.0, too many digits).
inline int DecimalExponent(double v, int max_k, int64_t* m_out) {
  constexpr double kMaxMantissa = 9007199254740992.0;  // 2^53
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  if (bits == 0) {  // +0.0 (but not -0.0, which would come back as +0.0)
    *m_out = 0;
    return 0;
  }
  if (!std::isfinite(v)) return -1;
  for (int k = 0; k <= max_k; ++k) {
    const double scaled = v * kDecimalPow10[k];
    if (!(std::fabs(scaled) <= kMaxMantissa)) return -1;
    const auto m = static_cast<int64_t>(std::nearbyint(scaled));
    if (m == 0) continue;
    if (std::bit_cast<uint64_t>(DecimalValue(m, k)) == bits) {
      *m_out = m;
      return k;
    }
  }
  return -1;
}

}  // namespace tidemark::chunk
