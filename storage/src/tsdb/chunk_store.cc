// ChunkStore: opening and closing RocksDB, write batches, chunk partitions and chunk reads.
#include "tsdb/chunk_store.h"

#include <rocksdb/convenience.h>

#include <algorithm>

#include "tidemark/storage/chunk/chunk.h"
#include "tsdb/label_codec.h"

namespace tidemark::tsdb {

Result<std::unique_ptr<ChunkStore>> ChunkStore::Open(const StorageOptions& options) {
  std::unique_ptr<ChunkStore> s(new ChunkStore(options));
  TM_RETURN_IF_ERROR(s->OpenDb());
  return s;
}

ChunkStore::~ChunkStore() { Close().IgnoreError(); }

Status ChunkStore::OpenDb() {
  DbOptionsBundle b = MakeDbOptions(opts_);
  keepalive_ = b.keepalive;
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status os = rocksdb::DB::Open(b.db, opts_.dir, b.cfs, &handles, &raw);
  if (!os.ok()) return OpenFailure(opts_.dir, os);
  db_.reset(raw);
  cfs_ = std::move(handles);

  std::string v;
  rocksdb::Status st = db_->Get({}, cf(kMeta), kMetaFormatVersion, &v);
  uint64_t ver = 0;
  if (!st.IsNotFound()) {
    TM_RETURN_IF_ERROR(FromRocks(st, "storage: read format version"));
    std::string_view in(v);
    if (!ReadUvarint(&in, &ver)) return Status::Corruption("storage: malformed format version");
    if (ver < kOldestReadableFormatVersion || ver > kFormatVersion) {
      return Status::InvalidArgument("storage: unsupported format version " + std::to_string(ver) +
                                     " (this build reads versions " +
                                     std::to_string(kOldestReadableFormatVersion) + " to " +
                                     std::to_string(kFormatVersion) + ")");
    }
  }
  // An older store is marked as today's before anything is written in today's layouts, so an
  // older build refuses it by its version instead of failing on records it cannot decode.
  if (ver != kFormatVersion) {
    std::string enc;
    AppendUvarint(&enc, kFormatVersion);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    TM_RETURN_IF_ERROR(FromRocks(db_->Put(wo, cf(kMeta), kMetaFormatVersion, enc), "storage"));
  }
  st = db_->Get({}, cf(kMeta), kMetaNextSeriesRef, &v);
  if (st.ok()) {
    std::string_view in(v);
    if (!ReadUvarint(&in, &meta_next_series_ref_)) {
      return Status::Corruption("storage: next series ref");
    }
  } else if (!st.IsNotFound()) {
    return FromRocks(st, "storage: read next series ref");
  }
  st = db_->Get({}, cf(kMeta), kMetaNextChunkId, &v);
  if (st.ok()) {
    std::string_view in(v);
    if (!ReadUvarint(&in, &next_chunk_id_)) return Status::Corruption("storage: next chunk id");
  } else if (!st.IsNotFound()) {
    return FromRocks(st, "storage: read next chunk id");
  }
  return Status::OK();
}

Status ChunkStore::FlushForClose() {
  Status result;
  rocksdb::FlushOptions fo;
  for (auto* h : cfs_) {
    Status f = FromRocks(db_->Flush(fo, h), "storage: flush");
    if (result.ok()) result = f;
  }
  // Every head-log record no commit-log reader holds is now deleted: compacting the family
  // drops their table files outright instead of leaving them until RocksDB gets round to it.
  if (result.ok()) {
    result = FromRocks(
        db_->CompactRange(rocksdb::CompactRangeOptions(), cf(kHeadLog), nullptr, nullptr),
        "storage: drop head log");
  }
  return result;
}

Status ChunkStore::Close() {
  if (!db_) return Status::OK();
  closing_.store(true);
  closed_.store(true);
  for (auto* h : cfs_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  cfs_.clear();
  Status c = FromRocks(db_->Close(), "storage: close");
  db_.reset();
  return c;
}

Status ChunkStore::FlushAll() {
  rocksdb::FlushOptions fo;
  for (auto* h : cfs_) TM_RETURN_IF_ERROR(FromRocks(db_->Flush(fo, h), "storage: flush"));
  return Status::OK();
}

Status ChunkStore::CompactAllTables() {
  rocksdb::FlushOptions fo;
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* h : cfs_) {
    TM_RETURN_IF_ERROR(FromRocks(db_->Flush(fo, h), "compact: flush"));
    TM_RETURN_IF_ERROR(FromRocks(db_->CompactRange(co, h, nullptr, nullptr), "compact: tables"));
  }
  return Status::OK();
}

// ---- writes ----

void ChunkStore::Batch::PutSeries(std::span<const NewSeries> series) {
  std::vector<std::string> keys;
  keys.reserve(series.size());
  auto put_sorted = [&](rocksdb::ColumnFamilyHandle* cf) {
    std::sort(keys.begin(), keys.end());
    for (const std::string& k : keys) wb_.Put(cf, k, "").PermitUncheckedError();
    keys.clear();
  };
  std::vector<size_t> by_ref(series.size());
  for (size_t i = 0; i < series.size(); ++i) by_ref[i] = i;
  std::sort(by_ref.begin(), by_ref.end(),
            [&](size_t a, size_t b) { return series[a].ref < series[b].ref; });
  for (size_t i : by_ref) {
    wb_.Put(store_.cf(kSeries), SeriesKey(series[i].ref), series[i].labels_enc)
        .PermitUncheckedError();
  }
  for (const NewSeries& s : series) keys.push_back(HashKey(s.hash, s.ref));
  put_sorted(store_.cf(kHash));
  for (const NewSeries& s : series) {
    ForEachEncodedLabel(s.labels_enc, [&](std::string_view n, std::string_view v) {
      keys.push_back(PostingKey(n, v, s.ref));
    });
  }
  put_sorted(store_.cf(kPost));
}

void ChunkStore::Batch::DeleteSeries(SeriesRef ref, uint64_t hash, std::string_view labels_enc) {
  wb_.Delete(store_.cf(kSeries), SeriesKey(ref)).PermitUncheckedError();
  wb_.Delete(store_.cf(kHash), HashKey(hash, ref)).PermitUncheckedError();
  ForEachEncodedLabel(labels_enc, [&](std::string_view n, std::string_view v) {
    wb_.Delete(store_.cf(kPost), PostingKey(n, v, ref)).PermitUncheckedError();
  });
}

void ChunkStore::Batch::PutNextSeriesRef(uint64_t next_ref) {
  std::string enc;
  AppendUvarint(&enc, next_ref);
  wb_.Put(store_.cf(kMeta), kMetaNextSeriesRef, enc).PermitUncheckedError();
}

void ChunkStore::Batch::PutHeadLog(uint64_t seq, std::string_view record) {
  wb_.Put(store_.cf(kHeadLog), HeadLogKey(seq), record).PermitUncheckedError();
}

void ChunkStore::Batch::PutHeadMark(SeriesRef ref, const HeadMark& mark) {
  wb_.Put(store_.cf(kHeadMark), HeadMarkKey(ref), EncodeHeadMark(mark)).PermitUncheckedError();
}

void ChunkStore::Batch::DeleteHeadMark(SeriesRef ref) {
  wb_.Delete(store_.cf(kHeadMark), HeadMarkKey(ref)).PermitUncheckedError();
}

void ChunkStore::Batch::AddChunk(SeriesRef ref, Timestamp mint, Timestamp maxt, uint8_t encoding,
                                 std::string_view bytes, bool queue_cold) {
  ChunkKey k{PartitionOf(maxt), ref, maxt, store_.next_chunk_id_++};
  wb_.Put(store_.cf(kChunks), EncodeChunkKey(k), EncodeChunkValue(encoding, mint, bytes))
      .PermitUncheckedError();
  if (queue_cold) {
    // The value tells a running compaction that a chunk arrived after it read the window.
    std::string val;
    AppendUvarint(&val, k.id);
    wb_.Put(store_.cf(kColdTodo), ColdTodoKey(ColdWindowOf(mint), ref), val).PermitUncheckedError();
  }
  partitions_.push_back(k.partition);
}

void ChunkStore::Batch::DeleteChunk(std::string_view key) {
  wb_.Delete(store_.cf(kChunks), key).PermitUncheckedError();
}

void ChunkStore::Batch::DeleteColdTodo(std::string_view key) {
  wb_.Delete(store_.cf(kColdTodo), key).PermitUncheckedError();
}

void ChunkStore::Batch::PutNextChunkId() {
  std::string id;
  AppendUvarint(&id, store_.next_chunk_id_);
  wb_.Put(store_.cf(kMeta), kMetaNextChunkId, id).PermitUncheckedError();
}

Status ChunkStore::Write(Batch* batch, bool sync, std::string_view what) {
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  return Written(db_->Write(wo, &batch->wb_), what);
}

Status ChunkStore::Written(const rocksdb::Status& s, std::string_view what) {
  if (!s.ok()) (s.IsNoSpace() ? failures_no_space_ : failures_other_).fetch_add(1);
  return FromRocks(s, what);
}

Status ChunkStore::DeleteHeadLogBelow(uint64_t seq, std::string_view what) {
  return Written(db_->DeleteRange(rocksdb::WriteOptions(), cf(kHeadLog), HeadLogKey(0),
                                  HeadLogKey(seq)),
                 what);
}

Status ChunkStore::PutHeadMark(SeriesRef ref, const HeadMark& mark, std::string_view what) {
  return Written(
      db_->Put(rocksdb::WriteOptions(), cf(kHeadMark), HeadMarkKey(ref), EncodeHeadMark(mark)),
      what);
}

Status ChunkStore::PutNextChunkId(std::string_view what) {
  std::string id;
  AppendUvarint(&id, next_chunk_id_);
  return Written(db_->Put(rocksdb::WriteOptions(), cf(kMeta), kMetaNextChunkId, id), what);
}

// ---- partitions ----

Status ChunkStore::LoadPartitions() {
  // Distinct partitions: one Seek per partition, not a full scan.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kChunks)));
  for (it->SeekToFirst(); it->Valid();) {
    rocksdb::Slice k = it->key();
    if (k.size() != kChunkKeySize) return Status::Corruption("storage: malformed chunk key");
    int64_t p = UnflipSign(GetBE64(k.data()));
    partitions_.insert(p);
    it->Seek(PartitionPrefix(p + 1));
  }
  return FromRocks(it->status(), "storage: scan partitions");
}

void ChunkStore::AddPartitions(const std::vector<int64_t>& parts) {
  std::lock_guard lock(part_mu_);
  partitions_.insert(parts.begin(), parts.end());
}

std::vector<int64_t> ChunkStore::PartitionsFor(Timestamp mint, Timestamp maxt) const {
  std::lock_guard lock(part_mu_);
  std::vector<int64_t> out;
  const int64_t lo = PartitionOf(mint);
  const int64_t hi = PartitionOf(maxt > kMaxTimestamp - kMaxStoredSpanMs ? kMaxTimestamp
                                                                         : maxt + kMaxStoredSpanMs);
  for (auto it = partitions_.lower_bound(lo); it != partitions_.end() && *it <= hi; ++it) {
    out.push_back(*it);
  }
  return out;
}

std::vector<int64_t> ChunkStore::AllPartitions() const {
  std::lock_guard lock(part_mu_);
  return std::vector<int64_t>(partitions_.begin(), partitions_.end());
}

Status ChunkStore::DropPartitions(int64_t first, int64_t last) {
  ++rewrite_gen_;
  std::string lo = PartitionPrefix(first), hi = PartitionPrefix(last + 1);
  TM_RETURN_IF_ERROR(Written(db_->DeleteRange(rocksdb::WriteOptions(), cf(kChunks), lo, hi),
                             "retention: delete range"));
  rocksdb::Slice slo(lo), shi(hi);
  // Whole SST files inside the range go without any rewrite (the SST partitioner keeps files
  // from straddling partitions); the compaction then only touches what is left in the range.
  TM_RETURN_IF_ERROR(FromRocks(rocksdb::DeleteFilesInRange(db_.get(), cf(kChunks), &slo, &shi),
                               "retention: delete files"));
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  TM_RETURN_IF_ERROR(FromRocks(db_->CompactRange(co, cf(kChunks), &slo, &shi),
                               "retention: compact range"));
  std::lock_guard lock(part_mu_);
  partitions_.erase(partitions_.lower_bound(first), partitions_.upper_bound(last));
  return Status::OK();
}

uint64_t ChunkStore::PartitionBytes(int64_t partition) {
  std::string lo = PartitionPrefix(partition), hi = PartitionPrefix(partition + 1);
  rocksdb::Range r(lo, hi);
  uint64_t sz = 0;
  db_->GetApproximateSizes(cf(kChunks), &r, 1, &sz).PermitUncheckedError();
  return sz;
}

uint64_t ChunkStore::SstBytes() {
  uint64_t total = 0;
  for (auto* h : cfs_) {
    uint64_t v = 0;
    if (db_->GetIntProperty(h, "rocksdb.total-sst-files-size", &v)) total += v;
  }
  return total;
}

uint64_t ChunkStore::BytesOnDisk() {
  uint64_t total = SstBytes();
  rocksdb::VectorLogPtr wals;
  if (db_->GetSortedWalFiles(wals).ok()) {
    for (const auto& w : wals) total += w->SizeFileBytes();
  }
  return total;
}

// ---- chunk reads and the cold queue ----

ChunkStore::ChunkReader ChunkStore::NewChunkReader() {
  ChunkReader r;
  r.it_.reset(db_->NewIterator({}, cf(kChunks)));
  return r;
}

Result<std::optional<double>> ChunkStore::FindSample(SeriesRef ref, Timestamp t) {
  std::vector<int64_t> parts = PartitionsFor(t, t);
  if (parts.empty()) return std::optional<double>();
  ChunkReader reader = NewChunkReader();
  std::vector<StoredChunk> chunks;
  TM_RETURN_IF_ERROR(reader.Read(parts, ref, t, t, &chunks));
  for (const auto& c : chunks) {
    TM_ASSIGN_OR_RETURN(auto ch, chunk::ChunkFromBytes(static_cast<chunk::Encoding>(c.encoding),
                                                       chunk::AsBytes(c.bytes)));
    auto ci = ch->iterator(nullptr);
    for (ValueType vt = ci->Next(); vt != ValueType::kNone; vt = ci->Next()) {
      Sample s = ci->At();
      if (s.t == t) return std::optional<double>(s.v);
    }
    TM_RETURN_IF_ERROR(ci->status());
  }
  return std::optional<double>();
}

Status ChunkStore::ColdTodoCursor::status() const {
  return FromRocks(it_->status(), "compact: read queue");
}

ChunkStore::ColdTodoCursor ChunkStore::NewColdTodoCursor() {
  ColdTodoCursor c;
  c.it_.reset(db_->NewIterator(rocksdb::ReadOptions(), cf(kColdTodo)));
  c.it_->SeekToFirst();
  return c;
}

Result<std::optional<std::string>> ChunkStore::GetColdTodo(std::string_view key) {
  std::string current;
  rocksdb::Status st = db_->Get(rocksdb::ReadOptions(), cf(kColdTodo), key, &current);
  if (st.IsNotFound()) return std::optional<std::string>();
  TM_RETURN_IF_ERROR(FromRocks(st, "compact: read queue entry"));
  return std::optional<std::string>(std::move(current));
}

}  // namespace tidemark::tsdb
