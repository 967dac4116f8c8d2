// Storage::Open: the RocksDB-backed store (implementation under storage/src/tsdb/).
#include "tidemark/storage/storage.h"
#include "tsdb/tsdb_storage.h"

namespace tidemark {

Result<std::unique_ptr<Storage>> Storage::Open(const StorageOptions& options) {
  auto opened = tsdb::TsdbStorage::Open(options);
  if (opened.ok() || opened.status().code() != StatusCode::kCorruption) return opened;
  return Status::Corruption(
      opened.status().message() + ". The data directory is damaged: keep a copy of it, then run "
      "`tidemark storage repair --data-dir " + options.dir + "` (docs/operations.md, "
      "\"Damaged data directory\")");
}

}  // namespace tidemark
