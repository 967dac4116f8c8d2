// ColdIterator: decodes a cold block into arrays on first use, then walks them.
#pragma once

#include <span>
#include <vector>

#include "chunk/cold_decoder.h"
#include "chunk/cold_format.h"
#include "tidemark/storage/chunk/chunk.h"

namespace tidemark::chunk {

class ColdIterator final : public ChunkIterator {
 public:
  ColdIterator() = default;

  // Restarts on a block whose header parsed as `h`; decoding is deferred to the first Next/Seek.
  void Reset(std::span<const std::byte> bytes, const coldfmt::Header& h);

  ValueType Next() override;
  ValueType Seek(Timestamp t) override;
  Sample At() const override;
  Status status() const override { return status_; }

 private:
  bool EnsureDecoded();

  std::span<const std::byte> bytes_;
  coldfmt::Header header_;
  coldfmt::ColdScratch scratch_;
  std::vector<int64_t> ts_;
  std::vector<uint64_t> vals_;
  bool decoded_ = false;
  bool sorted_ = true;  // timestamps non-decreasing: Seek may binary-search
  size_t pos_ = 0;      // 1 + index of the current sample; 0 before the first
  Status status_;
};

}  // namespace tidemark::chunk
