// The RocksDB-backed Storage: the owner that wires the head, the chunk store and the background
// work together and implements the public Storage interface.
//
// Locks owned here: compact_mu_ (one compaction at a time; taken before the head's commit lock)
// and metric_counts_mu_ (a leaf). The head and the chunk store document their own.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tidemark/storage/chunk/cold.h"
#include "tidemark/storage/storage.h"
#include "tsdb/chunk_store.h"
#include "tsdb/head.h"

namespace tidemark::tsdb {

class TsdbStorage final : public Storage {
 public:
  static Result<std::unique_ptr<Storage>> Open(const StorageOptions& options);
  ~TsdbStorage() override;
  TsdbStorage(const TsdbStorage&) = delete;
  TsdbStorage& operator=(const TsdbStorage&) = delete;

  Result<std::unique_ptr<Querier>> NewQuerier(Timestamp mint, Timestamp maxt) override;
  std::unique_ptr<Appender> NewAppender() override;
  Status Close() override;
  Status Flush() override;
  Status EnforceRetention() override;
  Status Compact(CompactScope scope) override;
  Status DeleteSeries(const Matchers& matchers, Timestamp mint, Timestamp maxt) override;
  StorageStats Stats() override;

 private:
  explicit TsdbStorage(const StorageOptions& options);
  bool closed() const { return store_->closed(); }
  Status CloseLocked();
  // Series per metric name over the persisted postings, cached (stats.cc).
  Result<std::vector<MetricCardinality>> PersistedMetricCounts();

  // Cold compaction (compaction.cc). One work item: a series' chunks starting in one window.
  struct ColdItem;
  // Compacts up to `max_items` queued windows before window `settled_before`.
  Status CompactQueued(int64_t settled_before, size_t max_items);
  // Decodes, merges and re-encodes one item's chunks (no locks held; reads a snapshot).
  Status PrepareColdItem(ChunkStore::ChunkReader* reader, int64_t window, ColdItem* item);
  // REQUIRES the commit lock not held. Writes prepared items in one batch unless a deletion or
  // retention ran meanwhile; a todo entry stays queued if new chunks arrived meanwhile.
  Status CommitColdItems(std::vector<ColdItem>* items, uint64_t rewrite_gen);

  const StorageOptions opts_;
  std::unique_ptr<ChunkStore> store_;
  std::unique_ptr<Head> head_;

  std::mutex compact_mu_;  // one compaction at a time; taken before the commit lock
  std::unique_ptr<chunk::ColdEncoder> cold_encoder_;  // under compact_mu_
  std::atomic<uint64_t> cold_chunks_merged_{0};
  std::atomic<uint64_t> cold_blocks_written_{0};

  // Series per metric name read from the persisted postings (every series, resident or not),
  // refreshed at most every kMetricCountsTtl: Stats() is called on every /metrics scrape.
  std::mutex metric_counts_mu_;
  std::chrono::steady_clock::time_point metric_counts_at_{};
  std::vector<MetricCardinality> metric_counts_;
};

}  // namespace tidemark::tsdb
