// Opening, closing and flushing the store; the series registry (labels -> dense ref).
#include "tsdb/tsdb_storage.h"

#include <filesystem>

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
  TM_ASSIGN_OR_RETURN(s->store_, ChunkStore::Open(options));
  s->persisted_next_ref_ = s->store_->meta_next_series_ref();
  TM_RETURN_IF_ERROR(s->LoadSeries());
  TM_RETURN_IF_ERROR(s->store_->LoadPartitions());
  {
    std::lock_guard lock(s->commit_mu_);
    TM_RETURN_IF_ERROR(s->ReplayHeadLog());
    TM_RETURN_IF_ERROR(s->TruncateHead(false));
  }
  return std::unique_ptr<Storage>(std::move(s));
}

Status TsdbStorage::CloseLocked() {
  if (!store_ || store_->closed()) return Status::OK();
  store_->BeginClose();
  Status result;
  {
    std::lock_guard compact_lock(compact_mu_);
    std::lock_guard lock(commit_mu_);
    result = TruncateHead(true);
    if (result.ok()) result = store_->FlushForClose();
    store_->MarkClosed();
  }
  Status c = store_->Close();
  return result.ok() ? c : result;
}

Status TsdbStorage::Close() { return CloseLocked(); }

Status TsdbStorage::Flush() {
  std::lock_guard lock(commit_mu_);
  if (closed()) return Status::Unavailable("storage is closed");
  TM_RETURN_IF_ERROR(TruncateHead(true));
  return store_->FlushAll();
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
      auto found = store_->FindSeries(h, enc, &p);
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

void TsdbStorage::CountRejected(StatusCode code) {
  switch (code) {
    case StatusCode::kOutOfRange: ++rejected_ooo_; break;
    case StatusCode::kAlreadyExists: ++rejected_dup_; break;
    default: ++rejected_invalid_; break;
  }
}

}  // namespace tidemark::tsdb
