// Opening, closing and flushing the store; the series registry (labels -> dense ref).
#include "tsdb/tsdb_storage.h"

#include <filesystem>

#include "tsdb/chunk_reader.h"
#include "tsdb/keys.h"
#include "tsdb/label_codec.h"

namespace tidemark::tsdb {

TsdbStorage::TsdbStorage(const StorageOptions& options) : opts_(options) {}

TsdbStorage::~TsdbStorage() { CloseLocked().IgnoreError(); }

Result<std::unique_ptr<Storage>> TsdbStorage::Open(const StorageOptions& options) {
  if (options.dir.empty()) return Status::InvalidArgument("storage: empty data directory");
  if (options.out_of_order_window_ms < 0) {
    return Status::InvalidArgument("storage: negative out-of-order window");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Status::Unavailable("storage: cannot create " + options.dir + ": " + ec.message());
  std::unique_ptr<TsdbStorage> s(new TsdbStorage(options));
  TM_RETURN_IF_ERROR(s->OpenDb());
  TM_RETURN_IF_ERROR(s->LoadSeries());
  TM_RETURN_IF_ERROR(s->LoadPartitions());
  {
    std::lock_guard lock(s->commit_mu_);
    TM_RETURN_IF_ERROR(s->ReplayHeadLog());
    TM_RETURN_IF_ERROR(s->TruncateHead(false));
  }
  return std::unique_ptr<Storage>(std::move(s));
}

Status TsdbStorage::OpenDb() {
  DbOptionsBundle b = MakeDbOptions(opts_);
  keepalive_ = b.keepalive;
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  TM_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(b.db, opts_.dir, b.cfs, &handles, &raw),
                               "storage: open " + opts_.dir));
  db_.reset(raw);
  cfs_ = std::move(handles);

  std::string v;
  rocksdb::Status st = db_->Get({}, cf(kMeta), kMetaFormatVersion, &v);
  if (st.IsNotFound()) {
    std::string enc;
    PutVarint64(&enc, kFormatVersion);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    TM_RETURN_IF_ERROR(FromRocks(db_->Put(wo, cf(kMeta), kMetaFormatVersion, enc), "storage"));
  } else {
    TM_RETURN_IF_ERROR(FromRocks(st, "storage: read format version"));
    std::string_view in(v);
    uint64_t ver = 0;
    if (!GetVarint64(&in, &ver)) return Status::Corruption("storage: malformed format version");
    if (ver != kFormatVersion) {
      return Status::InvalidArgument("storage: unsupported format version " + std::to_string(ver));
    }
  }
  st = db_->Get({}, cf(kMeta), kMetaNextSeriesRef, &v);
  if (st.ok()) {
    std::string_view in(v);
    if (!GetVarint64(&in, &persisted_next_ref_)) return Status::Corruption("storage: next series ref");
  } else if (!st.IsNotFound()) {
    return FromRocks(st, "storage: read next series ref");
  }
  st = db_->Get({}, cf(kMeta), kMetaNextChunkId, &v);
  if (st.ok()) {
    std::string_view in(v);
    if (!GetVarint64(&in, &next_chunk_id_)) return Status::Corruption("storage: next chunk id");
  } else if (!st.IsNotFound()) {
    return FromRocks(st, "storage: read next chunk id");
  }
  return Status::OK();
}

Status TsdbStorage::CloseLocked() {
  if (closed_.load() || !db_) return Status::OK();
  closing_.store(true);
  Status result;
  {
    std::lock_guard compact_lock(compact_mu_);
    std::lock_guard lock(commit_mu_);
    result = TruncateHead(true);
    if (result.ok()) {
      rocksdb::FlushOptions fo;
      for (auto* h : cfs_) {
        Status f = FromRocks(db_->Flush(fo, h), "storage: flush");
        if (result.ok()) result = f;
      }
      // Every head-log record is now deletable: compacting the family drops its table files
      // outright instead of leaving them on disk until RocksDB gets round to it.
      if (result.ok()) {
        result = FromRocks(db_->CompactRange(rocksdb::CompactRangeOptions(), cf(kHeadLog),
                                             nullptr, nullptr),
                           "storage: drop head log");
      }
    }
    closed_.store(true);
  }
  for (auto* h : cfs_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  cfs_.clear();
  Status c = FromRocks(db_->Close(), "storage: close");
  db_.reset();
  return result.ok() ? c : result;
}

Status TsdbStorage::Close() { return CloseLocked(); }

Status TsdbStorage::Flush() {
  std::lock_guard lock(commit_mu_);
  if (closed_.load()) return Status::Unavailable("storage is closed");
  TM_RETURN_IF_ERROR(TruncateHead(true));
  rocksdb::FlushOptions fo;
  for (auto* h : cfs_) TM_RETURN_IF_ERROR(FromRocks(db_->Flush(fo, h), "storage: flush"));
  return Status::OK();
}

CheckResult TsdbStorage::ResolveAndCheck(SeriesRef hint, const Labels& labels, Timestamp t,
                                         double v, SeriesRef* ref) {
  const int64_t window = opts_.out_of_order_window_ms;
  auto check = [&](HeadSeries* s) {
    *ref = s->ref();
    std::lock_guard lock(StripeFor(s->ref()));
    return s->Check(t, v, window);
  };
  uint64_t h = 0;
  // The shared index lock is held while the series is used: dropping one needs it exclusively.
  {
    std::shared_lock lock(index_mu_);
    if (hint != 0) {
      HeadSeries* s = SeriesByRefLocked(hint);
      if (s && EncodedLabelsEqual(s->labels_enc(), labels)) return check(s);
    }
    h = SeriesHash(labels);
    SeriesRef found = by_hash_.Find(h, [&](SeriesRef r) {
      HeadSeries* s = SeriesByRefLocked(r);
      return s && EncodedLabelsEqual(s->labels_enc(), labels);
    });
    if (found != 0) return check(SeriesByRefLocked(found));
  }
  std::string enc;
  EncodeLabels(labels, &enc);
  // Not in memory. It may be an inactive series living in RocksDB only: look it up there
  // (without the lock) before handing out a new ref, so a returning series keeps its identity.
  for (;;) {
    const uint64_t gen = index_gen_.load();
    PersistedSeries p;
    bool on_disk = false;
    if (has_inactive_.load(std::memory_order_acquire)) {
      auto found = FindPersistedSeries(h, enc, &p);
      if (!found.ok()) return CheckResult::kIoError;
      on_disk = *found;
    }
    std::unique_lock lock(index_mu_);
    SeriesRef found = by_hash_.Find(h, [&](SeriesRef r) {  // created/loaded meanwhile?
      HeadSeries* s = SeriesByRefLocked(r);
      return s && s->labels_enc() == enc;
    });
    if (found != 0) return check(SeriesByRefLocked(found));
    // Series left memory or rows changed while we read RocksDB: the reading may be stale.
    if (gen != index_gen_.load()) continue;
    if (on_disk) {
      HeadSeries* s = SeriesByRefLocked(p.ref);
      return check(s ? s : InsertLoadedLocked(std::move(p)));
    }
    SeriesRef r = next_ref_++;
    if (series_.size() <= r) series_.resize(r + 1 + series_.size() / 2);
    series_[r] = std::make_unique<HeadSeries>(r, h, std::move(enc));
    by_hash_.Insert(h, r);
    postings_.Add(r, series_[r]->labels_enc());
    *ref = r;
    return CheckResult::kAccept;
  }
}

std::vector<int64_t> TsdbStorage::PartitionsFor(Timestamp mint, Timestamp maxt) const {
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

Result<std::optional<double>> TsdbStorage::FindPersisted(SeriesRef ref, Timestamp t) {
  std::vector<int64_t> parts = PartitionsFor(t, t);
  if (parts.empty()) return std::optional<double>();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kChunks)));
  std::vector<StoredChunk> chunks;
  TM_RETURN_IF_ERROR(ReadSeriesChunks(it.get(), parts, ref, t, t, &chunks));
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

void TsdbStorage::CountRejected(StatusCode code) {
  switch (code) {
    case StatusCode::kOutOfRange: ++rejected_ooo_; break;
    case StatusCode::kAlreadyExists: ++rejected_dup_; break;
    default: ++rejected_invalid_; break;
  }
}

}  // namespace tidemark::tsdb
