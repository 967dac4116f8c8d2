// Admin deletion of samples of matching series in [mint, maxt]: the series' head is cut first
// (so the head log can never bring the samples back), then affected chunks are rewritten.
#include <algorithm>

#include "tsdb/keys.h"
#include "tsdb/tsdb_storage.h"

namespace tidemark::tsdb {

Status TsdbStorage::DeleteSeries(const Matchers& matchers, Timestamp mint, Timestamp maxt) {
  // Reported on every way out (after the lock is released, so once the removal is visible):
  // a failure part-way may already have removed samples.
  struct NoteOnExit {
    ChangeTracker& changes;
    ~NoteOnExit() { changes.NoteChange(); }
  } note{changes_};
  std::lock_guard lock(head_->commit_mutex());
  if (closed()) return Status::Unavailable("storage is closed");
  TM_ASSIGN_OR_RETURN(std::vector<HeadSeries*> targets, head_->SealForDeletion(matchers, mint, maxt));
  store_->NoteRewrite();

  ChunkStore::ChunkReader reader = store_->NewChunkReader();
  const std::vector<int64_t> all_parts =
      store_->PartitionsFor(kMinTimestamp, kMaxTimestamp - kMaxStoredSpanMs);
  const std::vector<int64_t> parts = store_->PartitionsFor(mint, maxt);
  std::vector<StoredChunk> chunks;
  std::vector<int64_t> new_parts;
  for (HeadSeries* s : targets) {
    ChunkStore::Batch batch(*store_);
    chunks.clear();
    TM_RETURN_IF_ERROR(reader.Read(parts, s->ref(), mint, maxt, &chunks, true));
    for (const auto& c : chunks) {
      TM_ASSIGN_OR_RETURN(auto ch, chunk::ChunkFromBytes(static_cast<chunk::Encoding>(c.encoding),
                                                         chunk::AsBytes(c.bytes)));
      TM_ASSIGN_OR_RETURN(std::vector<Sample> samples, chunk::DecodeAll(*ch));
      std::erase_if(samples, [&](const Sample& x) { return x.t >= mint && x.t <= maxt; });
      batch.DeleteChunk(c.key);
      if (samples.empty()) continue;
      batch.AddChunk(s->ref(), samples.front().t, samples.back().t,
                     static_cast<uint8_t>(chunk::Encoding::kXor), chunk::EncodeXor(samples), true);
    }
    new_parts.insert(new_parts.end(), batch.partitions().begin(), batch.partitions().end());
    TM_RETURN_IF_ERROR(store_->Write(&batch, false, "delete series"));
    // Recompute the series' bounds from what is left on disk (the head is empty now).
    ChunkStore::ChunkReader after = store_->NewChunkReader();
    chunks.clear();
    TM_RETURN_IF_ERROR(after.Read(all_parts, s->ref(), kMinTimestamp,
                                  kMaxTimestamp - kMaxStoredSpanMs, &chunks));
    Timestamp mn = kMaxTimestamp, mx = kMinTimestamp;
    for (const auto& c : chunks) {
      mn = std::min(mn, c.mint);
      mx = std::max(mx, c.maxt);
    }
    TM_RETURN_IF_ERROR(head_->SetDeletedBounds(s, mn, mx));
  }
  TM_RETURN_IF_ERROR(store_->PutNextChunkId("delete series: chunk id"));
  store_->AddPartitions(new_parts);
  return Status::OK();
}

}  // namespace tidemark::tsdb
