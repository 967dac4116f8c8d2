// The RocksDB-backed Storage: the owner that wires the head, the chunk store and the background
// work together and implements the public Storage interface.
//
// Lock order: the compactor's lock -> the head's commit lock -> the head's index lock -> a
// series' stripe; the chunk store's partition lock and metric_counts_mu_ here are leaves.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tidemark/storage/storage.h"
#include "tsdb/chunk_store.h"
#include "tsdb/compaction.h"
#include "tsdb/eviction.h"
#include "tsdb/head.h"
#include "tsdb/retention.h"

namespace tidemark::tsdb {

// The persistent StateStore over the store's `state` column family (state_family.cc).
std::unique_ptr<StateStore> NewTsdbStateStore(ChunkStore& store);

// The CommitLog over the head log (commit_log.cc); loads the readers' cursors and sets the
// head's hold, so it is made before Head::Recover.
Result<std::unique_ptr<CommitLog>> NewTsdbCommitLog(Head& head, ChunkStore& store);

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
  StorageStats Stats(size_t top_n = kDefaultStatsTopN) override;
  StateStore& State() override { return *state_; }
  CommitLog* Commits() override { return commits_.get(); }

 private:
  explicit TsdbStorage(const StorageOptions& options);
  bool closed() const { return store_->closed(); }
  Status CloseLocked();
  // Series per metric name over the persisted postings, cached (stats.cc).
  Result<std::vector<MetricCardinality>> PersistedMetricCounts();

  const StorageOptions opts_;
  std::unique_ptr<ChunkStore> store_;
  std::unique_ptr<Head> head_;
  std::unique_ptr<Evictor> evictor_;  // before Recover: its truncation evicts too
  std::unique_ptr<Compactor> compactor_;
  std::unique_ptr<Retention> retention_;
  std::unique_ptr<StateStore> state_;  // over store_ (state_family.cc)
  std::unique_ptr<CommitLog> commits_;  // over head_ and store_ (commit_log.cc)

  // Series per metric name read from the persisted postings (every series, resident or not),
  // refreshed at most every kMetricCountsTtl: Stats() is called on every /metrics scrape.
  std::mutex metric_counts_mu_;
  std::chrono::steady_clock::time_point metric_counts_at_{};
  std::vector<MetricCardinality> metric_counts_;
};

}  // namespace tidemark::tsdb
