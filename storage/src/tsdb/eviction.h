// Eviction of inactive series as a background service: decides which resident series are
// inactive and has the head drop them from memory after each head truncation (eviction.cc).
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "tidemark/storage/storage.h"
#include "tsdb/chunk_store.h"
#include "tsdb/head.h"

namespace tidemark::tsdb {

class Evictor final : private Head::TruncationListener {
 public:
  // Registers with `head` as its truncation listener, so it runs at every head truncation
  // (every kTruncateEveryCommits commits, Flush, full compaction, Open), under the commit lock.
  Evictor(const StorageOptions& options, Head& head, ChunkStore& store);
  ~Evictor() override;
  Evictor(const Evictor&) = delete;
  Evictor& operator=(const Evictor&) = delete;

  // Series dropped from memory since Open.
  uint64_t evicted_total() const { return evicted_total_.load(std::memory_order_relaxed); }

 private:
  bool BeginTruncation() override;
  void VisitSeries(HeadSeries* s) override;
  void EndTruncation() override;

  const StorageOptions opts_;
  Head& head_;
  ChunkStore& store_;
  // Of the current truncation (under the head's commit lock): series whose newest sample is
  // before this are old enough, and those chosen so far.
  Timestamp inactive_before_ = kMinTimestamp;
  std::vector<HeadSeries*> victims_;
  std::atomic<uint64_t> evicted_total_{0};
};

}  // namespace tidemark::tsdb
