// Protobuf wire-format writer: appends varints and tagged fields to a std::string. Builds the OTLP
// response bodies; tests and load generators use it to build request bodies. Header-only (like the
// varint.h it builds on) so tools that link no tidemark module can use it too.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tidemark/storage/model/varint.h"

namespace tidemark::ingest {

namespace protowire_internal {
// Wire types from the protobuf encoding spec (the reader names them WireType in protowire.h).
inline constexpr uint32_t kVarint = 0;
inline constexpr uint32_t kFixed64 = 1;
inline constexpr uint32_t kLen = 2;
}  // namespace protowire_internal

// Eight bytes, little-endian whatever the host order.
inline void AppendFixed64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

inline void AppendTag(std::string* out, uint32_t field, uint32_t wire_type) {
  AppendUvarint(out, (uint64_t{field} << 3) | wire_type);
}

inline void AppendVarintField(std::string* out, uint32_t field, uint64_t v) {
  AppendTag(out, field, protowire_internal::kVarint);
  AppendUvarint(out, v);
}

inline void AppendFixed64Field(std::string* out, uint32_t field, uint64_t v) {
  AppendTag(out, field, protowire_internal::kFixed64);
  AppendFixed64(out, v);
}

inline void AppendDoubleField(std::string* out, uint32_t field, double v) {
  AppendFixed64Field(out, field, std::bit_cast<uint64_t>(v));
}

// The tag and length of a length-delimited field whose `len` bytes the caller appends next (lets
// a message be written in place when its size is known up front).
inline void AppendLenPrefix(std::string* out, uint32_t field, size_t len) {
  AppendTag(out, field, protowire_internal::kLen);
  AppendUvarint(out, len);
}

// A length-delimited field: bytes, string or an encoded sub-message.
inline void AppendLenField(std::string* out, uint32_t field, std::string_view bytes) {
  AppendLenPrefix(out, field, bytes.size());
  out->append(bytes);
}

// How many bytes AppendLenField writes for a `len`-byte payload.
constexpr size_t LenFieldSize(uint32_t field, size_t len) {
  return UvarintSize(uint64_t{field} << 3) + UvarintSize(len) + len;
}

}  // namespace tidemark::ingest
