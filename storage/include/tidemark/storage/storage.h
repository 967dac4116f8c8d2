// The embedded time-series store: open a directory, append, query. RocksDB-backed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/storage/appender.h"
#include "tidemark/storage/change_tracker.h"
#include "tidemark/storage/commit_log.h"
#include "tidemark/storage/querier.h"
#include "tidemark/storage/state_store.h"

namespace rocksdb {
class Env;
}

namespace tidemark {

enum class SyncPolicy : uint8_t {
  kWal,         // a batch is acknowledged once in RocksDB's WAL (survives process kill -9)
  kFsyncBatch,  // additionally fsync the WAL per batch (survives power loss)
};

struct StorageOptions {
  std::string dir;                                 // data directory, created if missing
  SyncPolicy sync = SyncPolicy::kWal;
  int64_t out_of_order_window_ms = 10 * 60 * 1000;  // accept samples this much older than newest
  int64_t retention_ms = 15LL * 24 * 3600 * 1000;   // 0 = keep forever
  uint64_t retention_bytes = 0;                     // 0 = unlimited
  size_t block_cache_bytes = 64 << 20;
  // A series with no head data whose newest sample is this much older than the newest sample in
  // the store is inactive: its index entries leave memory (it stays in RocksDB, where queries,
  // appends and deletes still find it). Default: the 2 h chunk span plus 1 h. <= 0: never.
  int64_t series_inactive_after_ms = 3LL * 3600 * 1000;
  // Where RocksDB's own warnings and errors go ("warn" or "error", one line each). They are not
  // written to a LOG file in the data directory: that file would fail first when the disk fills.
  // Null: standard error.
  std::function<void(std::string_view level, std::string_view message)> log;
  // The RocksDB environment (tests inject I/O faults through it). Null: the default one.
  std::shared_ptr<rocksdb::Env> env;
};

// How much Storage::Compact does.
enum class CompactScope : uint8_t {
  // Time windows that should receive no more data (the periodic background step): cheap to call
  // often, since finished work is never redone.
  kSettled,
  // Seal the head, compact every window, then rewrite the database's table files so deleted
  // data leaves the disk (admin/benchmark use: as costly as the data is large).
  kEverything,
};

struct MetricCardinality {
  std::string name;
  uint64_t value = 0;
};

// Numbers for /api/v1/status/tsdb and /metrics.
struct StorageStats {
  uint64_t num_series = 0;
  uint64_t head_series = 0;
  uint64_t head_chunks = 0;
  uint64_t num_samples_appended = 0;  // since open
  uint64_t rejected_out_of_order = 0;
  uint64_t rejected_duplicate = 0;
  uint64_t rejected_invalid = 0;
  uint64_t bytes_on_disk = 0;
  uint64_t cold_chunks_merged = 0;    // sealed chunks re-encoded into cold blocks, since open
  uint64_t cold_blocks_written = 0;   // since open
  // Series whose index entries are in memory (active ones, plus inactive ones read back and not
  // yet evicted again); num_series - this live in the on-disk index only.
  uint64_t resident_series = 0;
  uint64_t series_evicted = 0;        // series that left memory as inactive, since open
  // Writes to the store that failed, since open: for want of disk space, and for any other reason.
  uint64_t write_failures_no_space = 0;
  uint64_t write_failures_other = 0;
  Timestamp min_time = 0;
  Timestamp max_time = 0;
  // Distinct (label name, label value) pairs in the index of resident series, all of them (as
  // Prometheus' headStats.numLabelPairs).
  uint64_t num_label_pairs = 0;
  // The top lists hold the `top_n` largest entries given to Stats(), largest first.
  std::vector<MetricCardinality> series_count_by_metric;
  std::vector<MetricCardinality> label_value_count_by_name;
  std::vector<MetricCardinality> series_count_by_label_pair;    // name "k=v"
  // Per label name: sum over its values of (len(name) + len(value)) x series with that pair,
  // an estimate of the label bytes the name costs (Prometheus' memoryInBytesByLabelName).
  std::vector<MetricCardinality> label_bytes_by_name;
};

// Entries in each StorageStats top list unless asked otherwise (Prometheus' default `limit`).
inline constexpr size_t kDefaultStatsTopN = 10;

class Storage : public Queryable, public Appendable {
 public:
  // Opens (or creates) the store at options.dir, recovering the head from disk.
  static Result<std::unique_ptr<Storage>> Open(const StorageOptions& options);

  ~Storage() override = default;
  // Seals and persists open chunks, then closes RocksDB. Idempotent.
  virtual Status Close() = 0;
  // Flushes everything in memory to durable chunk storage (used on shutdown and by tests).
  virtual Status Flush() = 0;
  // Applies retention now (normally done periodically in the background).
  virtual Status EnforceRetention() = 0;
  // Re-encodes sealed chunks into dense cold blocks (docs/format/chunks.md), losslessly; queries
  // see the same samples before, during and after. The server calls it periodically with
  // kSettled; an embedding program should do the same.
  virtual Status Compact(CompactScope scope) = 0;
  // Deletes matching series' samples in [mint, maxt] (admin API).
  virtual Status DeleteSeries(const Matchers& matchers, Timestamp mint, Timestamp maxt) = 0;
  virtual StorageStats Stats(size_t top_n = kDefaultStatsTopN) = 0;
  // Durable non-series state (silences, ...) in the same store: a column family of its own
  // (docs/format/keys.md), in memory for NewMemStorage. Valid until Close().
  virtual StateStore& State() = 0;
  // The committed appends in commit order (commit_log.h); null when the engine keeps none (the
  // in-memory store). Valid until Close().
  virtual CommitLog* Commits() { return nullptr; }
  // Data changes a results cache must know of (change_tracker.h): every implementation reports
  // its commits, deletes and retention here.
  ChangeTracker& Changes() { return changes_; }

 protected:
  ChangeTracker changes_;
};

// Damaged data directories (docs/operations.md). Both need the store closed (a running server
// holds it open).
// Rebuilds the RocksDB MANIFEST of the store at options.dir from the table and log files found
// there (rocksdb::RepairDB). Files it cannot read are moved to options.dir/lost/; their names are
// returned. Anything only they held is gone; everything else is served again.
Result<std::vector<std::string>> RepairStorage(const StorageOptions& options);
// Opens the store read-only and reads every table file through its checksums; the error names
// the first damaged file. Damage inside a table's data blocks is otherwise found only when a
// query reads that block.
Status VerifyStorage(const StorageOptions& options);

// A simple in-memory store with the same semantics (tests, promql-test runner, fakes).
std::unique_ptr<Storage> NewMemStorage(int64_t out_of_order_window_ms = 10 * 60 * 1000);

}  // namespace tidemark
