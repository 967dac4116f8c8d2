// The `state` column family: the persistent StateStore (docs/format/keys.md). Every write is
// synced, because a caller acknowledges the state to its user (a silence id) once Put returns.
#include <memory>

#include "tsdb/chunk_store.h"
#include "tsdb/tsdb_storage.h"

namespace tidemark::tsdb {

Status ChunkStore::PutState(std::string_view key, std::string_view value) {
  if (closed()) return Status::Unavailable("state: storage is closed");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return Written(db_->Put(wo, cf(kState), key, value), "state: put");
}

Status ChunkStore::DeleteState(std::string_view key) {
  if (closed()) return Status::Unavailable("state: storage is closed");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return Written(db_->Delete(wo, cf(kState), key), "state: delete");
}

Status ChunkStore::ScanState(std::string_view prefix,
                             const std::function<Status(std::string_view, std::string_view)>& fn) {
  if (closed()) return Status::Unavailable("state: storage is closed");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kState)));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    const std::string_view k(it->key().data(), it->key().size());
    if (k.substr(0, prefix.size()) != prefix) break;
    TM_RETURN_IF_ERROR(fn(k, std::string_view(it->value().data(), it->value().size())));
  }
  return FromRocks(it->status(), "state: scan");
}

namespace {

class TsdbStateStore final : public StateStore {
 public:
  explicit TsdbStateStore(ChunkStore& store) : store_(store) {}
  Status Put(std::string_view key, std::string_view value) override {
    return store_.PutState(key, value);
  }
  Status Delete(std::string_view key) override { return store_.DeleteState(key); }
  Status Scan(std::string_view prefix,
              const std::function<Status(std::string_view, std::string_view)>& fn) override {
    return store_.ScanState(prefix, fn);
  }

 private:
  ChunkStore& store_;
};

}  // namespace

std::unique_ptr<StateStore> NewTsdbStateStore(ChunkStore& store) {
  return std::make_unique<TsdbStateStore>(store);
}

}  // namespace tidemark::tsdb
