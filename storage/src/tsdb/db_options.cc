// RocksDB tuning for the store: one block cache, per-column-family choices explained inline.
#include <rocksdb/cache.h>
#include <rocksdb/sst_partitioner.h>
#include <rocksdb/table.h>

#include "tsdb/keys.h"
#include "tsdb/chunk_store.h"
#include "tsdb/rocks_logger.h"

namespace tidemark::tsdb {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption(std::move(msg));
  if (s.IsNoSpace()) {
    return Status::Unavailable(std::string(what) +
                               ": no space left on the data directory's disk; writes resume by "
                               "themselves once space is freed (" + s.ToString() + ")");
  }
  if (s.IsBusy() || s.IsTryAgain() || s.IsIOError()) return Status::Unavailable(std::move(msg));
  if (s.IsNotFound()) return Status::NotFound(std::move(msg));
  return Status::Internal(std::move(msg));
}

DbOptionsBundle MakeDbOptions(const StorageOptions& options) {
  DbOptionsBundle b;
  b.db.create_if_missing = true;
  b.db.create_missing_column_families = true;
  b.db.max_background_jobs = 2;
  // Bounds recovery time and WAL disk use: column families holding the oldest WAL get flushed.
  b.db.max_total_wal_size = 256 << 20;
  b.db.keep_log_file_num = 4;
  // The WAL holds the head log. A record cut short at the end of a log is what a crash leaves
  // (tolerated); a damaged record before the end is damage, and opening stops there with an
  // error naming the file instead of silently dropping everything after it (RocksDB's default,
  // kPointInTimeRecovery, would). Closed WALs' sizes are also recorded in the MANIFEST, so a
  // MANIFEST cut back to an older state is noticed when it names WALs that are gone.
  b.db.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  b.db.track_and_verify_wals_in_manifest = true;
  // RocksDB's informational log grows by its options dump and compaction statistics; warnings
  // and errors are what an operator needs from it, in the process' own log (rocks_logger.h).
  b.db.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  b.db.info_log = NewRocksLogger(options);
  if (options.env) b.db.env = options.env.get();

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  b.keepalive = cache;
  auto table = [&](bool bloom) {
    rocksdb::BlockBasedTableOptions t;
    // 32 KiB blocks (RocksDB's default is 4): zstd finds far more repetition across neighbouring
    // keys (series of one metric, their labels, their timestamps), measured 1.80 -> 1.50 bytes
    // per sample all-in on the 10k-series benchmark, for ~7 % more query CPU when cold.
    t.block_size = 32 << 10;
    t.block_cache = cache;
    t.format_version = 5;
    if (bloom) t.whole_key_filtering = true;
    return std::shared_ptr<rocksdb::TableFactory>(rocksdb::NewBlockBasedTableFactory(t));
  };

  auto base = [&]() {
    rocksdb::ColumnFamilyOptions o;
    o.table_factory = table(false);
    // Labels and postings keys are text written once and read at open: zstd roughly halves
    // them against snappy for CPU that only flushes and compactions pay.
    o.compression = rocksdb::kZSTD;
    // Series, postings and marks are small and written once per series: small memtables keep
    // their memory (which counts against the per-series budget) bounded. Arena blocks are
    // allocated as a memtable fills, so the nearly idle families (meta, marks) cost little.
    o.write_buffer_size = 4 << 20;
    return o;
  };

  rocksdb::ColumnFamilyOptions meta = base();
  rocksdb::ColumnFamilyOptions series = base();
  rocksdb::ColumnFamilyOptions hash = base();
  rocksdb::ColumnFamilyOptions post = base();
  rocksdb::ColumnFamilyOptions chunks = base();
  // Upper levels hold recent XOR chunks briefly: compressing them would cost ingest CPU for
  // little. Most data settles in the bottommost level as cold blocks, compressed there.
  chunks.compression = rocksdb::kNoCompression;
  chunks.bottommost_compression = rocksdb::kZSTD;
  // A dictionary trained per output file lets each block reuse what is common to the metric's
  // series (timestamps on the same scrape grid, value prefixes).
  chunks.bottommost_compression_opts.enabled = true;
  chunks.bottommost_compression_opts.level = 3;
  chunks.bottommost_compression_opts.max_dict_bytes = 32 << 10;
  chunks.bottommost_compression_opts.zstd_max_train_bytes = 100 * (32 << 10);
  chunks.write_buffer_size = 16 << 20;
  // Never let an SST file straddle two time partitions, so retention can drop whole files
  // (DeleteFilesInRange) instead of rewriting live data.
  chunks.sst_partitioner_factory = rocksdb::NewSstPartitionerFixedPrefixFactory(8);
  rocksdb::ColumnFamilyOptions headlog = base();
  // Head-log records are short-lived (deleted once their samples are in chunks). The memtable
  // size trades memory against how many of them reach an SST before their range delete; with
  // chunks open for up to 2 h nearly all of them do anyway, so a larger memtable buys little.
  // At 100k series, 32 MiB (x2 while one flushes) was a third of the process' peak RSS.
  headlog.write_buffer_size = 16 << 20;
  headlog.compression = rocksdb::kNoCompression;
  rocksdb::ColumnFamilyOptions headmark = base();
  rocksdb::ColumnFamilyOptions cold_todo = base();
  // Alerting state (silences): a few KiB written rarely; a small memtable is plenty.
  rocksdb::ColumnFamilyOptions state = base();
  state.write_buffer_size = 1 << 20;

  b.cfs = {
      {kCfMeta, meta},       {kCfSeries, series}, {kCfHash, hash},        {kCfPostings, post},
      {kCfChunks, chunks},   {kCfHeadLog, headlog}, {kCfHeadMark, headmark},
      {kCfColdTodo, cold_todo}, {kCfState, state},
  };
  return b;
}

}  // namespace tidemark::tsdb
