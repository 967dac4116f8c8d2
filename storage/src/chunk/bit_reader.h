// BitReader: reads big-endian (MSB-first) bit fields from a byte span, bounds-checked.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tidemark::chunk {

// Every read is checked against the end of the data: a read past it returns false and leaves the
// reader where it was, so corrupt or truncated input can never read out of bounds.
class BitReader {
 public:
  BitReader() = default;
  BitReader(const uint8_t* data, size_t size, size_t start_bit)
      : data_(data), size_(size), end_bit_(size * 8), pos_(start_bit) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return end_bit_ - pos_; }

  bool ReadBit(bool* bit) {
    if (pos_ >= end_bit_) return false;
    *bit = (data_[pos_ >> 3] >> (7 - (pos_ & 7))) & 1;
    ++pos_;
    return true;
  }

  // Reads `n` bits (0 <= n <= 64) into the low bits of *v.
  bool ReadBits(unsigned n, uint64_t* v) {
    if (n > 56) {  // one 64-bit window holds at least 57 usable bits
      uint64_t hi = 0, lo = 0;
      if (remaining() < n) return false;
      ReadBits(n - 32, &hi);
      ReadBits(32, &lo);
      *v = (hi << 32) | lo;
      return true;
    }
    if (n == 0) {
      *v = 0;
      return true;
    }
    if (remaining() < n) return false;
    const uint64_t window = Load64(pos_ >> 3) << (pos_ & 7);
    *v = window >> (64 - n);
    pos_ += n;
    return true;
  }

  // The next n (1..56) bits without consuming them. REQUIRES: remaining() >= n.
  uint64_t PeekBits(unsigned n) const { return (Load64(pos_ >> 3) << (pos_ & 7)) >> (64 - n); }
  // Consumes n bits. REQUIRES: remaining() >= n.
  void SkipBits(unsigned n) { pos_ += n; }

  // Reads up to 4 bits of a unary-ish prefix: counts leading 1 bits, stopping after a 0 bit or
  // after `max_ones` ones. Returns false if the data ends first.
  bool ReadOnes(unsigned max_ones, unsigned* ones) {
    unsigned n = 0;
    while (n < max_ones) {
      bool bit = false;
      if (!ReadBit(&bit)) return false;
      if (!bit) break;
      ++n;
    }
    *ones = n;
    return true;
  }

  // Varint as written by BitWriter::WriteUvarint; rejects encodings longer than 10 groups or
  // overflowing 64 bits.
  bool ReadUvarint(uint64_t* v) {
    uint64_t result = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
      uint64_t group = 0;
      if (!ReadBits(8, &group)) return false;
      if (shift == 63 && group > 1) return false;
      result |= (group & 0x7f) << shift;
      if ((group & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }

 private:
  // Big-endian 8 bytes from byte index i, zero-padded past the end.
  uint64_t Load64(size_t i) const {
    uint64_t w = 0;
    if (i + 8 <= size_) {
      std::memcpy(&w, data_ + i, 8);
      if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
      return w;
    }
    for (size_t k = 0; k < 8; ++k) w = (w << 8) | (i + k < size_ ? data_[i + k] : 0);
    return w;
  }

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t end_bit_ = 0;
  size_t pos_ = 0;
};

}  // namespace tidemark::chunk
