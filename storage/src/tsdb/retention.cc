// Retention by time and size: whole time partitions of the chunks column family are dropped with
// a range delete plus DeleteFilesInRange, so live chunks are never rewritten for it; series left
// without data are removed from every index.
#include "tsdb/keys.h"
#include "tsdb/label_codec.h"
#include "tsdb/tsdb_storage.h"

namespace tidemark::tsdb {

Status TsdbStorage::EnforceRetention() {
  std::lock_guard lock(commit_mu_);
  if (closed()) return Status::Unavailable("storage is closed");
  const std::vector<int64_t> parts = store_->AllPartitions();
  if (parts.empty()) return Status::OK();
  // Never drop the newest partition: it holds what is being written now.
  size_t drop = 0;
  const Timestamp newest = global_max_t_.load();
  if (opts_.retention_ms > 0 && newest > kMinTimestamp) {
    const Timestamp cutoff = newest - opts_.retention_ms;
    while (drop + 1 < parts.size() && PartitionStart(parts[drop] + 1) <= cutoff) ++drop;
  }
  if (opts_.retention_bytes > 0) {
    // Table files only: dropping partitions cannot shrink the WAL, which RocksDB recycles itself.
    uint64_t total = store_->SstBytes();
    for (size_t i = 0; i < drop; ++i) total -= std::min(total, store_->PartitionBytes(parts[i]));
    while (total > opts_.retention_bytes && drop + 1 < parts.size()) {
      total -= std::min(total, store_->PartitionBytes(parts[drop]));
      ++drop;
    }
  }
  if (drop == 0) return Status::OK();
  TM_RETURN_IF_ERROR(store_->DropPartitions(parts[0], parts[drop - 1]));
  const Timestamp kept_from = PartitionStart(parts[drop - 1] + 1);

  // Chunks are keyed by their max time, so a series' persisted data older than kept_from is gone.
  std::vector<HeadSeries*> dead;
  {
    std::shared_lock ilock(index_mu_);
    for (const auto& sp : series_) {
      HeadSeries* s = sp.get();
      if (!s) continue;
      std::lock_guard slock(StripeFor(s->ref()));
      if (s->persisted_max() < kept_from && s->persisted_min() <= s->persisted_max()) {
        s->SetPersistedRange(kMaxTimestamp, kMinTimestamp);
        if (!s->has_head()) {
          dead.push_back(s);
          continue;
        }
        s->ResetBounds(kMaxTimestamp, kMinTimestamp);
        // Rebuild the bounds from the head alone.
        HeadSnapshot h = s->Snapshot();
        Timestamp mn = kMaxTimestamp, mx = kMinTimestamp;
        if (!h.open_bytes.empty()) mn = h.open_mint, mx = h.open_maxt;
        if (!h.ooo.empty()) mn = std::min(mn, h.ooo.front().t), mx = std::max(mx, h.ooo.back().t);
        s->ResetBounds(mn, mx);
      } else if (s->persisted_min() < kept_from && s->persisted_min() <= s->persisted_max()) {
        s->SetPersistedRange(kept_from, s->persisted_max());
        if (s->min_time() < kept_from && !s->has_head()) s->ResetBounds(kept_from, s->max_time());
      }
    }
  }
  // Series not in memory: dropped or trimmed from their head marks.
  TM_RETURN_IF_ERROR(RetainInactive(kept_from));
  if (dead.empty()) return Status::OK();
  ChunkStore::Batch batch(*store_);
  {
    std::unique_lock ilock(index_mu_);
    for (HeadSeries* s : dead) DropSeriesLocked(s, &batch);
  }
  return store_->Write(&batch, false, "retention: drop series");
}

void TsdbStorage::DropSeriesLocked(HeadSeries* s, ChunkStore::Batch* batch) {
  store_->NoteRewrite();
  const SeriesRef ref = s->ref();
  if (s->persisted) batch->DeleteSeries(ref, s->hash(), s->labels_enc());
  batch->DeleteHeadMark(ref);
  postings_.Remove(ref, s->labels_enc());
  by_hash_.Erase(s->hash(), ref);
  series_[ref].reset();
}

}  // namespace tidemark::tsdb
