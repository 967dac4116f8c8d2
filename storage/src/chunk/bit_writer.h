// BitWriter: appends big-endian (MSB-first) bit fields to a growing byte string.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>

namespace tidemark::chunk {

// Bits are packed MSB first; the unused low bits of the last byte are always zero, so the string
// is a valid prefix at every point. Writing continues at `bit_len` (absolute bit offset in *out).
class BitWriter {
 public:
  // REQUIRES: out->size() == ceil(bit_len / 8) and the bits past bit_len in the last byte are 0.
  BitWriter(std::string* out, size_t bit_len) : out_(out), bit_len_(bit_len) {
    assert(out_->size() == (bit_len_ + 7) / 8);
  }

  size_t bit_len() const { return bit_len_; }

  void WriteBit(bool bit) {
    const unsigned used = bit_len_ & 7;
    if (used == 0) out_->push_back(0);
    if (bit) out_->back() = static_cast<char>(static_cast<uint8_t>(out_->back()) | (0x80u >> used));
    ++bit_len_;
  }

  // Writes the low `n` bits of `v` (0 <= n <= 64), most significant first.
  void WriteBits(uint64_t v, unsigned n) {
    assert(n <= 64);
    while (n > 0) {
      const unsigned used = bit_len_ & 7;
      if (used == 0) out_->push_back(0);
      const unsigned free = 8 - used;
      const unsigned take = n < free ? n : free;
      const unsigned bits = static_cast<unsigned>(v >> (n - take)) & ((1u << take) - 1);
      out_->back() =
          static_cast<char>(static_cast<uint8_t>(out_->back()) | (bits << (free - take)));
      n -= take;
      bit_len_ += take;
    }
  }

  // Unsigned LEB128-style varint, written as 8-bit groups (not necessarily byte aligned).
  void WriteUvarint(uint64_t v) {
    while (v >= 0x80) {
      WriteBits((v & 0x7f) | 0x80, 8);
      v >>= 7;
    }
    WriteBits(v, 8);
  }

 private:
  std::string* out_;
  size_t bit_len_;
};

}  // namespace tidemark::chunk
