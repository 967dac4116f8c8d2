// Cold block header parsing and checksum verification.
#include "chunk/cold_format.h"

#include <string>

#include "chunk/byte_codec.h"
#include "tidemark/storage/chunk/crc32c.h"

namespace tidemark::chunk::coldfmt {

Status ParseHeader(std::span<const std::byte> bytes, Header* h) {
  if (bytes.size() < 1 + 1 + kChecksumBytes) {
    return Status::Corruption("cold block: " + std::to_string(bytes.size()) +
                              " bytes, too short for a header and checksum");
  }
  const auto* d = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t body = bytes.size() - kChecksumBytes;
  const uint32_t stored = uint32_t{d[body]} | (uint32_t{d[body + 1]} << 8) |
                          (uint32_t{d[body + 2]} << 16) | (uint32_t{d[body + 3]} << 24);
  if (Crc32c(bytes.first(body)) != stored) {
    return Status::Corruption("cold block: checksum mismatch");
  }
  ByteReader r(d, body);
  uint8_t flags = 0;
  uint64_t n = 0;
  if (!r.Byte(&flags)) return Status::Corruption("cold block: bad header");
  h->value_codec = static_cast<ColdValueCodec>(flags & kValueCodecMask);
  h->time_codec = (flags & kTimeCodecBit) ? ColdTimeCodec::kDeltaFromBase : ColdTimeCodec::kDod;
  if (r.remaining() > 0 && *r.pos() == kExtensionMarker) {
    // Extended header: the time codec has its own byte (only codecs that bit 2 cannot express).
    uint8_t marker = 0, codec = 0;
    r.Byte(&marker);
    if ((flags & kTimeCodecBit) != 0 || !r.Byte(&codec)) {
      return Status::Corruption("cold block: bad extended header");
    }
    if (codec != static_cast<uint8_t>(ColdTimeCodec::kGridOffset)) {
      return Status::Corruption("cold block: unknown time codec " + std::to_string(codec));
    }
    h->time_codec = ColdTimeCodec::kGridOffset;
  }
  if (!r.Uvarint(&n)) return Status::Corruption("cold block: bad header");
  h->zstd = (flags & kZstdBit) != 0;
  h->exponent = flags >> kExponentShift;
  const bool decimal = h->value_codec == ColdValueCodec::kDecimalDelta ||
                       h->value_codec == ColdValueCodec::kDecimalDod;
  if (!decimal && h->exponent != 0) {
    return Status::Corruption("cold block: exponent set for a non-decimal value codec");
  }
  if (n == 0 || n > kMaxSamplesPerColdBlock) {
    return Status::Corruption("cold block: sample count " + std::to_string(n) + " out of range");
  }
  h->n = static_cast<uint32_t>(n);
  h->raw_len = 0;
  if (h->zstd) {
    if (!r.Uvarint(&h->raw_len) || h->raw_len == 0 || h->raw_len > MaxRawPayload(h->n)) {
      return Status::Corruption("cold block: bad payload length");
    }
  }
  h->payload_offset = static_cast<size_t>(r.pos() - d);
  h->payload_len = r.remaining();
  if (!h->zstd) h->raw_len = h->payload_len;
  return Status::OK();
}

ColdBlockInfo InfoFromHeader(const Header& h, size_t total_bytes) {
  ColdBlockInfo info;
  info.num_samples = h.n;
  info.time_codec = h.time_codec;
  info.value_codec = h.value_codec;
  info.decimal_exponent = h.exponent;
  info.zstd = h.zstd;
  info.encoded_bytes = total_bytes;
  return info;
}

}  // namespace tidemark::chunk::coldfmt
