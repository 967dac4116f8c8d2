// Bit-level encode/decode steps of the XOR format, shared by the XOR chunk and the cold block's
// XOR value codec.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "chunk/bit_reader.h"
#include "chunk/bit_writer.h"
#include "chunk/xor_format.h"

namespace tidemark::chunk::xorfmt {

// Value `cur` XORed against `prev`: "0" if equal; "10" + meaningful bits when they fit the
// previous leading/trailing-zero window; else "11" + 5 bits leading + 6 bits length (64 -> 0) +
// meaningful bits, which becomes the new window.
inline void WriteValue(BitWriter& w, uint64_t prev, uint64_t cur, uint8_t* leading,
                       uint8_t* trailing) {
  const uint64_t x = prev ^ cur;
  if (x == 0) {
    w.WriteBit(false);
    return;
  }
  unsigned lead = static_cast<unsigned>(std::countl_zero(x));
  const unsigned trail = static_cast<unsigned>(std::countr_zero(x));
  if (lead > kMaxLeading) lead = kMaxLeading;
  if (*leading != kNoWindow && lead >= *leading && trail >= *trailing) {
    w.WriteBits(0b10, 2);
    w.WriteBits(x >> *trailing, 64 - *leading - *trailing);
    return;
  }
  const unsigned sig = 64 - lead - trail;
  w.WriteBits(0b11, 2);
  w.WriteBits(lead, 5);
  w.WriteBits(sig & 63, 6);  // 64 meaningful bits are stored as 0
  w.WriteBits(x >> trail, sig);
  *leading = static_cast<uint8_t>(lead);
  *trailing = static_cast<uint8_t>(trail);
}

// Inverse of WriteValue. False on truncated or impossible input.
[[gnu::always_inline]] inline bool ReadValue(BitReader& r, uint64_t* v_bits, uint8_t* leading,
                                             uint8_t* trailing) {
  // Fast path: the control bits (at most '11' + 5 + 6 = 13) come from one peek.
  constexpr unsigned kMaxHeader = 13;
  if (r.remaining() >= kMaxHeader) [[likely]] {
    const uint64_t h = r.PeekBits(kMaxHeader);
    if ((h >> 12) == 0) {  // '0': unchanged
      r.SkipBits(1);
      return true;
    }
    if (((h >> 11) & 1) != 0) {  // '11': new window
      const uint64_t lead = (h >> 6) & 31;
      uint64_t sig = h & 63;
      if (sig == 0) sig = 64;
      if (lead + sig > 64) return false;
      *leading = static_cast<uint8_t>(lead);
      *trailing = static_cast<uint8_t>(64 - lead - sig);
      r.SkipBits(kMaxHeader);
    } else {  // '10': reuse
      if (*leading == kNoWindow) return false;
      r.SkipBits(2);
    }
    const unsigned sig = 64 - *leading - *trailing;
    uint64_t m = 0;
    if (!r.ReadBits(sig, &m)) return false;
    if (m == 0) return false;
    *v_bits ^= m << *trailing;
    return true;
  }
  bool bit = false;
  if (!r.ReadBit(&bit)) return false;
  if (!bit) return true;  // unchanged
  if (!r.ReadBit(&bit)) return false;
  if (bit) {
    uint64_t lead = 0, sig = 0;
    if (!r.ReadBits(5, &lead) || !r.ReadBits(6, &sig)) return false;
    if (sig == 0) sig = 64;
    if (lead + sig > 64) return false;
    *leading = static_cast<uint8_t>(lead);
    *trailing = static_cast<uint8_t>(64 - lead - sig);
  } else if (*leading == kNoWindow) {
    return false;  // window reuse before any window was set
  }
  const unsigned sig = 64 - *leading - *trailing;
  uint64_t m = 0;
  if (!r.ReadBits(sig, &m)) return false;
  // A reused window must reproduce a non-zero XOR, else the encoder would have written "0".
  if (m == 0) return false;
  *v_bits ^= m << *trailing;
  return true;
}

// Delta-of-delta timestamp: "0" for 0, else a unary bucket prefix and a signed payload.
inline void WriteDod(BitWriter& w, int64_t dod) {
  if (dod == 0) {
    w.WriteBit(false);
    return;
  }
  for (unsigned i = 0; i < kDodBuckets; ++i) {
    if (FitsSigned(dod, kDodBits[i])) {
      // i+1 one bits, then a terminating zero unless this is the last bucket.
      const unsigned ones = i + 1;
      if (ones < kDodBuckets) {
        w.WriteBits(((uint64_t{1} << ones) - 1) << 1, ones + 1);
      } else {
        w.WriteBits((uint64_t{1} << ones) - 1, ones);
      }
      w.WriteBits(static_cast<uint64_t>(dod), kDodBits[i]);
      return;
    }
  }
}

inline bool ReadDod(BitReader& r, int64_t* dod) {
  unsigned ones = 0;
  if (!r.ReadOnes(kDodBuckets, &ones)) return false;
  if (ones == 0) {
    *dod = 0;
    return true;
  }
  const unsigned bits = kDodBits[ones - 1];
  uint64_t raw = 0;
  if (!r.ReadBits(bits, &raw)) return false;
  *dod = SignExtend(raw, bits);
  return true;
}

// The most bits one sample after the second can take: a 64-bit delta-of-delta with its 4-bit
// prefix, and a value with a new window ('11' + 5 + 6 bits) of 64 meaningful bits.
inline constexpr size_t kMaxSampleBits = 4 + 64 + 13 + 64;

// Decodes the sample after the second (a delta-of-delta and a value) as the one-at-a-time path
// does, for a batch loop that keeps `st` and `r` in locals. REQUIRES: r.remaining() >=
// kMaxSampleBits. On false (impossible input) neither `r` nor `st` has changed, so the checked
// path can decode the sample again and report where it broke.
[[gnu::always_inline]] inline bool ReadSampleUnchecked(BitReader& r, State* st) {
  BitReader rr = r;
  // The prefix is up to four 1 bits, then a 0 unless all four are there.
  const unsigned ones =
      static_cast<unsigned>(std::countl_one(static_cast<uint64_t>(rr.PeekBits(4)) << 60));
  int64_t dod = 0;
  if (ones == 0) {
    rr.SkipBits(1);
  } else {
    rr.SkipBits(ones < kDodBuckets ? ones + 1 : ones);
    const unsigned bits = kDodBits[ones - 1];
    uint64_t raw = 0;
    rr.ReadBits(bits, &raw);
    dod = SignExtend(raw, bits);
  }
  uint64_t v_bits = st->v_bits;
  uint8_t leading = st->leading, trailing = st->trailing;
  if (!ReadValue(rr, &v_bits, &leading, &trailing)) return false;
  st->delta += static_cast<uint64_t>(dod);
  st->t += st->delta;
  st->v_bits = v_bits;
  st->leading = leading;
  st->trailing = trailing;
  ++st->n;
  r = rr;
  return true;
}

}  // namespace tidemark::chunk::xorfmt
