// Cold encoding: a dense, immutable, lossless block for sealed/persisted samples.
//
// Built in one go from a run of samples (typically several sealed XOR chunks merged). Per block it
// measures candidate encodings and keeps the smallest: timestamps as zigzag delta-of-delta or
// delta-from-base varints, or as bit-packed offsets from a regular scrape grid; values as
// decimal-scaled integers (only when every value reconstructs bit-exactly) with delta or
// delta-of-delta, or as an XOR bitstream; then zstd over the payload when it is smaller.
// The result is decoded and compared bit-for-bit before it is returned; if that ever fails the
// block falls back to the plain XOR value codec. Read it with ChunkFromBytes(Encoding::kCold, ...).
// Byte layout: docs/format/chunks.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "tidemark/storage/chunk/chunk.h"

namespace tidemark::chunk {

// How a cold block stores its values (persisted in the block header; never renumber).
enum class ColdValueCodec : uint8_t {
  kXor = 0,           // Gorilla XOR bitstream of the raw float64 bits
  kDecimalDelta = 1,  // v == m / 10^k exactly; zigzag varints of m[i] - m[i-1]
  kDecimalDod = 2,    // v == m / 10^k exactly; zigzag varints of delta-of-delta of m
  kConstant = 3,      // every value has the same bit pattern: stored once
};

// How a cold block stores its timestamps (persisted; never renumber).
enum class ColdTimeCodec : uint8_t {
  kDod = 0,            // zigzag varints: t0, delta1, then delta-of-delta
  kDeltaFromBase = 1,  // zigzag varints: t0, base step, then (delta - base) per sample
  kGridOffset = 2,     // anchor, step, missed-scrape list, then bit-packed offsets from the grid
};

struct ColdOptions {
  // Try zstd over the payload and keep it when smaller. Level 3 is zstd's default: ~all of the
  // ratio of level 19 on this kind of data at a fraction of the CPU.
  bool try_zstd = true;
  int zstd_level = 3;
  // With try_zstd, store the zstd frame when it is smaller. False: candidates are still ranked
  // by their zstd size (what a store that compresses many blocks together will see), but the
  // payload is stored raw (the engine's RocksDB tables compress across series).
  bool store_zstd = true;
  // Largest decimal exponent k tried for v == m / 10^k (clamped to 0..15: the format stores k in
  // 4 bits, and 10^15 is the largest power of ten that leaves room for m within 2^53).
  int max_decimal_exponent = 15;
  // Debug/test aid: never use the decimal or constant codecs (forces the XOR value codec).
  bool force_xor_values = false;
  // Debug/test aid: use this time codec instead of the measured choice (any codec encodes every
  // int64 sequence exactly; this only changes the size).
  std::optional<ColdTimeCodec> force_time_codec;
};

// What EncodeCold chose for a block (also readable back from bytes with InspectCold).
struct ColdBlockInfo {
  uint32_t num_samples = 0;
  ColdTimeCodec time_codec = ColdTimeCodec::kDod;
  ColdValueCodec value_codec = ColdValueCodec::kXor;
  int decimal_exponent = 0;  // k, for the decimal codecs
  bool zstd = false;         // payload is zstd-compressed
  size_t encoded_bytes = 0;  // total block size
};

// Reusable encoder: keeps its zstd context between blocks (creating one costs more than
// compressing a small block). Not thread-safe; use one per thread.
class ColdEncoder {
 public:
  explicit ColdEncoder(const ColdOptions& options = {});
  ~ColdEncoder();
  ColdEncoder(const ColdEncoder&) = delete;
  ColdEncoder& operator=(const ColdEncoder&) = delete;

  // See EncodeCold.
  Result<std::string> Encode(std::span<const Sample> samples, ColdBlockInfo* info = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Encodes 1..kMaxSamplesPerColdBlock samples (in any order; Seek assumes increasing t).
// InvalidArgument for an empty or too-large input; Internal if verification failed even for the
// XOR fallback (a bug). The bytes include a checksum, so damage is reported as kCorruption.
Result<std::string> EncodeCold(std::span<const Sample> samples, const ColdOptions& options = {},
                               ColdBlockInfo* info = nullptr);

// Reads a cold block's header (and checks its checksum) without decoding the samples.
Result<ColdBlockInfo> InspectCold(std::span<const std::byte> bytes);

}  // namespace tidemark::chunk
