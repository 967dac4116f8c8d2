// Retention by time and size: whole time partitions of the chunks column family are dropped with
// a range delete plus DeleteFilesInRange, so live chunks are never rewritten for it; series left
// without data are removed from every index.
#include <rocksdb/convenience.h>
#include <rocksdb/write_batch.h>

#include "tsdb/keys.h"
#include "tsdb/label_codec.h"
#include "tsdb/tsdb_storage.h"

namespace tidemark::tsdb {

uint64_t TsdbStorage::SstBytes() {
  uint64_t total = 0;
  for (auto* h : cfs_) {
    uint64_t v = 0;
    if (db_->GetIntProperty(h, "rocksdb.total-sst-files-size", &v)) total += v;
  }
  return total;
}

uint64_t TsdbStorage::BytesOnDisk() {
  uint64_t total = SstBytes();
  rocksdb::VectorLogPtr wals;
  if (db_->GetSortedWalFiles(wals).ok()) {
    for (const auto& w : wals) total += w->SizeFileBytes();
  }
  return total;
}

Status TsdbStorage::DropPartitions(int64_t first, int64_t last) {
  ++rewrite_gen_;
  std::string lo = PartitionPrefix(first), hi = PartitionPrefix(last + 1);
  TM_RETURN_IF_ERROR(FromRocks(db_->DeleteRange(rocksdb::WriteOptions(), cf(kChunks), lo, hi),
                               "retention: delete range"));
  rocksdb::Slice slo(lo), shi(hi);
  // Whole SST files inside the range go without any rewrite (the SST partitioner keeps files
  // from straddling partitions); the compaction then only touches what is left in the range.
  TM_RETURN_IF_ERROR(FromRocks(rocksdb::DeleteFilesInRange(db_.get(), cf(kChunks), &slo, &shi),
                               "retention: delete files"));
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  TM_RETURN_IF_ERROR(FromRocks(db_->CompactRange(co, cf(kChunks), &slo, &shi),
                               "retention: compact range"));
  std::lock_guard lock(part_mu_);
  partitions_.erase(partitions_.lower_bound(first), partitions_.upper_bound(last));
  return Status::OK();
}

Status TsdbStorage::EnforceRetention() {
  std::lock_guard lock(commit_mu_);
  if (closed_.load()) return Status::Unavailable("storage is closed");
  std::vector<int64_t> parts;
  {
    std::lock_guard plock(part_mu_);
    parts.assign(partitions_.begin(), partitions_.end());
  }
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
    uint64_t total = SstBytes();
    for (size_t i = 0; i < drop; ++i) {
      rocksdb::Range r(PartitionPrefix(parts[i]), PartitionPrefix(parts[i] + 1));
      uint64_t sz = 0;
      db_->GetApproximateSizes(cf(kChunks), &r, 1, &sz).PermitUncheckedError();
      total -= std::min(total, sz);
    }
    while (total > opts_.retention_bytes && drop + 1 < parts.size()) {
      std::string lo = PartitionPrefix(parts[drop]), hi = PartitionPrefix(parts[drop] + 1);
      rocksdb::Range r(lo, hi);
      uint64_t sz = 0;
      db_->GetApproximateSizes(cf(kChunks), &r, 1, &sz).PermitUncheckedError();
      total -= std::min(total, sz);
      ++drop;
    }
  }
  if (drop == 0) return Status::OK();
  TM_RETURN_IF_ERROR(DropPartitions(parts[0], parts[drop - 1]));
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
  rocksdb::WriteBatch batch;
  {
    std::unique_lock ilock(index_mu_);
    for (HeadSeries* s : dead) DropSeriesLocked(s, &batch);
  }
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "retention: drop series");
}

void TsdbStorage::DropSeriesLocked(HeadSeries* s, rocksdb::WriteBatch* batch) {
  ++rewrite_gen_;
  const SeriesRef ref = s->ref();
  if (s->persisted) {
    batch->Delete(cf(kSeries), SeriesKey(ref)).PermitUncheckedError();
    batch->Delete(cf(kHash), HashKey(s->hash(), ref)).PermitUncheckedError();
    ForEachEncodedLabel(s->labels_enc(), [&](std::string_view n, std::string_view v) {
      batch->Delete(cf(kPost), PostingKey(n, v, ref)).PermitUncheckedError();
    });
  }
  batch->Delete(cf(kHeadMark), HeadMarkKey(ref)).PermitUncheckedError();
  postings_.Remove(ref, s->labels_enc());
  by_hash_.Erase(s->hash(), ref);
  series_[ref].reset();
}

}  // namespace tidemark::tsdb
