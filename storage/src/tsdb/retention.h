// Retention by time and size as a background service: the store drops whole chunk partitions,
// then the head forgets what they held (retention.cc).
#pragma once

#include "tidemark/storage/storage.h"
#include "tsdb/chunk_store.h"
#include "tsdb/head.h"

namespace tidemark::tsdb {

class Retention {
 public:
  // `changes` hears of every drop (result caches computed over the dropped data go stale).
  Retention(const StorageOptions& options, Head& head, ChunkStore& store, ChangeTracker& changes);
  // Storage::EnforceRetention. Holds the head's commit lock throughout.
  Status Enforce();

 private:
  const StorageOptions opts_;
  Head& head_;
  ChunkStore& store_;
  ChangeTracker& changes_;
};

}  // namespace tidemark::tsdb
