// RocksDB tuning for the store: one block cache, per-column-family choices explained inline.
#include <rocksdb/cache.h>
#include <rocksdb/slice_transform.h>
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

namespace {

// Memtable insert hints (memtable_insert_with_hint_prefix_extractor): the memtable keeps the
// last insert position per prefix and the next key of that prefix starts its search there.
// Keys ending in a ref (postings: name, value, ref; series rows: ref) are written in increasing
// ref order, so with the hint a new series' keys are inserted next to their predecessors
// instead of each searching the skiplist from the top. `suffix` is the bytes after the prefix.
class HintBySuffix final : public rocksdb::SliceTransform {
 public:
  explicit HintBySuffix(size_t suffix) : suffix_(suffix) {}
  const char* Name() const override { return "tidemark.HintBySuffix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - suffix_);
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() >= suffix_; }

 private:
  const size_t suffix_;
};

}  // namespace

DbOptionsBundle MakeDbOptions(const StorageOptions& options) {
  DbOptionsBundle b;
  b.db.create_if_missing = true;
  b.db.create_missing_column_families = true;
  b.db.max_background_jobs = 2;
  // Bounds recovery time and WAL disk use: column families holding the oldest WAL get flushed.
  // Every head-log record is on disk twice until the WAL file holding it is deleted (WAL and
  // head_log table file), and the families that new series write once (series, postings...)
  // keep old WAL files alive until this forces their small memtables out. At 256 MiB the WAL
  // was most of the data directory while ingesting (bench/RESULTS.md, issue 19); 32 MiB is two
  // full head-log memtables, so it rarely flushes one early.
  b.db.max_total_wal_size = 32 << 20;
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
  // Keys end in an 8-byte big-endian ref (keys.h); hinted per (name, value) / as one run.
  post.memtable_insert_with_hint_prefix_extractor = std::make_shared<HintBySuffix>(8);
  series.memtable_insert_with_hint_prefix_extractor = std::make_shared<HintBySuffix>(8);
  // Every new series adds keys all over the postings and hash key spaces, so each L0 file
  // overlaps all of L1 and an L0->L1 compaction rewrites the whole index: while a million
  // series are created that was a quarter of the process' CPU. Compacting after 16 L0 files
  // instead of 4 cuts those rewrites 4x (server CPU -19 % at 1M series); reads of these
  // families are rare (open, series that left memory). The write stall triggers move up with it.
  for (rocksdb::ColumnFamilyOptions* o : {&post, &hash, &series}) {
    o->level0_file_num_compaction_trigger = 16;
    o->level0_slowdown_writes_trigger = 36;
    o->level0_stop_writes_trigger = 48;
  }
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
  // Nearly every record outlives the memtable (chunks stay open for 120 samples), and records
  // of neighbouring commits repeat tags, ref deltas and value prefixes: zstd shrinks what
  // reaches table files for flush and compaction CPU only, never on the commit path.
  headlog.compression = rocksdb::kZSTD;
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
