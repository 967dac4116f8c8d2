// Value section of a cold block: constant, XOR bitstream, or decimal-scaled integers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "chunk/byte_codec.h"
#include "tidemark/storage/chunk/cold.h"

namespace tidemark::chunk::coldfmt {

// A decimal representation of a block's values: v[i] == m[i] / 10^k bit-exactly, except at the
// listed positions, whose raw bits are stored separately (NaNs, -0.0, non-decimal outliers).
struct DecimalPlan {
  int k = 0;
  bool dod = false;                  // delta-of-delta instead of delta
  std::vector<int64_t> m;            // one per sample; exceptions hold the previous m
  std::vector<uint32_t> exceptions;  // increasing sample indexes
  uint64_t gcd = 1;                  // common divisor of all m deltas (e.g. 4096 for fs bytes)
  size_t size = 0;                   // encoded size of the value section
};

// True if every value has the same bit pattern.
bool AllSameBits(std::span<const Sample> samples);

// Finds the cheapest decimal representation (exponent <= max_k) using delta (dod = false) or
// delta-of-delta (dod = true) integers; false if none is possible (every value an exception).
bool PlanDecimal(std::span<const Sample> samples, int max_k, bool dod, DecimalPlan* plan);

// Value-section encoders. Each appends to *out.
void EncodeConstant(std::span<const Sample> samples, std::string* out);
void EncodeXorValues(std::span<const Sample> samples, std::string* out);
void EncodeDecimal(std::span<const Sample> samples, const DecimalPlan& plan, std::string* out);

// Decodes n values (as float64 bits) into *out (resized), consuming the rest of the section.
// False on malformed input.
bool DecodeValues(ByteReader& r, ColdValueCodec codec, int k, uint32_t n,
                  std::vector<uint64_t>* out);

}  // namespace tidemark::chunk::coldfmt
