// The inactive-series policy: a series is inactive when it has no head data (nothing of it is
// only in the head log) and its newest sample is more than series_inactive_after_ms older than
// the newest sample in the store. Such series leave memory and stay in RocksDB; a returning one
// is read back by the head (inactive_series.cc).
#include "tsdb/eviction.h"

#include <utility>

namespace tidemark::tsdb {

Evictor::Evictor(const StorageOptions& options, Head& head, ChunkStore& store)
    : opts_(options), head_(head), store_(store) {
  head_.SetTruncationListener(this);
}

Evictor::~Evictor() { head_.SetTruncationListener(nullptr); }

bool Evictor::BeginTruncation() {
  victims_.clear();  // a truncation that failed midway never reached EndTruncation
  const int64_t after = opts_.series_inactive_after_ms;
  const Timestamp newest = head_.max_time();
  // Not while closing: the close truncation persists every head and nothing is read again.
  if (after <= 0 || store_.closing() || newest <= kMinTimestamp + after) return false;
  inactive_before_ = newest - after;
  return true;
}

void Evictor::VisitSeries(HeadSeries* s) {
  // A head cut by this truncation is written before EndTruncation, so it qualifies too.
  if (s->persisted && !s->has_head() && s->max_time() < inactive_before_) victims_.push_back(s);
}

void Evictor::EndTruncation() {
  std::vector<HeadSeries*> victims = std::move(victims_);
  victims_.clear();
  head_.EvictSeries(victims);
  evicted_total_.fetch_add(victims.size(), std::memory_order_relaxed);
}

}  // namespace tidemark::tsdb
