// The head's registry: construction, resolving a label set to its series (creating it, or
// reading it back from the store), and the rejection counters.
#include "tsdb/head.h"

#include "tsdb/label_codec.h"

namespace tidemark::tsdb {

Head::Head(const StorageOptions& options, ChunkStore& store)
    : opts_(options), store_(store), persisted_next_ref_(store.meta_next_series_ref()) {}

CheckResult Head::ResolveAndCheck(SeriesRef hint, const Labels& labels, Timestamp t,
                                         double v, SeriesRef* ref, const SeriesLimits& limits) {
  const int64_t window = opts_.out_of_order_window_ms;
  auto check = [&](HeadSeries* s) {
    *ref = s->ref();
    std::lock_guard lock(StripeFor(s->ref()));
    return s->Check(t, v, window);
  };
  uint64_t h = 0;
  // The shared index lock is held while the series is used: dropping one needs it exclusively.
  {
    std::shared_lock lock(index_mu_);
    if (hint != 0) {
      HeadSeries* s = SeriesByRefLocked(hint);
      if (s && EncodedLabelsEqual(s->labels_enc(), labels)) return check(s);
    }
    h = SeriesHash(labels);
    SeriesRef found = by_hash_.Find(h, [&](SeriesRef r) {
      HeadSeries* s = SeriesByRefLocked(r);
      return s && EncodedLabelsEqual(s->labels_enc(), labels);
    });
    if (found != 0) return check(SeriesByRefLocked(found));
  }
  std::string enc;
  EncodeLabels(labels, &enc);
  // Not in memory. It may be an inactive series living in RocksDB only: look it up there
  // (without the lock) before handing out a new ref, so a returning series keeps its identity.
  for (;;) {
    const uint64_t gen = index_gen_.load();
    PersistedSeries p;
    bool on_disk = false;
    if (has_inactive_.load(std::memory_order_acquire)) {
      auto found = store_.FindSeries(h, enc, &p);
      if (!found.ok()) return CheckResult::kIoError;
      on_disk = *found;
    }
    std::unique_lock lock(index_mu_);
    SeriesRef found = by_hash_.Find(h, [&](SeriesRef r) {  // created/loaded meanwhile?
      HeadSeries* s = SeriesByRefLocked(r);
      return s && s->labels_enc() == enc;
    });
    if (found != 0) return check(SeriesByRefLocked(found));
    // Series left memory or rows changed while we read RocksDB: the reading may be stale.
    if (gen != index_gen_.load()) continue;
    if (on_disk) {
      HeadSeries* s = SeriesByRefLocked(p.ref);
      return check(s ? s : InsertLoadedLocked(std::move(p)));
    }
    // Counted from the postings of resident series, which the lock keeps exact.
    if (limits.max_series > 0 && postings_.all().size() >= limits.max_series) {
      return CheckResult::kSeriesLimit;
    }
    if (limits.max_series_per_metric > 0) {
      if (const auto* names = postings_.Values(kMetricName)) {
        auto it = names->find(labels.MetricName());
        if (it != names->end() && it->second.size() >= limits.max_series_per_metric) {
          return CheckResult::kMetricSeriesLimit;
        }
      }
    }
    SeriesRef r = next_ref_++;
    if (series_.size() <= r) series_.resize(r + 1 + series_.size() / 2);
    series_[r] = std::make_unique<HeadSeries>(r, h, std::move(enc));
    by_hash_.Insert(h, r);
    postings_.Add(r, series_[r]->labels_enc());
    *ref = r;
    return CheckResult::kAccept;
  }
}

void Head::CountRejected(StatusCode code) {
  switch (code) {
    case StatusCode::kOutOfRange: ++rejected_ooo_; break;
    case StatusCode::kAlreadyExists: ++rejected_dup_; break;
    default: ++rejected_invalid_; break;
  }
}

}  // namespace tidemark::tsdb
