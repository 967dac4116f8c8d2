// ColdIterator: decodes a cold block into arrays on first use, then walks them.
#include "chunk/cold_iterator.h"

#include <algorithm>
#include <bit>

#include "chunk/read_batch.h"

namespace tidemark::chunk {

void ColdIterator::Reset(std::span<const std::byte> bytes, const coldfmt::Header& h) {
  bytes_ = bytes;
  header_ = h;
  decoded_ = false;
  sorted_ = kSortedUnknown;
  pos_ = 0;
  size_ = 0;
  status_ = Status::OK();
}

bool ColdIterator::EnsureDecoded() {
  if (decoded_) return status_.ok();
  decoded_ = true;
  status_ = coldfmt::DecodeBlock(bytes_, header_, &scratch_, &ts_, &vals_);
  if (!status_.ok()) {
    ts_.clear();
    vals_.clear();
    size_ = 0;
    return false;
  }
  size_ = ts_.size();
  return true;
}

ValueType ColdIterator::NextSlow() {
  if (!EnsureDecoded()) return ValueType::kNone;
  if (pos_ >= size_) {
    pos_ = size_ + 1;  // exhausted
    return ValueType::kNone;
  }
  ++pos_;
  return ValueType::kFloat;
}

ValueType ColdIterator::Seek(Timestamp t) {
  if (!EnsureDecoded()) return ValueType::kNone;
  if (pos_ > size_) return ValueType::kNone;
  if (pos_ > 0 && ts_[pos_ - 1] >= t) return ValueType::kFloat;
  const size_t from = pos_ == 0 ? 0 : pos_ - 1;
  // Sortedness is only needed here: checked on the first Seek that searches, not per block.
  if (sorted_ == kSortedUnknown) {
    sorted_ = std::is_sorted(ts_.begin(), ts_.end()) ? kSortedYes : kSortedNo;
  }
  size_t i;
  if (sorted_ == kSortedYes) {
    i = static_cast<size_t>(std::lower_bound(ts_.begin() + from, ts_.end(), t) - ts_.begin());
  } else {
    i = from;
    while (i < size_ && ts_[i] < t) ++i;
  }
  if (i >= size_) {
    pos_ = size_ + 1;
    return ValueType::kNone;
  }
  pos_ = i + 1;
  return ValueType::kFloat;
}

// A plain copy out of the decoded arrays (Next() and At() inline into the loop).
size_t ColdIterator::ReadBatch(Timestamp maxt, Sample* out, size_t n, ValueType* vt) {
  return ReadBatchLoop(*this, maxt, out, n, vt);
}

}  // namespace tidemark::chunk
