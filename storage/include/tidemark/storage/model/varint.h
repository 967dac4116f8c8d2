// Base-128 varints (protobuf / Go encoding/binary) and ZigZag, shared by the chunk and key
// encodings and the protobuf wire reader/writer. Header-only and dependency-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tidemark {

// Maps signed onto unsigned so small magnitudes stay small: 0, -1, 1, -2 -> 0, 1, 2, 3.
constexpr uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
constexpr int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// How many bytes AppendUvarint writes for v (1..10).
constexpr size_t UvarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline void AppendUvarint(std::string* out, uint64_t v) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

inline constexpr ptrdiff_t kMaxUvarintBytes = 10;

// Decodes a uvarint from [*p, end) and advances *p past it. False (and *p unchanged) when the
// input ends first or the value overflows 64 bits (a 10th byte above 1), as Go's binary.Uvarint.
inline bool ReadUvarint(const uint8_t** p, const uint8_t* end, uint64_t* v) {
  const uint8_t* q = *p;
  // Fast path: with 10 bytes left no encoding we accept can run past the end, so the bytes need
  // no per-byte end check. Same acceptance rules as the checked loop below.
  if (end - q >= kMaxUvarintBytes) [[likely]] {
    uint64_t b = *q++;
    if (b < 0x80) {
      *p = q;
      *v = b;
      return true;
    }
    uint64_t r = b & 0x7f;
    for (unsigned shift = 7; shift < 63; shift += 7) {
      b = *q++;
      r |= (b & 0x7f) << shift;
      if (b < 0x80) {
        *p = q;
        *v = r;
        return true;
      }
    }
    b = *q++;  // 10th byte: only bit 63 left
    if (b > 1) return false;
    *p = q;
    *v = r | (b << 63);
    return true;
  }
  uint64_t r = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (q == end) return false;
    const uint8_t b = *q++;
    if (shift == 63 && b > 1) return false;
    r |= uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) {
      *p = q;
      *v = r;
      return true;
    }
  }
  return false;
}

// ReadUvarint over the front of a string_view, which it consumes.
inline bool ReadUvarint(std::string_view* in, uint64_t* v) {
  const auto* p = reinterpret_cast<const uint8_t*>(in->data());
  const uint8_t* start = p;
  if (!ReadUvarint(&p, p + in->size(), v)) return false;
  in->remove_prefix(static_cast<size_t>(p - start));
  return true;
}

}  // namespace tidemark
