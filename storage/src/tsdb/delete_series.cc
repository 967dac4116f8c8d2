// Admin deletion of samples of matching series in [mint, maxt]: the series' head is cut first
// (so the head log can never bring the samples back), then affected chunks are rewritten.
#include <algorithm>

#include "tsdb/keys.h"
#include "tsdb/tsdb_storage.h"

namespace tidemark::tsdb {

Status TsdbStorage::DeleteSeries(const Matchers& matchers, Timestamp mint, Timestamp maxt) {
  std::lock_guard lock(commit_mu_);
  if (closed()) return Status::Unavailable("storage is closed");
  if (ConsultPersisted(mint)) {
    // Matching inactive series become resident for the rewrite below (the head truncation
    // evicts them again); commit_mu_ keeps eviction and retention away meanwhile.
    TM_ASSIGN_OR_RETURN(Postings on_disk, store_->SelectPostings(matchers));
    Postings absent;
    {
      std::shared_lock ilock(index_mu_);
      for (SeriesRef ref : on_disk) {
        if (!SeriesByRefLocked(ref)) absent.push_back(ref);
      }
    }
    std::vector<PersistedSeries> inactive;
    TM_RETURN_IF_ERROR(store_->SeriesWithData(absent, mint, maxt, &inactive));
    std::vector<SeriesRef> refs;
    for (const auto& p : inactive) refs.push_back(p.ref);
    TM_RETURN_IF_ERROR(LoadRefs(refs));
  }
  std::vector<HeadSeries*> targets;
  {
    std::shared_lock ilock(index_mu_);
    for (SeriesRef ref : postings_.Select(matchers)) {
      HeadSeries* s = SeriesByRefLocked(ref);
      if (!s || !s->Overlaps(mint, maxt)) continue;
      targets.push_back(s);
      std::lock_guard slock(StripeFor(ref));
      if (s->has_head()) {
        s->SealAll(&cut_);
        PublishCuts();
        marks_.push_back({s, next_seq_, 0});
      }
    }
  }
  TM_RETURN_IF_ERROR(WriteSeals());
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
    HeadMark hm{next_seq_, 0, mn, mx};
    {
      std::lock_guard slock(StripeFor(s->ref()));
      s->SetPersistedRange(mn, mx);
      s->ResetBounds(mn, mx);
    }
    TM_RETURN_IF_ERROR(store_->PutHeadMark(s->ref(), hm, "delete series: head mark"));
  }
  TM_RETURN_IF_ERROR(store_->PutNextChunkId("delete series: chunk id"));
  store_->AddPartitions(new_parts);
  return Status::OK();
}

}  // namespace tidemark::tsdb
