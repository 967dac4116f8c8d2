// Placeholder: the RocksDB-backed store replaces this file.
#include "tidemark/storage/storage.h"

namespace tidemark {

Result<std::unique_ptr<Storage>> Storage::Open(const StorageOptions&) {
  return Status::Internal("the persistent store is not built yet");
}

}  // namespace tidemark
