// Decodes a whole cold block into timestamp and value-bit arrays.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "chunk/cold_format.h"

struct ZSTD_DCtx_s;

namespace tidemark::chunk::coldfmt {

// Buffers and the zstd context reused across blocks (an iterator keeps one).
class ColdScratch {
 public:
  ColdScratch();
  ~ColdScratch();
  ColdScratch(const ColdScratch&) = delete;
  ColdScratch& operator=(const ColdScratch&) = delete;

  ZSTD_DCtx_s* dctx();
  std::string& frame() { return frame_; }
  std::string& raw() { return raw_; }

 private:
  ZSTD_DCtx_s* dctx_ = nullptr;
  std::string frame_;  // stored payload with the zstd magic put back
  std::string raw_;    // decompressed payload
};

// REQUIRES: ParseHeader(bytes, &h) succeeded. Fills ts and vals with h.n entries each.
// kCorruption on any malformed section or trailing bytes.
Status DecodeBlock(std::span<const std::byte> bytes, const Header& h, ColdScratch* scratch,
                   std::vector<int64_t>* ts, std::vector<uint64_t>* vals);

}  // namespace tidemark::chunk::coldfmt
