// Streaming and merging iteration over a series' chunks (see series_iterator.h).
#include "tsdb/series_iterator.h"

#include <algorithm>

#include "chunk/read_batch.h"

namespace tidemark::tsdb {

LoadedSeriesIterator::LoadedSeriesIterator(std::shared_ptr<const LoadedSeries> data,
                                           Timestamp mint, Timestamp maxt)
    : data_(std::move(data)), mint_(mint), maxt_(maxt) {
  bool disjoint = data_->ooo.empty();
  for (size_t i = 1; disjoint && i < data_->chunks.size(); ++i) {
    disjoint = data_->chunks[i].mint > data_->chunks[i - 1].maxt;
  }
  if (!disjoint) Materialize();
}

void LoadedSeriesIterator::Materialize() {
  materialized_ = true;
  for (const auto& c : data_->chunks) {
    if (c.maxt < mint_ || c.mint > maxt_) continue;
    auto ch = chunk::ChunkFromBytes(static_cast<chunk::Encoding>(c.encoding), chunk::AsBytes(c.bytes));
    if (!ch.ok()) {
      status_ = ch.status();
      return;
    }
    auto it = (*ch)->iterator(nullptr);
    for (ValueType vt = it->Seek(mint_); vt != ValueType::kNone; vt = it->Next()) {
      Sample s = it->At();
      if (s.t > maxt_) break;
      if (s.t >= mint_) merged_.push_back(s);
    }
    if (!it->status().ok()) {
      status_ = it->status();
      return;
    }
  }
  for (const Sample& s : data_->ooo) {
    if (s.t >= mint_ && s.t <= maxt_) merged_.push_back(s);
  }
  MergeByTime(&merged_);
}

void MergeByTime(std::vector<Sample>* samples) {
  std::stable_sort(samples->begin(), samples->end(),
                   [](const Sample& a, const Sample& b) { return a.t < b.t; });
  samples->erase(std::unique(samples->begin(), samples->end(),
                             [](const Sample& a, const Sample& b) { return a.t == b.t; }),
                 samples->end());
}

bool LoadedSeriesIterator::OpenChunk(size_t i) {
  const StoredChunk& c = data_->chunks[i];
  auto ch = chunk::ChunkFromBytes(static_cast<chunk::Encoding>(c.encoding), chunk::AsBytes(c.bytes));
  if (!ch.ok()) {
    status_ = ch.status();
    return false;
  }
  chunk_ = std::move(ch).value();
  cit_ = chunk_->iterator(std::move(cit_));
  return true;
}

ValueType LoadedSeriesIterator::Advance(bool seek, Timestamp t) {
  if (done_ || !status_.ok()) return ValueType::kNone;
  if (materialized_) {
    if (seek) {
      if (started_ && mi_ > 0 && merged_[mi_ - 1].t >= t) return ValueType::kFloat;
      auto it = std::lower_bound(merged_.begin() + mi_ - (mi_ > 0 ? 1 : 0), merged_.end(), t,
                                 [](const Sample& s, Timestamp x) { return s.t < x; });
      mi_ = it - merged_.begin();
    }
    started_ = true;
    if (mi_ >= merged_.size()) {
      done_ = true;
      return ValueType::kNone;
    }
    cur_ = merged_[mi_++];
    return ValueType::kFloat;
  }
  if (seek && started_ && chunk_ && cur_.t >= t) return ValueType::kFloat;
  Timestamp target = std::max(t, mint_);
  bool need_seek = seek || !started_;
  started_ = true;
  while (true) {
    if (!chunk_) {
      // Skip chunks that end before the target.
      while (ci_ < data_->chunks.size() && data_->chunks[ci_].maxt < (need_seek ? target : mint_)) ++ci_;
      if (ci_ >= data_->chunks.size() || !OpenChunk(ci_)) {
        done_ = true;
        return ValueType::kNone;
      }
      need_seek = true;
    }
    ValueType vt = need_seek ? cit_->Seek(target) : cit_->Next();
    need_seek = false;
    if (vt == ValueType::kNone) {
      if (!cit_->status().ok()) {
        status_ = cit_->status();
        done_ = true;
        return ValueType::kNone;
      }
      chunk_.reset();
      ++ci_;
      continue;
    }
    cur_ = cit_->At();
    if (cur_.t > maxt_) {
      done_ = true;
      return ValueType::kNone;
    }
    return ValueType::kFloat;
  }
}

// Streamed chunks hand their decoded samples over in one call per chunk; the chunk iterator's
// current sample is always cur_.
size_t LoadedSeriesIterator::ReadBatch(Timestamp maxt, Sample* out, size_t n, ValueType* vt) {
  if (materialized_ || !chunk_) return chunk::ReadBatchLoop(*this, maxt, out, n, vt);
  const Timestamp limit = std::min(maxt, maxt_);
  size_t k = 0;
  while (k < n) {
    ValueType cvt = ValueType::kFloat;
    k += cit_->ReadBatch(limit, out + k, n - k, &cvt);
    if (cvt == ValueType::kFloat) {
      // Stopped on a sample past the limit, or out of room.
      cur_ = cit_->At();
      if (cur_.t > maxt_) {
        done_ = true;
        *vt = ValueType::kNone;
      }
      return k;
    }
    if (!cit_->status().ok()) {
      status_ = cit_->status();
      done_ = true;
      *vt = ValueType::kNone;
      return k;
    }
    chunk_.reset();
    ++ci_;
    *vt = Advance(false, mint_);  // opens the next chunk, if any, and takes its first sample
    if (*vt == ValueType::kNone || cur_.t > maxt) return k;
  }
  return k;
}

ValueType LoadedSeriesIterator::Next() { return Advance(false, mint_); }
ValueType LoadedSeriesIterator::Seek(Timestamp t) { return Advance(true, t); }

}  // namespace tidemark::tsdb
