// Cold compaction as a background service: re-encodes settled windows of sealed chunks into cold
// blocks (compaction.cc), and rewrites the table files on request.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "tidemark/storage/chunk/cold.h"
#include "tidemark/storage/storage.h"
#include "tsdb/chunk_store.h"
#include "tsdb/head.h"

namespace tidemark::tsdb {

class Compactor {
 public:
  Compactor(const StorageOptions& options, Head& head, ChunkStore& store);
  ~Compactor();
  Compactor(const Compactor&) = delete;
  Compactor& operator=(const Compactor&) = delete;

  // Storage::Compact. Takes mutex(), then the head's commit lock for short steps.
  Status Compact(CompactScope scope);
  // One compaction at a time; taken before the commit lock (Close takes it to wait for one).
  std::mutex& mutex() { return compact_mu_; }
  uint64_t chunks_merged() const { return cold_chunks_merged_.load(); }
  uint64_t blocks_written() const { return cold_blocks_written_.load(); }

 private:
  // One work item: a series' chunks starting in one window.
  struct ColdItem;
  // Compacts up to `max_items` queued windows before window `settled_before`.
  Status CompactQueued(int64_t settled_before, size_t max_items);
  // Decodes, merges and re-encodes one item's chunks (no locks held; reads a snapshot).
  Status PrepareColdItem(ChunkStore::ChunkReader* reader, int64_t window, ColdItem* item);
  // REQUIRES the commit lock not held. Writes prepared items in one batch unless a deletion or
  // retention ran meanwhile; a todo entry stays queued if new chunks arrived meanwhile.
  Status CommitColdItems(std::vector<ColdItem>* items, uint64_t rewrite_gen);

  const StorageOptions opts_;
  Head& head_;
  ChunkStore& store_;
  std::mutex compact_mu_;
  std::unique_ptr<chunk::ColdEncoder> cold_encoder_;  // under compact_mu_
  std::atomic<uint64_t> cold_chunks_merged_{0};
  std::atomic<uint64_t> cold_blocks_written_{0};
};

}  // namespace tidemark::tsdb
