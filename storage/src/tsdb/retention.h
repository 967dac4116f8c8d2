// Retention by time and size as a background service: the store drops whole chunk partitions,
// then the head forgets what they held (retention.cc).
#pragma once

#include "tidemark/storage/storage.h"
#include "tsdb/chunk_store.h"
#include "tsdb/head.h"

namespace tidemark::tsdb {

class Retention {
 public:
  Retention(const StorageOptions& options, Head& head, ChunkStore& store);
  // Storage::EnforceRetention. Holds the head's commit lock throughout.
  Status Enforce();

 private:
  const StorageOptions opts_;
  Head& head_;
  ChunkStore& store_;
};

}  // namespace tidemark::tsdb
