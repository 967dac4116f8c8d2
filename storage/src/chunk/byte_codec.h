// ByteWriter/ByteReader: byte-aligned varints and fixed-width fields, bounds-checked on read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "chunk/xor_format.h"

namespace tidemark::chunk {

inline void PutUvarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
inline void PutVarint(std::string* out, int64_t v) { PutUvarint(out, xorfmt::ZigZag(v)); }
inline size_t UvarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
inline size_t VarintSize(int64_t v) { return UvarintSize(xorfmt::ZigZag(v)); }
inline void PutFixed64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));  // little endian
}
inline void PutFixed32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

// Reads from [data, data + size). Every method returns false (and reads nothing) past the end.
class ByteReader {
 public:
  static constexpr ptrdiff_t kMaxUvarintBytes = 10;

  ByteReader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  const uint8_t* pos() const { return p_; }

  bool Byte(uint8_t* b) {
    if (p_ == end_) return false;
    *b = *p_++;
    return true;
  }
  bool Uvarint(uint64_t* v) {
    // Fast path: with 10 bytes left no encoding we accept can run past the end, so the bytes
    // need no per-byte end check. Same acceptance rules as the checked loop below.
    if (end_ - p_ >= kMaxUvarintBytes) [[likely]] {
      const uint8_t* p = p_;
      uint64_t b = *p++;
      if (b < 0x80) {
        p_ = p;
        *v = b;
        return true;
      }
      uint64_t r = b & 0x7f;
      for (unsigned shift = 7; shift < 63; shift += 7) {
        b = *p++;
        r |= (b & 0x7f) << shift;
        if (b < 0x80) {
          p_ = p;
          *v = r;
          return true;
        }
      }
      b = *p++;  // 10th byte: only bit 63 left
      if (b > 1) return false;
      p_ = p;
      *v = r | (b << 63);
      return true;
    }
    uint64_t r = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      const uint8_t b = *p_++;
      if (shift == 63 && b > 1) return false;  // overflows 64 bits
      r |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) {
        *v = r;
        return true;
      }
    }
    return false;
  }
  bool Varint(int64_t* v) {
    uint64_t u = 0;
    if (!Uvarint(&u)) return false;
    *v = xorfmt::UnZigZag(u);
    return true;
  }
  bool Fixed64(uint64_t* v) {
    if (remaining() < 8) return false;
    uint64_t r = 0;
    for (int i = 7; i >= 0; --i) r = (r << 8) | p_[i];
    p_ += 8;
    *v = r;
    return true;
  }
  bool Skip(size_t n) {
    if (remaining() < n) return false;
    p_ += n;
    return true;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace tidemark::chunk
