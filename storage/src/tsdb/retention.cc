// Retention by time and size: whole time partitions of the chunks column family are dropped with
// a range delete plus DeleteFilesInRange, so live chunks are never rewritten for it; series left
// without data are removed from every index (Head::ApplyRetention, head_retention.cc).
#include "tsdb/keys.h"
#include "tsdb/retention.h"

namespace tidemark::tsdb {

Retention::Retention(const StorageOptions& options, Head& head, ChunkStore& store,
                     ChangeTracker& changes)
    : opts_(options), head_(head), store_(store), changes_(changes) {}

Status Retention::Enforce() {
  std::lock_guard lock(head_.commit_mutex());
  if (store_.closed()) return Status::Unavailable("storage is closed");
  const std::vector<int64_t> parts = store_.AllPartitions();
  if (parts.empty()) return Status::OK();
  // Never drop the newest partition: it holds what is being written now.
  size_t drop = 0;
  const Timestamp newest = head_.max_time();
  if (opts_.retention_ms > 0 && newest > kMinTimestamp) {
    const Timestamp cutoff = newest - opts_.retention_ms;
    while (drop + 1 < parts.size() && PartitionStart(parts[drop] + 1) <= cutoff) ++drop;
  }
  if (opts_.retention_bytes > 0) {
    // Table files only: dropping partitions cannot shrink the WAL, which RocksDB recycles itself.
    uint64_t total = store_.SstBytes();
    for (size_t i = 0; i < drop; ++i) total -= std::min(total, store_.PartitionBytes(parts[i]));
    while (total > opts_.retention_bytes && drop + 1 < parts.size()) {
      total -= std::min(total, store_.PartitionBytes(parts[drop]));
      ++drop;
    }
  }
  if (drop == 0) return Status::OK();
  Status dropped = store_.DropPartitions(parts[0], parts[drop - 1]);
  if (dropped.ok()) dropped = head_.ApplyRetention(PartitionStart(parts[drop - 1] + 1));
  changes_.NoteChange();  // also after a failure part-way: some data may be gone
  return dropped;
}

}  // namespace tidemark::tsdb
