// Grid-offset time section of a cold block (ColdTimeCodec::kGridOffset): each timestamp as its
// small offset from a regular scrape grid, bit-packed, with missed scrapes listed separately.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "chunk/byte_codec.h"
#include "tidemark/storage/model/sample.h"

namespace tidemark::chunk::coldfmt {

// Widest packed offset the format allows (the encoder never needs more than kMaxGridWidth bits:
// wider offsets become escapes).
inline constexpr unsigned kMaxGridWidth = 32;

// Appends the kGridOffset time section for `samples` (any int64 sequence; exact for all of them,
// small for scrape-like ones) to *out.
void EncodeGridTimestamps(std::span<const Sample> samples, std::string* out);

// Decodes n timestamps of a kGridOffset section into *out (resized). False on malformed input.
bool DecodeGridTimestamps(ByteReader& r, uint32_t n, std::vector<int64_t>* out);

}  // namespace tidemark::chunk::coldfmt
