// Decodes a whole cold block into timestamp and value-bit arrays.
#include "chunk/cold_decoder.h"

#include <zstd.h>

#include <cstring>

#include "chunk/byte_codec.h"
#include "chunk/cold_timestamps.h"
#include "chunk/cold_values.h"

namespace tidemark::chunk::coldfmt {

ColdScratch::ColdScratch() = default;
ColdScratch::~ColdScratch() { ZSTD_freeDCtx(dctx_); }

ZSTD_DCtx_s* ColdScratch::dctx() {
  if (dctx_ == nullptr) dctx_ = ZSTD_createDCtx();
  return dctx_;
}

Status DecodeBlock(std::span<const std::byte> bytes, const Header& h, ColdScratch* scratch,
                   std::vector<int64_t>* ts, std::vector<uint64_t>* vals) {
  const auto* d = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* payload = d + h.payload_offset;
  size_t payload_len = h.payload_len;
  if (h.zstd) {
    std::string& frame = scratch->frame();
    frame.assign(reinterpret_cast<const char*>(kZstdMagic), sizeof(kZstdMagic));
    frame.append(reinterpret_cast<const char*>(payload), payload_len);
    std::string& raw = scratch->raw();
    raw.resize(h.raw_len);
    ZSTD_DCtx* dctx = scratch->dctx();
    if (dctx == nullptr) return Status::Internal("cold block: cannot allocate zstd context");
    const size_t got = ZSTD_decompressDCtx(dctx, raw.data(), raw.size(), frame.data(), frame.size());
    if (ZSTD_isError(got) || got != h.raw_len) {
      return Status::Corruption(std::string("cold block: zstd payload does not decompress: ") +
                                (ZSTD_isError(got) ? ZSTD_getErrorName(got) : "size mismatch"));
    }
    payload = reinterpret_cast<const uint8_t*>(raw.data());
    payload_len = raw.size();
  }
  ByteReader r(payload, payload_len);
  if (!DecodeTimestamps(r, h.time_codec, h.n, ts)) {
    return Status::Corruption("cold block: bad time section");
  }
  if (!DecodeValues(r, h.value_codec, h.exponent, h.n, vals)) {
    return Status::Corruption("cold block: bad value section");
  }
  return Status::OK();
}

}  // namespace tidemark::chunk::coldfmt
