// Opening, closing and flushing the store: the parts are made and released in order.
#include "tsdb/tsdb_storage.h"

#include <filesystem>

#include "tsdb/tsdb_appender.h"
#include "tsdb/tsdb_querier.h"


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
  s->head_ = std::make_unique<Head>(options, *s->store_);
  s->evictor_ = std::make_unique<Evictor>(options, *s->head_, *s->store_);
  s->compactor_ = std::make_unique<Compactor>(options, *s->head_, *s->store_);
  s->retention_ = std::make_unique<Retention>(options, *s->head_, *s->store_, s->changes_);
  s->state_ = NewTsdbStateStore(*s->store_);
  TM_ASSIGN_OR_RETURN(s->commits_, NewTsdbCommitLog(*s->head_, *s->store_));
  TM_RETURN_IF_ERROR(s->head_->LoadSeries());
  TM_RETURN_IF_ERROR(s->store_->LoadPartitions());
  TM_RETURN_IF_ERROR(s->head_->Recover());
  return std::unique_ptr<Storage>(std::move(s));
}

Status TsdbStorage::CloseLocked() {
  if (!store_ || store_->closed()) return Status::OK();
  store_->BeginClose();
  Status result;
  {
    std::lock_guard compact_lock(compactor_->mutex());
    std::lock_guard lock(head_->commit_mutex());
    result = head_->TruncateHead(true);
    if (result.ok()) result = store_->FlushForClose();
    store_->MarkClosed();
  }
  Status c = store_->Close();
  return result.ok() ? c : result;
}

Status TsdbStorage::Close() { return CloseLocked(); }

Status TsdbStorage::Flush() {
  std::lock_guard lock(head_->commit_mutex());
  if (closed()) return Status::Unavailable("storage is closed");
  TM_RETURN_IF_ERROR(head_->TruncateHead(true));
  return store_->FlushAll();
}

Result<std::unique_ptr<Querier>> TsdbStorage::NewQuerier(Timestamp mint, Timestamp maxt) {
  if (closed()) return Status::Unavailable("storage is closed");
  return NewTsdbQuerier(*head_, *store_, mint, maxt);
}

Status TsdbStorage::EnforceRetention() { return retention_->Enforce(); }

Status TsdbStorage::Compact(CompactScope scope) { return compactor_->Compact(scope); }

std::unique_ptr<Appender> TsdbStorage::NewAppender() { return NewTsdbAppender(*head_, *store_, changes_); }

}  // namespace tidemark::tsdb
