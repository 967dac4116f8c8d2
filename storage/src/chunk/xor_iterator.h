// XorIterator: decodes an XOR chunk sample by sample, reporting damage as kCorruption.
#pragma once

#include <cstdint>
#include <span>

#include "chunk/bit_reader.h"
#include "chunk/xor_format.h"
#include "tidemark/storage/chunk/chunk.h"

namespace tidemark::chunk {

class XorIterator final : public ChunkIterator {
 public:
  XorIterator() = default;
  explicit XorIterator(std::span<const std::byte> bytes) { Reset(bytes); }

  // Restarts on `bytes` (a whole XOR chunk, header included), keeping nothing from before.
  void Reset(std::span<const std::byte> bytes);

  ValueType Next() override;
  ValueType Seek(Timestamp t) override;
  Sample At() const override;
  Status status() const override { return status_; }
  size_t ReadBatch(Timestamp maxt, Sample* out, size_t n, ValueType* vt) override;

  // Encoder state after the samples decoded so far, and the bit offset just past them: what an
  // appender needs to continue the chunk.
  const xorfmt::State& state() const { return state_; }
  size_t bit_position() const { return reader_.position(); }

 private:
  ValueType Fail(const char* what);

  BitReader reader_;
  uint32_t total_ = 0;  // samples in the header
  xorfmt::State state_;
  bool exhausted_ = false;
  Status status_;
};

}  // namespace tidemark::chunk
