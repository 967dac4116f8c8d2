// ByteWriter/ByteReader: byte-aligned varints and fixed-width fields, bounds-checked on read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "chunk/xor_format.h"
#include "tidemark/storage/model/varint.h"

namespace tidemark::chunk {

inline void PutVarint(std::string* out, int64_t v) { AppendUvarint(out, ZigZag(v)); }
inline size_t VarintSize(int64_t v) { return UvarintSize(ZigZag(v)); }
inline void PutFixed64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));  // little endian
}
inline void PutFixed32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

// Reads from [data, data + size). Every method returns false (and reads nothing) past the end.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  const uint8_t* pos() const { return p_; }

  bool Byte(uint8_t* b) {
    if (p_ == end_) return false;
    *b = *p_++;
    return true;
  }
  bool Uvarint(uint64_t* v) { return ReadUvarint(&p_, end_, v); }
  bool Varint(int64_t* v) {
    uint64_t u = 0;
    if (!Uvarint(&u)) return false;
    *v = UnZigZag(u);
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
