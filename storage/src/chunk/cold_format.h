// Cold block layout (see docs/format/chunks.md):
//
//   flags (1 byte) | [0x00 | time codec (1 byte), extension] | n (uvarint)
//     | [raw payload length (uvarint), if zstd] | payload | crc32c (4 LE)
//
//   flags bits 0-1: value codec (ColdValueCodec)   bit 2: time codec (ColdTimeCodec) 0 or 1
//         bit 3:    payload is zstd (frame without its 4-byte magic)   bits 4-7: decimal exponent
//   Time codecs >= 2 do not fit bit 2: such blocks write a 0x00 byte where n would start (n is
//   never 0, so older blocks never begin that way), then the codec byte, then n; bit 2 is 0.
//   payload = time section | value section; the CRC covers every byte before it.
// The format version is the Encoding byte itself (kCold = 2): a new layout gets a new Encoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "tidemark/storage/chunk/cold.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::chunk::coldfmt {

inline constexpr uint8_t kValueCodecMask = 0x03;
inline constexpr uint8_t kTimeCodecBit = 0x04;
inline constexpr uint8_t kZstdBit = 0x08;
inline constexpr unsigned kExponentShift = 4;
inline constexpr int kMaxExponent = 15;
inline constexpr size_t kChecksumBytes = 4;
// The extension marker (0x00) and codec byte that a time codec >= 2 costs.
inline constexpr uint8_t kExtensionMarker = 0x00;
inline constexpr size_t kTimeCodecExtensionBytes = 2;
// zstd frames start with this magic; blocks store frames without it (4 bytes saved per block).
inline constexpr uint8_t kZstdMagic[4] = {0x28, 0xb5, 0x2f, 0xfd};
// Upper bound of the uncompressed payload, per sample: the time section's worst (grid offsets:
// a missed-scrape entry of 3 + 10 bytes, a 4-byte code and a 10-byte escape = 27) plus the value
// section's (an exception's 10 + 8 bytes and its varint's 10 = 28), plus fixed overhead.
// Rejecting larger claimed sizes stops a corrupt length from triggering a huge allocation.
inline size_t MaxRawPayload(uint32_t n) { return 64 + size_t{n} * 56; }

struct Header {
  uint32_t n = 0;
  ColdValueCodec value_codec = ColdValueCodec::kXor;
  ColdTimeCodec time_codec = ColdTimeCodec::kDod;
  bool zstd = false;
  int exponent = 0;
  uint64_t raw_len = 0;          // uncompressed payload size (zstd only)
  size_t payload_offset = 0;     // where the (possibly compressed) payload starts
  size_t payload_len = 0;        // stored payload bytes (before the checksum)
};

// Parses and checks the header and the checksum. kCorruption on any mismatch.
Status ParseHeader(std::span<const std::byte> bytes, Header* h);

ColdBlockInfo InfoFromHeader(const Header& h, size_t total_bytes);

}  // namespace tidemark::chunk::coldfmt
