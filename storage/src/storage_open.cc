// Storage::Open: the RocksDB-backed store (implementation under storage/src/tsdb/).
#include "tidemark/storage/storage.h"
#include "tsdb/tsdb_storage.h"

namespace tidemark {

Result<std::unique_ptr<Storage>> Storage::Open(const StorageOptions& options) {
  return tsdb::TsdbStorage::Open(options);
}

}  // namespace tidemark
