// Value section of a cold block: constant, XOR bitstream, or decimal-scaled integers.
//
// Decimal detection: a float64 v is "decimal at k" when some integer m with |m| <= 2^53 gives
// double(m) / 10^k == v bit for bit. Both operands are exact doubles (10^k for k <= 22), and IEEE
// division is correctly rounded, so the reconstruction is deterministic on every conforming
// platform. If v is decimal at k it is also decimal at every K > k with m * 10^(K-k) as long as
// that stays within 2^53 (same rational, same correctly rounded result), so a block can share one
// exponent. The encoder still verifies the whole block after encoding.
#include "chunk/cold_values.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <numeric>
#include <utility>

#include "chunk/bit_reader.h"
#include "chunk/bit_writer.h"
#include "chunk/cold_format.h"
#include "chunk/decimal.h"
#include "chunk/xor_codec.h"

namespace tidemark::chunk::coldfmt {
namespace {

constexpr std::array<int64_t, 16> kIntPow10 = {
    1,           10,           100,           1000,           10000,           100000,
    1000000,     10000000,     100000000,     1000000000,     10000000000,     100000000000,
    1000000000000, 10000000000000, 100000000000000, 1000000000000000};
constexpr int64_t kMaxMantissa = int64_t{1} << 53;

uint64_t U(int64_t v) { return static_cast<uint64_t>(v); }
int64_t S(uint64_t v) { return static_cast<int64_t>(v); }

// Encoded size of the decimal section for exponent k, given per-value (k_i, m_i).
struct PerValue {
  int k;
  int64_t m;
};

bool BuildPlan(std::span<const Sample> samples, const std::vector<PerValue>& pv, int k,
               bool dod, DecimalPlan* plan) {
  plan->k = k;
  plan->dod = dod;
  plan->m.resize(samples.size());
  plan->exceptions.clear();
  int64_t prev = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    bool exact = pv[i].k >= 0 && pv[i].k <= k;
    int64_t m = 0;
    if (exact) {
      const int64_t scale = kIntPow10[k - pv[i].k];
      exact = pv[i].m <= kMaxMantissa / scale && pv[i].m >= -kMaxMantissa / scale;
      m = exact ? pv[i].m * scale : 0;
    }
    if (!exact) {
      plan->exceptions.push_back(static_cast<uint32_t>(i));
      m = prev;
    }
    plan->m[i] = m;
    prev = m;
  }
  if (plan->exceptions.size() == samples.size()) return false;
  // Byte-granular values (file systems, memory) move in multiples of 1024 or 4096: dividing the
  // deltas by their common divisor makes the varints shorter.
  uint64_t g = 0;
  for (size_t i = 1; i < plan->m.size(); ++i) {
    const int64_t d = plan->m[i] - plan->m[i - 1];  // |m| <= 2^53: no overflow
    g = std::gcd(g, static_cast<uint64_t>(d < 0 ? -d : d));
  }
  plan->gcd = g == 0 ? 1 : g;
  // Size: exceptions, gcd, then m0 and the delta (or dod) stream.
  size_t size = UvarintSize(plan->exceptions.size());
  uint32_t last = 0;
  for (size_t j = 0; j < plan->exceptions.size(); ++j) {
    const uint32_t idx = plan->exceptions[j];
    size += UvarintSize(j == 0 ? idx : idx - last - 1) + 8;
    last = idx;
  }
  size += UvarintSize(plan->gcd) + VarintSize(plan->m[0]);
  uint64_t prev_delta = 0;
  for (size_t i = 1; i < plan->m.size(); ++i) {
    const uint64_t delta = U((plan->m[i] - plan->m[i - 1]) / S(plan->gcd));
    size += VarintSize(S(dod ? delta - prev_delta : delta));
    prev_delta = delta;
  }
  plan->size = size;
  return true;
}

// The decimal integer stream (varint m0, then n - 1 deltas or delta-of-deltas, times g) as
// float64 bits m / 10^k into vals[0..n). kIntegral: k == 0 (no division).
template <bool kDod, bool kIntegral>
bool DecodeDecimalStream(ByteReader& br, uint64_t g, double pow10, uint32_t n, uint64_t* vals) {
  int64_t v = 0;
  if (!br.Varint(&v)) return false;
  uint64_t m = U(v), delta = 0;
  auto put = [&](uint32_t i, uint64_t zigzag) {
    if constexpr (kDod) {
      delta += U(xorfmt::UnZigZag(zigzag));
    } else {
      delta = U(xorfmt::UnZigZag(zigzag));
    }
    m += delta * g;  // wraps harmlessly on corrupt input
    const double d = static_cast<double>(S(m));
    vals[i] = std::bit_cast<uint64_t>(kIntegral ? d : d / pow10);
  };
  const double d0 = static_cast<double>(S(m));
  vals[0] = std::bit_cast<uint64_t>(kIntegral ? d0 : d0 / pow10);
  const uint8_t* p = br.pos();
  const uint8_t* const end = p + br.remaining();
  uint32_t i = 1;
  // While a whole varint fits in what is left, read one- and two-byte varints (small deltas,
  // the common case) without a data-dependent branch; longer ones take the general path.
  for (; i < n && end - p >= kMaxUvarintBytes; ++i) {
    const uint64_t b0 = p[0], b1 = p[1];
    const uint64_t more = b0 >> 7;  // 1: a second byte follows
    if (more & (b1 >> 7)) [[unlikely]] {
      ByteReader r(p, static_cast<size_t>(end - p));
      uint64_t u = 0;
      if (!r.Uvarint(&u)) return false;
      p = r.pos();
      put(i, u);
      continue;
    }
    const uint64_t u = (b0 & 0x7f) | ((b1 << 7) & (0 - more) & 0x3f80);
    p += 1 + more;
    put(i, u);
  }
  ByteReader r(p, static_cast<size_t>(end - p));
  for (; i < n; ++i) {
    uint64_t u = 0;
    if (!r.Uvarint(&u)) return false;
    put(i, u);
  }
  br = r;
  return true;
}

}  // namespace

bool AllSameBits(std::span<const Sample> samples) {
  const uint64_t first = std::bit_cast<uint64_t>(samples[0].v);
  for (const Sample& s : samples) {
    if (std::bit_cast<uint64_t>(s.v) != first) return false;
  }
  return true;
}

bool PlanDecimal(std::span<const Sample> samples, int max_k, bool dod, DecimalPlan* plan) {
  if (max_k > kMaxExponent) max_k = kMaxExponent;
  if (max_k < 0) max_k = 0;
  std::vector<PerValue> pv(samples.size());
  std::array<size_t, kMaxExponent + 1> count{};
  for (size_t i = 0; i < samples.size(); ++i) {
    pv[i].k = DecimalExponent(samples[i].v, max_k, &pv[i].m);
    if (pv[i].k >= 0) ++count[pv[i].k];
  }
  // Each exponent that occurs is a candidate (values needing more become exceptions); keep the
  // smallest.
  bool found = false;
  DecimalPlan candidate;
  for (int k = 0; k <= max_k; ++k) {
    if (count[k] == 0) continue;
    if (!BuildPlan(samples, pv, k, dod, &candidate)) continue;
    if (!found || candidate.size < plan->size) {
      std::swap(*plan, candidate);
      found = true;
    }
  }
  return found;
}

void EncodeConstant(std::span<const Sample> samples, std::string* out) {
  PutFixed64(out, std::bit_cast<uint64_t>(samples[0].v));
}

void EncodeXorValues(std::span<const Sample> samples, std::string* out) {
  BitWriter w(out, out->size() * 8);
  uint64_t prev = std::bit_cast<uint64_t>(samples[0].v);
  w.WriteBits(prev, 64);
  uint8_t leading = xorfmt::kNoWindow, trailing = 0;
  for (size_t i = 1; i < samples.size(); ++i) {
    const uint64_t cur = std::bit_cast<uint64_t>(samples[i].v);
    xorfmt::WriteValue(w, prev, cur, &leading, &trailing);
    prev = cur;
  }
}

void EncodeDecimal(std::span<const Sample> samples, const DecimalPlan& plan, std::string* out) {
  AppendUvarint(out, plan.exceptions.size());
  uint32_t last = 0;
  for (size_t j = 0; j < plan.exceptions.size(); ++j) {
    const uint32_t idx = plan.exceptions[j];
    AppendUvarint(out, j == 0 ? idx : idx - last - 1);
    PutFixed64(out, std::bit_cast<uint64_t>(samples[idx].v));
    last = idx;
  }
  AppendUvarint(out, plan.gcd);
  PutVarint(out, plan.m[0]);
  uint64_t prev_delta = 0;
  for (size_t i = 1; i < plan.m.size(); ++i) {
    const uint64_t delta = U((plan.m[i] - plan.m[i - 1]) / S(plan.gcd));
    PutVarint(out, S(plan.dod ? delta - prev_delta : delta));
    prev_delta = delta;
  }
}

bool DecodeValues(ByteReader& r, ColdValueCodec codec, int k, uint32_t n,
                  std::vector<uint64_t>* out) {
  out->resize(n);
  if (n == 0) return true;
  switch (codec) {
    case ColdValueCodec::kConstant: {
      uint64_t bits = 0;
      if (!r.Fixed64(&bits)) return false;
      std::fill(out->begin(), out->end(), bits);
      return r.remaining() == 0;
    }
    case ColdValueCodec::kXor: {
      BitReader br(r.pos(), r.remaining(), 0);
      uint64_t v = 0;
      if (!br.ReadBits(64, &v)) return false;
      (*out)[0] = v;
      uint8_t leading = xorfmt::kNoWindow, trailing = 0;
      for (uint32_t i = 1; i < n; ++i) {
        if (!xorfmt::ReadValue(br, &v, &leading, &trailing)) return false;
        (*out)[i] = v;
      }
      // Only zero padding may follow the last value.
      if (br.remaining() >= 8) return false;
      uint64_t pad = 0;
      if (!br.ReadBits(static_cast<unsigned>(br.remaining()), &pad) || pad != 0) return false;
      return r.Skip(r.remaining());
    }
    case ColdValueCodec::kDecimalDelta:
    case ColdValueCodec::kDecimalDod: {
      if (k < 0 || k > kMaxExponent) return false;
      const bool dod = codec == ColdValueCodec::kDecimalDod;
      uint64_t num_exc = 0;
      if (!r.Uvarint(&num_exc) || num_exc > n) return false;
      // Exceptions overwrite the integer stream's output afterwards: validate and skip them now,
      // read them again at the end.
      const ByteReader exc_list = r;
      uint64_t idx = 0;
      for (uint64_t j = 0; j < num_exc; ++j) {
        uint64_t gap = 0;
        if (!r.Uvarint(&gap)) return false;
        idx = j == 0 ? gap : idx + gap + 1;
        if (idx >= n) return false;
        if (!r.Skip(8)) return false;
      }
      uint64_t g = 0;
      if (!r.Uvarint(&g) || g == 0) return false;
      uint64_t* vals = out->data();
      bool ok;
      if (k == 0) {
        ok = dod ? DecodeDecimalStream<true, true>(r, g, 0, n, vals)
                 : DecodeDecimalStream<false, true>(r, g, 0, n, vals);
      } else {
        ok = dod ? DecodeDecimalStream<true, false>(r, g, kDecimalPow10[k], n, vals)
                 : DecodeDecimalStream<false, false>(r, g, kDecimalPow10[k], n, vals);
      }
      if (!ok) return false;
      ByteReader er = exc_list;
      idx = 0;
      for (uint64_t j = 0; j < num_exc; ++j) {
        uint64_t gap = 0, bits = 0;
        er.Uvarint(&gap);  // validated above
        er.Fixed64(&bits);
        idx = j == 0 ? gap : idx + gap + 1;
        vals[idx] = bits;
      }
      return r.remaining() == 0;
    }
  }
  return false;
}

}  // namespace tidemark::chunk::coldfmt
