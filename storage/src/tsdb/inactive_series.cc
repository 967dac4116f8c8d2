// Series outside memory: an inactive series (no head data, nothing newer than
// options().series_inactive_after_ms before the newest sample) lives in RocksDB only. This file
// reads such series back, makes them resident again, evicts them, and finds them for queries.
//
// Safety of eviction: HeadSeries pointers are only used under index_mu_ (shared) or commit_mu_,
// and appenders keep refs, never pointers, across calls. Eviction holds commit_mu_ and index_mu_
// exclusively, so no pointer survives it; a ref staged before an eviction is loaded back by the
// commit (CommitSamples -> LoadRefs). An appender that looked a series up in RocksDB without the
// lock rechecks index_gen_ under the exclusive lock before making it resident.
#include <algorithm>
#include <memory>

#include "tsdb/keys.h"
#include "tsdb/label_codec.h"
#include "tsdb/head.h"

namespace tidemark::tsdb {

HeadSeries* Head::InsertLoadedLocked(PersistedSeries&& p) {
  const SeriesRef r = p.ref;
  if (series_.size() <= r) series_.resize(r + 1 + series_.size() / 2);
  series_[r] = std::make_unique<HeadSeries>(r, p.hash, std::move(p.labels_enc));
  HeadSeries* s = series_[r].get();
  s->persisted = true;
  if (p.has_mark) {
    s->SetPersistedRange(p.mark.persisted_min, p.mark.persisted_max);
    if (p.mark.persisted_min <= p.mark.persisted_max && inactive_series_ > 0) --inactive_series_;
  }
  by_hash_.Insert(p.hash, r);
  postings_.Add(r, s->labels_enc());
  if (r >= next_ref_) next_ref_ = r + 1;
  return s;
}

Status Head::LoadRefs(const std::vector<SeriesRef>& refs) {
  std::vector<PersistedSeries> loaded;
  for (SeriesRef ref : refs) {
    {
      std::shared_lock lock(index_mu_);
      if (SeriesByRefLocked(ref) != nullptr) continue;
    }
    PersistedSeries p;
    TM_ASSIGN_OR_RETURN(bool found, store_.ReadSeries(ref, true, &p));
    if (found) loaded.push_back(std::move(p));
  }
  if (loaded.empty()) return Status::OK();
  // commit_mu_ is held: nothing evicts or drops meanwhile, but an appender may have loaded one.
  std::unique_lock lock(index_mu_);
  for (auto& p : loaded) {
    if (SeriesByRefLocked(p.ref) == nullptr) InsertLoadedLocked(std::move(p));
  }
  return Status::OK();
}

void Head::EvictSeries(const std::vector<HeadSeries*>& victims) {
  if (victims.empty()) return;
  std::vector<std::pair<SeriesRef, std::string_view>> items;
  items.reserve(victims.size());
  Timestamp newest = kMinTimestamp;
  for (HeadSeries* s : victims) {
    items.emplace_back(s->ref(), s->labels_enc());
    newest = std::max(newest, s->max_time());
  }
  std::unique_lock lock(index_mu_);
  // Published before any series leaves, so a reader that misses one in memory sees them.
  has_inactive_.store(true, std::memory_order_release);
  Timestamp m = inactive_max_t_.load();
  while (newest > m && !inactive_max_t_.compare_exchange_weak(m, newest)) {
  }
  index_gen_.fetch_add(1);
  postings_.RemoveMany(items);
  for (HeadSeries* s : victims) {
    if (s->min_time() <= s->max_time()) {
      ++inactive_series_;
      inactive_min_t_ = std::min(inactive_min_t_, s->min_time());
    }
    by_hash_.Erase(s->hash(), s->ref());
    series_[s->ref()].reset();
  }
  by_hash_.MaybeShrink();
}

Status Head::RetainInactive(Timestamp kept_from) {
  if (!has_inactive_.load()) return Status::OK();
  struct Item {
    SeriesRef ref;
    HeadMark mark;
  };
  std::vector<Item> items;
  TM_RETURN_IF_ERROR(store_.ForEachHeadMark([&](SeriesRef ref, const HeadMark& m) {
    if (m.persisted_min <= m.persisted_max && m.persisted_min < kept_from) items.push_back({ref, m});
    return Status::OK();
  }));
  if (items.empty()) return Status::OK();
  // Under the exclusive lock (rare, and bounded by the expired series): an appender cannot make
  // one of these resident between our check and the write, and index_gen_ tells one that read
  // the rows before to look again.
  std::unique_lock lock(index_mu_);
  index_gen_.fetch_add(1);
  ChunkStore::Batch batch(store_);
  for (Item& item : items) {
    if (SeriesByRefLocked(item.ref) != nullptr) continue;  // resident: handled by the caller
    if (item.mark.persisted_max >= kept_from) {
      item.mark.persisted_min = kept_from;
      batch.PutHeadMark(item.ref, item.mark);
      continue;
    }
    std::string enc;
    auto found = store_.ReadSeriesLabels(item.ref, &enc, "retention: read series");
    batch.DeleteHeadMark(item.ref);
    if (inactive_series_ > 0) --inactive_series_;
    TM_RETURN_IF_ERROR(found.status());
    if (!*found) continue;
    TM_ASSIGN_OR_RETURN(Labels l, DecodeLabels(enc));
    batch.DeleteSeries(item.ref, SeriesHash(l), enc);
  }
  // Every non-resident mark now starts at kept_from or later.
  inactive_min_t_ = std::max(inactive_min_t_, kept_from);
  store_.NoteRewrite();
  return store_.Write(&batch, false, "retention: drop inactive series");
}

}  // namespace tidemark::tsdb
