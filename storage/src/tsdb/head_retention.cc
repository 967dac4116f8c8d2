// The head's side of retention: series whose persisted data the store dropped lose it from their
// bounds, and series left without any data leave every index and the store.
#include "tsdb/head.h"

namespace tidemark::tsdb {

Status Head::ApplyRetention(Timestamp kept_from) {
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
  ChunkStore::Batch batch(store_);
  {
    std::unique_lock ilock(index_mu_);
    for (HeadSeries* s : dead) DropSeriesLocked(s, &batch);
  }
  return store_.Write(&batch, false, "retention: drop series");
}

void Head::DropSeriesLocked(HeadSeries* s, ChunkStore::Batch* batch) {
  store_.NoteRewrite();
  const SeriesRef ref = s->ref();
  if (s->persisted) batch->DeleteSeries(ref, s->hash(), s->labels_enc());
  batch->DeleteHeadMark(ref);
  postings_.Remove(ref, s->labels_enc());
  by_hash_.Erase(s->hash(), ref);
  series_[ref].reset();
}

}  // namespace tidemark::tsdb
