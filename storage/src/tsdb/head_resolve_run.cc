// ResolveExisting for a run of series at once. Resolving one series is three dependent cache
// misses (hash slot, registry entry, series and its labels); looking a few series ahead and
// prefetching each step lets those misses overlap instead of being paid one after another.
#include "tsdb/label_codec.h"
#include "tsdb/head.h"

namespace tidemark::tsdb {
namespace {

// Items between pipeline stages: far enough for a miss to land, near enough to stay in cache.
constexpr size_t kStage = 4;
constexpr size_t kRing = 4 * kStage;  // holds the items from the first stage to the last

void PrefetchSeries(const HeadSeries* s) {
  for (size_t off = 0; off < sizeof(HeadSeries); off += 64) {
    __builtin_prefetch(reinterpret_cast<const char*>(s) + off);
  }
  __builtin_prefetch(s->labels_enc().data());
}

}  // namespace

void Head::ResolveExistingRun(std::span<const SeriesViewIn> items,
                                     std::vector<ExistingCheck>* out) {
  const size_t n = items.size();
  // The shared index lock is held while series are used: dropping one needs it exclusively.
  std::shared_lock lock(index_mu_);
  // Checks item `i` against the series stored under `hash` (trying `candidate` first); false
  // once an entry ends the run. Inlined: the run's loop stays one body, as it was before.
  // `hashed` is false when `candidate` is the item's hint and `hash` was not computed.
  auto check_item = [&](size_t i, uint64_t hash, bool hashed, SeriesRef candidate)
                        __attribute__((always_inline)) {
    const SeriesViewIn& item = items[i];
    HeadSeries* s = SeriesByRefLocked(candidate);
    if (!s || !EncodedLabelsEqual(s->labels_enc(), item.labels)) {
      if (!hashed) hash = SeriesHash(item.labels);
      SeriesRef found = by_hash_.Find(hash, [&](SeriesRef r) {
        HeadSeries* c = SeriesByRefLocked(r);
        return c && EncodedLabelsEqual(c->labels_enc(), item.labels);
      });
      s = found != 0 ? SeriesByRefLocked(found) : nullptr;
    }
    if (!s) {
      out->push_back({0, CheckResult::kAccept});
      return false;
    }
    std::lock_guard slock(StripeFor(s->ref()));
    for (const SampleIn& in : item.samples) {
      const CheckResult r = s->Check(in.t, in.v, opts_.out_of_order_window_ms);
      out->push_back({s->ref(), r});
      if (r != CheckResult::kAccept && r != CheckResult::kDuplicate) return false;
    }
    return true;
  };
  // One item (a sender that appends series one at a time): nothing to overlap its misses with,
  // so the pipeline below would only add its setup and prefetches already in flight.
  if (n == 1) {
    const SeriesRef hint = items[0].hint;
    check_item(0, hint != 0 ? 0 : SeriesHash(items[0].labels), hint == 0, hint);
    return;
  }

  struct Ahead {
    uint64_t hash = 0;
    bool hashed = false;
    SeriesRef candidate = 0;  // the hint or the first ref stored under the hash; not compared yet
  };
  Ahead ring[kRing];
  auto hash_stage = [&](size_t j) {
    Ahead& a = ring[j % kRing];
    a.hashed = items[j].hint == 0;
    if (!a.hashed) return;  // a hinted item is hashed only if its hint is wrong
    a.hash = SeriesHash(items[j].labels);
    by_hash_.Prefetch(a.hash);
  };
  auto slot_stage = [&](size_t j) {
    Ahead& a = ring[j % kRing];
    a.candidate = a.hashed ? by_hash_.Find(a.hash, [](SeriesRef) { return true; }) : items[j].hint;
    if (a.candidate != 0 && a.candidate < series_.size()) __builtin_prefetch(&series_[a.candidate]);
  };
  auto series_stage = [&](size_t j) {
    if (const HeadSeries* s = SeriesByRefLocked(ring[j % kRing].candidate)) PrefetchSeries(s);
  };
  for (size_t j = 0; j < std::min(n, 3 * kStage); ++j) hash_stage(j);
  for (size_t j = 0; j < std::min(n, 2 * kStage); ++j) slot_stage(j);
  for (size_t j = 0; j < std::min(n, kStage); ++j) series_stage(j);

  for (size_t i = 0; i < n; ++i) {
    if (i + 3 * kStage < n) hash_stage(i + 3 * kStage);
    if (i + 2 * kStage < n) slot_stage(i + 2 * kStage);
    if (i + kStage < n) series_stage(i + kStage);
    const Ahead& a = ring[i % kRing];
    if (!check_item(i, a.hash, a.hashed, a.candidate)) return;
  }
}

}  // namespace tidemark::tsdb
