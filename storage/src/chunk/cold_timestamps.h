// Time section of a cold block: zigzag varint delta-of-delta or delta-from-base timestamps, or
// bit-packed offsets from a scrape grid.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "chunk/byte_codec.h"
#include "tidemark/storage/chunk/cold.h"

namespace tidemark::chunk::coldfmt {

// Picks the time codec with the smallest raw encoding, header extension included (ties between
// the varint codecs: smaller total magnitude, which zstd entropy-codes better). *base is the step
// for kDeltaFromBase.
ColdTimeCodec ChooseTimeCodec(std::span<const Sample> samples, int64_t* base);

void EncodeTimestamps(std::span<const Sample> samples, ColdTimeCodec codec, int64_t base,
                      std::string* out);

// Decodes n timestamps into *out (resized). False on truncated input.
bool DecodeTimestamps(ByteReader& r, ColdTimeCodec codec, uint32_t n, std::vector<int64_t>* out);

}  // namespace tidemark::chunk::coldfmt
