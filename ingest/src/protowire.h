// Minimal protobuf wire-format reader over a byte view; never allocates, never trusts lengths.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "tidemark/storage/model/varint.h"

namespace tidemark::ingest {

enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLen = 2, kStartGroup = 3, kEndGroup = 4, kFixed32 = 5 };

// Reads one message's fields in order. Any malformed input sets error() and makes Next() return
// false; callers check error() after their loop. Length prefixes are only ever compared with the
// bytes actually remaining, so a claimed 1 GB length cannot cause an allocation.
class ProtoReader {
 public:
  explicit ProtoReader(std::string_view data)
      : p_(reinterpret_cast<const uint8_t*>(data.data())), end_(p_ + data.size()) {}

  // Advances to the next field; false at the end or on error.
  bool Next() {
    if (p_ == end_ || error_) return false;
    uint64_t tag;
    if (!ReadVarint(&tag)) return false;
    field_ = static_cast<uint32_t>(tag >> 3);
    uint32_t wt = static_cast<uint32_t>(tag & 7);
    if (field_ == 0 || (tag >> 3) > 0x1fffffff || wt > 5 || wt == 3 || wt == 4) return Fail();
    wire_type_ = static_cast<WireType>(wt);
    consumed_ = false;
    return true;
  }

  uint32_t field() const { return field_; }
  WireType wire_type() const { return wire_type_; }
  bool error() const { return error_; }

  // Value readers: each checks the wire type and consumes the current field's value.
  bool Varint(uint64_t* v) {
    if (!Expect(WireType::kVarint)) return false;
    return ReadVarint(v);
  }
  bool Fixed64(uint64_t* v) {
    if (!Expect(WireType::kFixed64)) return false;
    return ReadFixed64(v);
  }
  bool Double(double* v) {
    uint64_t bits;
    if (!Fixed64(&bits)) return false;
    *v = std::bit_cast<double>(bits);
    return true;
  }
  bool Bytes(std::string_view* v) {
    if (!Expect(WireType::kLen)) return false;
    return ReadLen(v);
  }
  // Skips the current field's value whatever its type.
  bool Skip() {
    consumed_ = true;
    switch (wire_type_) {
      case WireType::kVarint: { uint64_t v; return ReadVarint(&v); }
      case WireType::kFixed64: return Advance(8);
      case WireType::kFixed32: return Advance(4);
      case WireType::kLen: { std::string_view v; return ReadLen(&v); }
      default: return Fail();
    }
  }

  // Reads a raw varint from the current position (used for packed repeated fields).
  bool ReadVarint(uint64_t* v) { return ReadUvarint(&p_, end_, v) || Fail(); }
  bool ReadFixed64(uint64_t* v) {
    if (end_ - p_ < 8) return Fail();
    std::memcpy(v, p_, 8);
    if constexpr (std::endian::native == std::endian::big) *v = __builtin_bswap64(*v);
    p_ += 8;
    return true;
  }
  bool AtEnd() const { return p_ == end_; }
  bool Fail() {
    error_ = true;
    return false;
  }

 private:
  bool Expect(WireType wt) {
    if (wire_type_ != wt || consumed_) return Fail();
    consumed_ = true;
    return true;
  }
  bool Advance(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return Fail();
    p_ += n;
    return true;
  }
  bool ReadLen(std::string_view* v) {
    uint64_t n;
    if (!ReadVarint(&n)) return false;
    if (n > static_cast<uint64_t>(end_ - p_)) return Fail();
    *v = std::string_view(reinterpret_cast<const char*>(p_), static_cast<size_t>(n));
    p_ += n;
    return true;
  }

  const uint8_t* p_;
  const uint8_t* end_;
  uint32_t field_ = 0;
  WireType wire_type_ = WireType::kVarint;
  bool consumed_ = true;
  bool error_ = false;
};

// Field handlers must consume or skip every field; this helper skips when a handler did not.
// Usage: while (r.Next()) { switch (r.field()) { case 1: ...; break; default: r.Skip(); } }

// Iterates a packed (or single unpacked) repeated fixed64 field.
template <typename Fn>
bool ForEachFixed64(ProtoReader& r, Fn&& fn) {
  if (r.wire_type() == WireType::kFixed64) {
    uint64_t v;
    if (!r.Fixed64(&v)) return false;
    fn(v);
    return true;
  }
  std::string_view packed;
  if (!r.Bytes(&packed)) return false;
  if (packed.size() % 8 != 0) return r.Fail();
  ProtoReader pr(packed);
  uint64_t v;
  while (!pr.AtEnd()) {
    if (!pr.ReadFixed64(&v)) return r.Fail();
    fn(v);
  }
  return true;
}

// Iterates a packed (or single unpacked) repeated varint field.
template <typename Fn>
bool ForEachVarint(ProtoReader& r, Fn&& fn) {
  if (r.wire_type() == WireType::kVarint) {
    uint64_t v;
    if (!r.Varint(&v)) return false;
    fn(v);
    return true;
  }
  std::string_view packed;
  if (!r.Bytes(&packed)) return false;
  ProtoReader pr(packed);
  uint64_t v;
  while (!pr.AtEnd()) {
    if (!pr.ReadVarint(&v)) return r.Fail();
    fn(v);
  }
  return true;
}

}  // namespace tidemark::ingest
