// The persisted half of the store: every RocksDB column family (series rows, postings, head log,
// head marks, chunks, the cold queue, the state family) behind typed operations. No other part
// touches RocksDB.
//
// Locking: the store has one leaf lock of its own (the partition set). Members marked "REQUIRES
// the commit lock" (the chunk-id counter, the rewrite generation) are guarded by the head's
// commit lock, which every writer of chunks holds.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "tidemark/storage/storage.h"
#include "tsdb/chunk_reader.h"
#include "tsdb/keys.h"
#include "tsdb/postings_index.h"

namespace tidemark::tsdb {

// A series as persisted: its record, and its head mark if it has one.
struct PersistedSeries {
  SeriesRef ref = 0;
  uint64_t hash = 0;
  std::string labels_enc;
  bool has_mark = false;
  HeadMark mark;
};

class ChunkStore {
 public:
  // Opens (or creates) the database at options.dir and checks its format version.
  static Result<std::unique_ptr<ChunkStore>> Open(const StorageOptions& options);
  ~ChunkStore();
  ChunkStore(const ChunkStore&) = delete;
  ChunkStore& operator=(const ChunkStore&) = delete;

  // ---- lifecycle ----
  // Set first by Close: a running compaction stops early, and eviction stops.
  bool closing() const { return closing_.load(); }
  void BeginClose() { closing_.store(true); }
  bool closed() const { return closed_.load(); }
  // REQUIRES the commit lock. Flushes every family and drops the (now unneeded) head log's table
  // files. Returns the first error.
  Status FlushForClose();
  // REQUIRES the commit lock: commits after this see a closed store.
  void MarkClosed() { closed_.store(true); }
  // Releases RocksDB (after FlushForClose). Idempotent.
  Status Close();
  // Flushes every family's memtable to table files.
  Status FlushAll();
  // Flushes and rewrites every family's table files so deleted data leaves the disk.
  Status CompactAllTables();

  // Writes that failed since open (every write method counts its failures here).
  uint64_t write_failures_no_space() const { return failures_no_space_.load(); }
  uint64_t write_failures_other() const { return failures_other_.load(); }

  // The persisted next_series_ref (1 when the store has none).
  uint64_t meta_next_series_ref() const { return meta_next_series_ref_; }

  // ---- writes ----
  // One atomic write. Chunk ids are handed out as chunks are added (REQUIRES the commit lock).
  class Batch {
   public:
    explicit Batch(ChunkStore& store) : store_(store) {}
    void Clear() {
      wb_.Clear();
      partitions_.clear();
    }
    struct NewSeries {
      SeriesRef ref;
      uint64_t hash;
      std::string_view labels_enc;
    };
    // Each series' row, hash entry and postings, every column family's keys in key order:
    // RocksDB's memtable then finds each insert position next to the previous one instead of
    // searching from the top.
    void PutSeries(std::span<const NewSeries> series);
    void DeleteSeries(SeriesRef ref, uint64_t hash, std::string_view labels_enc);
    void PutNextSeriesRef(uint64_t next_ref);
    void PutHeadLog(uint64_t seq, std::string_view record);
    void PutHeadMark(SeriesRef ref, const HeadMark& mark);
    void DeleteHeadMark(SeriesRef ref);
    // A chunk with a fresh id; queued for cold compaction (in this batch) if `queue_cold`.
    void AddChunk(SeriesRef ref, Timestamp mint, Timestamp maxt, uint8_t encoding,
                  std::string_view bytes, bool queue_cold);
    void DeleteChunk(std::string_view key);
    void DeleteColdTodo(std::string_view key);
    // The chunk-id counter as it is now.
    void PutNextChunkId();
    // Partitions of the chunks added, for ChunkStore::AddPartitions.
    const std::vector<int64_t>& partitions() const { return partitions_; }

   private:
    friend class ChunkStore;
    ChunkStore& store_;
    rocksdb::WriteBatch wb_;
    std::vector<int64_t> partitions_;
  };
  Status Write(Batch* batch, bool sync, std::string_view what);
  // Deletes head-log records before `seq`.
  Status DeleteHeadLogBelow(uint64_t seq, std::string_view what);
  Status PutHeadMark(SeriesRef ref, const HeadMark& mark, std::string_view what);
  // Writes the chunk-id counter alone. REQUIRES the commit lock.
  Status PutNextChunkId(std::string_view what);

  // ---- chunk partitions (leaf lock) ----
  Status LoadPartitions();
  void AddPartitions(const std::vector<int64_t>& parts);
  // Existing chunk partitions that may hold chunks overlapping [mint, maxt], ascending.
  std::vector<int64_t> PartitionsFor(Timestamp mint, Timestamp maxt) const;
  std::vector<int64_t> AllPartitions() const;
  // REQUIRES the commit lock. Deletes chunk partitions [first, last] (range delete, whole-file
  // drop) and bumps the rewrite generation.
  Status DropPartitions(int64_t first, int64_t last);
  // Approximate table bytes of one partition's chunks.
  uint64_t PartitionBytes(int64_t partition);
  uint64_t SstBytes();
  uint64_t BytesOnDisk();

  // ---- chunk reads ----
  // Reads chunks series by series through one RocksDB iterator (one implicit snapshot, taken
  // when the reader is made). Must not outlive the store.
  class ChunkReader {
   public:
    ChunkReader() = default;
    explicit operator bool() const { return it_ != nullptr; }
    // ReadSeriesChunks (chunk_reader.h) over this reader's iterator.
    Status Read(const std::vector<int64_t>& partitions, SeriesRef ref, Timestamp mint,
                Timestamp maxt, std::vector<StoredChunk>* out, bool with_keys = false) {
      return ReadSeriesChunks(it_.get(), partitions, ref, mint, maxt, out, with_keys);
    }

   private:
    friend class ChunkStore;
    std::unique_ptr<rocksdb::Iterator> it_;
  };
  ChunkReader NewChunkReader();
  // Looks for a persisted sample of `ref` at exactly `t`.
  Result<std::optional<double>> FindSample(SeriesRef ref, Timestamp t);

  // ---- the cold compaction queue ----
  // Walks cold_todo in key order (one implicit snapshot). Must not outlive the store.
  class ColdTodoCursor {
   public:
    bool Valid() const { return it_->Valid(); }
    void Next() { it_->Next(); }
    std::string_view key() const { return {it_->key().data(), it_->key().size()}; }
    std::string_view value() const { return {it_->value().data(), it_->value().size()}; }
    Status status() const;

   private:
    friend class ChunkStore;
    std::unique_ptr<rocksdb::Iterator> it_;
  };
  ColdTodoCursor NewColdTodoCursor();  // positioned at the first entry
  // The current value of a queue entry; nullopt when it is gone.
  Result<std::optional<std::string>> GetColdTodo(std::string_view key);

  // ---- series rows, head marks, postings, head log ----
  // Reads series `ref`; false when it has no series record (never existed or dropped).
  // Computes the labels hash only if `want_hash`.
  Result<bool> ReadSeries(SeriesRef ref, bool want_hash, PersistedSeries* out);
  // The labels of series `ref` alone; false when it has no series record.
  Result<bool> ReadSeriesLabels(SeriesRef ref, std::string* enc, std::string_view what);
  // Looks up the persisted series with encoding `enc` (hash `hash`) through series_hash.
  Result<bool> FindSeries(uint64_t hash, const std::string& enc, PersistedSeries* out);
  // Of `candidates`, the persisted series with data overlapping [mint, maxt] (from head marks).
  Status SeriesWithData(const Postings& candidates, Timestamp mint, Timestamp maxt,
                        std::vector<PersistedSeries>* out);
  // The highest ref with a series row, 0 when there is none.
  Result<SeriesRef> LastSeriesRef();
  // Calls fn for every series row in ref order (labels hash computed); stops at an error.
  Status ForEachSeries(const std::function<Status(PersistedSeries&&)>& fn);
  Status ForEachHeadMark(const std::function<Status(SeriesRef, const HeadMark&)>& fn);
  // Calls fn(seq, record) for every head-log record from `from` on, in order; stops at an error.
  Status ForEachHeadLogRecord(uint64_t from,
                              const std::function<Status(uint64_t, std::string_view)>& fn);
  // The same, stopping early when fn returns false.
  Status ReadHeadLog(uint64_t from,
                     const std::function<Result<bool>(uint64_t, std::string_view)>& fn);
  // Where recovery starts replaying the head log (0 = its start): records below it are kept
  // only for commit-log readers, their samples are all in chunks. Not synced (written after the
  // chunks it vouches for, and RocksDB's WAL recovers a prefix).
  Status PutHeadLogReplayFrom(uint64_t seq, std::string_view what);
  Result<uint64_t> HeadLogReplayFrom();
  // Refs of every persisted series whose labels satisfy all matchers (persisted_postings.h).
  Result<Postings> SelectPostings(const Matchers& matchers);
  // Series per value of label `name` over the persisted postings, in value order.
  Result<std::vector<MetricCardinality>> CountSeriesByValue(std::string_view name);

  // ---- the state family (StateStore), every write synced ----
  Status PutState(std::string_view key, std::string_view value);
  Status DeleteState(std::string_view key);
  Status ScanState(std::string_view prefix,
                   const std::function<Status(std::string_view, std::string_view)>& fn);

  // ---- generations ----
  // Bumped (under the commit lock) whenever chunks are deleted or rewritten other than by
  // compaction, so a compaction that read chunks before can tell its input may be stale.
  uint64_t rewrite_gen() const { return rewrite_gen_; }
  void NoteRewrite() { ++rewrite_gen_; }

 private:
  // Column family handles in a fixed order (see keys.h for names and layouts).
  enum Cf : size_t {
    kMeta = 0, kSeries, kHash, kPost, kChunks, kHeadLog, kHeadMark, kColdTodo, kState, kNumCfs
  };
  explicit ChunkStore(const StorageOptions& options) : opts_(options) {}
  Status OpenDb();
  rocksdb::ColumnFamilyHandle* cf(Cf c) { return cfs_[c]; }
  // FromRocks for the result of a write, counting a failure.
  Status Written(const rocksdb::Status& s, std::string_view what);

  const StorageOptions opts_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;
  std::shared_ptr<void> keepalive_;  // RocksDB objects (cache) shared by the CF options
  uint64_t meta_next_series_ref_ = 1;
  uint64_t next_chunk_id_ = 1;  // REQUIRES the commit lock
  uint64_t rewrite_gen_ = 0;    // REQUIRES the commit lock
  mutable std::mutex part_mu_;  // guards partitions_ (leaf lock)
  std::set<int64_t> partitions_;
  std::atomic<bool> closed_{false};
  std::atomic<bool> closing_{false};
  std::atomic<uint64_t> failures_no_space_{0};
  std::atomic<uint64_t> failures_other_{0};
};

// Builds the RocksDB options for the store (db_options.cc).
struct DbOptionsBundle {
  rocksdb::DBOptions db;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;  // in column family order
  std::shared_ptr<void> keepalive;
};
DbOptionsBundle MakeDbOptions(const StorageOptions& options);

Status FromRocks(const rocksdb::Status& s, std::string_view what);
// Why DB::Open failed, naming the damaged file where RocksDB's message does not (repair.cc).
// Damage (a corrupt or missing file) is a Corruption status.
Status OpenFailure(const std::string& dir, const rocksdb::Status& s);

}  // namespace tidemark::tsdb
