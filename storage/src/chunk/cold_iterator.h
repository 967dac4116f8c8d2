// ColdIterator: decodes a cold block into arrays on first use, then walks them.
#pragma once

#include <bit>
#include <cstdint>
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

  ValueType Next() override {
    // size_ stays 0 until the block decoded successfully, so this is the whole per-sample cost.
    if (pos_ < size_) [[likely]] {
      ++pos_;
      return ValueType::kFloat;
    }
    return NextSlow();
  }
  ValueType Seek(Timestamp t) override;
  Sample At() const override {
    return Sample{ts_[pos_ - 1], std::bit_cast<double>(vals_[pos_ - 1])};
  }
  Status status() const override { return status_; }
  size_t ReadBatch(Timestamp maxt, Sample* out, size_t n, ValueType* vt) override;

 private:
  enum SortedState : uint8_t { kSortedUnknown, kSortedYes, kSortedNo };

  bool EnsureDecoded();
  ValueType NextSlow();

  std::span<const std::byte> bytes_;
  coldfmt::Header header_;
  coldfmt::ColdScratch scratch_;
  std::vector<int64_t> ts_;
  std::vector<uint64_t> vals_;
  size_t size_ = 0;  // ts_.size() once decoded successfully, else 0
  bool decoded_ = false;
  SortedState sorted_ = kSortedUnknown;  // timestamps non-decreasing: Seek may binary-search
  size_t pos_ = 0;                       // 1 + index of the current sample; 0 before the first
  Status status_;
};

}  // namespace tidemark::chunk
