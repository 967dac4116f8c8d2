// Chunk codec API: a compressed run of one series' samples, its appender and its iterator.
//
// Two encodings share this API (Prometheus `chunkenc` shape):
//   - kXor:  Gorilla-style, append-only; what the head writes and what sealed head chunks hold.
//   - kCold: denser, immutable, built in one go from a sorted run of samples (see cold.h); used
//            for sealed/persisted data. Readable through the same Chunk/ChunkIterator.
// Byte layouts: docs/format/chunks.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::chunk {

// Persisted: this byte is stored next to the chunk bytes, never renumber.
enum class Encoding : uint8_t {
  kNone = 0,
  kXor = 1,   // append only; persisted
  kCold = 2,  // immutable; persisted
};

// ---- Capacity contract -------------------------------------------------------------------------
// Append() is infallible, so staying inside a chunk's capacity is the CALLER's (the head's) job:
// cut a new chunk when `num_samples() >= kTargetSamplesPerChunk` or when
// `bytes().size() + kMaxXorBytesPerSample > kMaxXorChunkBytes`.
//
// Why 120: Gorilla compression flattens out after ~100 samples (the first sample costs ~10 bytes
// and amortises away), while a query that touches a chunk decodes all of it; 120 samples is 30 min
// at the usual 15 s scrape interval, the same trade-off Prometheus makes.
inline constexpr uint32_t kTargetSamplesPerChunk = 120;
// Worst-case encoded size of one appended sample: timestamp 4-bit prefix + 64 bits, value 2-bit
// prefix + 5 + 6 + 64 bits = 145 bits, rounded up to 19 bytes. "Assume the next sample is maximal".
inline constexpr size_t kMaxXorBytesPerSample = 19;
// Bounds memory of a pathological (random-float) head chunk; a well-behaved 120-sample chunk is
// ~150-250 bytes, random noise is ~120 * 10 bytes.
inline constexpr size_t kMaxXorChunkBytes = 2048;
// Hard format limit: the XOR header stores the count in 16 bits. Appending beyond it is a
// programmer error (debug assert); release builds stop counting at the limit.
inline constexpr uint32_t kMaxSamplesPerXorChunk = 0xFFFF;
// Cold blocks are built from several sealed XOR chunks; bigger blocks compress better (zstd and
// per-block headers amortise) but a query decodes the whole block. EncodeCold rejects more.
inline constexpr uint32_t kMaxSamplesPerColdBlock = 16384;

// ---- Iterator ----------------------------------------------------------------------------------
// Iterates a chunk's samples in stored order (which is increasing time for chunks built by the
// head). One shape for chunks, series and postings. Reusable: pass it back to Chunk::iterator().
class ChunkIterator {
 public:
  ChunkIterator() = default;
  ChunkIterator(const ChunkIterator&) = delete;
  ChunkIterator& operator=(const ChunkIterator&) = delete;
  virtual ~ChunkIterator() = default;

  // Advances to the next sample; kNone when exhausted or on corruption (then see status()).
  virtual ValueType Next() = 0;
  // Advances to the first sample with timestamp >= t. Forward only: a no-op (returns kFloat) if
  // the current sample already has timestamp >= t. kNone when no such sample exists.
  virtual ValueType Seek(Timestamp t) = 0;
  // REQUIRES: the last Next()/Seek() returned kFloat.
  virtual Sample At() const = 0;
  // OK, or why iteration stopped early (kCorruption). Meaningful once Next/Seek returned kNone.
  virtual Status status() const = 0;
  // Bulk At()/Next(), as SeriesIterator::ReadBatch: writes the current sample and those after it
  // with t <= maxt, at most n, and stops on the first one not written (`*vt`: the last Next()'s
  // result; kFloat on entry).
  virtual size_t ReadBatch(Timestamp maxt, Sample* out, size_t n, ValueType* vt);
};

// ---- Appender ----------------------------------------------------------------------------------
// Appends samples to the chunk it was obtained from. The chunk must outlive the appender, and no
// other appender may be used on the same chunk concurrently.
class ChunkAppender {
 public:
  ChunkAppender() = default;
  ChunkAppender(const ChunkAppender&) = delete;
  ChunkAppender& operator=(const ChunkAppender&) = delete;
  virtual ~ChunkAppender() = default;

  // Infallible. Any int64 timestamp and any float64 bit pattern round-trips exactly (NaN payloads
  // incl. StaleNaN, +-Inf, -0.0, denormals). Ordering (t increasing) is the caller's contract;
  // out-of-order t still round-trips but Seek() assumes increasing t.
  // REQUIRES: num_samples() < kMaxSamplesPerXorChunk (see the capacity contract above).
  virtual void Append(Timestamp t, double v) = 0;
};

// ---- Chunk -------------------------------------------------------------------------------------
// Owns or views its bytes. A viewed chunk never copies on read; the viewed bytes must outlive the
// chunk and every iterator made from it.
class Chunk {
 public:
  Chunk() = default;
  Chunk(const Chunk&) = delete;
  Chunk& operator=(const Chunk&) = delete;
  virtual ~Chunk() = default;

  virtual Encoding encoding() const = 0;
  // The encoded bytes, exactly what ChunkFromBytes(encoding(), bytes()) accepts. Valid until the
  // next Append on this chunk.
  virtual std::span<const std::byte> bytes() const = 0;
  virtual uint32_t num_samples() const = 0;
  // XOR only: an appender continuing after the last sample (replays the chunk to rebuild the
  // encoder state; a viewed chunk first copies its bytes so it can grow). Cold chunks are
  // immutable: InvalidArgument. Corruption if the stored bytes do not decode.
  virtual Result<std::unique_ptr<ChunkAppender>> appender() = 0;
  // An iterator positioned before the first sample. `reuse` (may be null) is a previously
  // returned iterator whose buffers are recycled when it has the right type.
  virtual std::unique_ptr<ChunkIterator> iterator(std::unique_ptr<ChunkIterator> reuse) const = 0;
};

// ---- Construction ------------------------------------------------------------------------------
// A new, empty, owning XOR chunk (what the head appends to).
std::unique_ptr<Chunk> NewXorChunk();

// Views `bytes` as a chunk of the given encoding (no copy; bytes must outlive the chunk).
// Validates the header cheaply: never crashes on corrupt input; returns kCorruption for bytes that
// cannot be a chunk of that encoding and kInvalidArgument for an unknown encoding. Damage deeper
// in the stream is reported by the iterator's status() (or up front by ValidateChunk).
Result<std::unique_ptr<Chunk>> ChunkFromBytes(Encoding encoding, std::span<const std::byte> bytes);
// Same, but the chunk owns a copy of the bytes.
Result<std::unique_ptr<Chunk>> ChunkFromOwnedBytes(Encoding encoding, std::string bytes);

// Decodes the whole chunk; OK iff every sample decodes and the count matches the header.
Status ValidateChunk(const Chunk& chunk);

// Convenience: all samples of a chunk (tests, compaction). Corruption on a damaged stream.
Result<std::vector<Sample>> DecodeAll(const Chunk& chunk);
// Convenience: XOR-encodes `samples` (REQUIRES: size <= kMaxSamplesPerXorChunk).
std::string EncodeXor(std::span<const Sample> samples);

// Views bytes of any kind as the std::byte span the chunk API takes.
inline std::span<const std::byte> AsBytes(std::string_view s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

}  // namespace tidemark::chunk
