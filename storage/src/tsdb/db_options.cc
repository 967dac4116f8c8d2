// RocksDB tuning for the store: one block cache, per-column-family choices explained inline.
#include <rocksdb/cache.h>
#include <rocksdb/sst_partitioner.h>
#include <rocksdb/table.h>

#include "tsdb/keys.h"
#include "tsdb/tsdb_storage.h"

namespace tidemark::tsdb {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption(std::move(msg));
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

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  b.keepalive = cache;
  auto table = [&](bool bloom) {
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = cache;
    t.format_version = 5;
    if (bloom) t.whole_key_filtering = true;
    return std::shared_ptr<rocksdb::TableFactory>(rocksdb::NewBlockBasedTableFactory(t));
  };

  auto base = [&]() {
    rocksdb::ColumnFamilyOptions o;
    o.table_factory = table(false);
    o.compression = rocksdb::kSnappyCompression;
    // Series, postings and marks are small and written once per series: small memtables keep
    // their memory (which counts against the per-series budget) bounded.
    o.write_buffer_size = 8 << 20;
    return o;
  };

  rocksdb::ColumnFamilyOptions meta = base();
  rocksdb::ColumnFamilyOptions series = base();
  rocksdb::ColumnFamilyOptions hash = base();
  rocksdb::ColumnFamilyOptions post = base();
  rocksdb::ColumnFamilyOptions chunks = base();
  // Chunk payloads are already Gorilla-compressed; block compression would burn CPU for little.
  chunks.compression = rocksdb::kNoCompression;
  chunks.bottommost_compression = rocksdb::kZSTD;
  chunks.write_buffer_size = 32 << 20;
  // Never let an SST file straddle two time partitions, so retention can drop whole files
  // (DeleteFilesInRange) instead of rewriting live data.
  chunks.sst_partitioner_factory = rocksdb::NewSstPartitionerFixedPrefixFactory(8);
  rocksdb::ColumnFamilyOptions headlog = base();
  // Head-log records are short-lived (deleted once their samples are in chunks). The memtable
  // size trades memory against how many of them reach an SST before their range delete.
  headlog.write_buffer_size = 32 << 20;
  headlog.compression = rocksdb::kNoCompression;
  rocksdb::ColumnFamilyOptions headmark = base();

  b.cfs = {
      {kCfMeta, meta},       {kCfSeries, series}, {kCfHash, hash},        {kCfPostings, post},
      {kCfChunks, chunks},   {kCfHeadLog, headlog}, {kCfHeadMark, headmark},
  };
  return b;
}

}  // namespace tidemark::tsdb
