// The query side of the series registry: which series a selector names over [mint, maxt], with
// copies of their head. Resident series come from the in-memory postings; when the range reaches
// back to where inactive (non-resident) series have data, the persisted postings are read too.
#include <algorithm>

#include "tsdb/persisted_postings.h"
#include "tsdb/tsdb_storage.h"

namespace tidemark::tsdb {
namespace {

Status TooMany(size_t max_series) {
  return Status::ResourceExhausted("selector matches more than " + std::to_string(max_series) +
                                   " series");
}

}  // namespace

Result<std::vector<TsdbStorage::SelectedSeries>> TsdbStorage::SelectForQuery(
    const Matchers& matchers, Timestamp mint, Timestamp maxt, size_t max_series) {
  std::vector<SelectedSeries> out;
  Postings absent;  // matching refs not resident: read from RocksDB below
  {
    bool persisted = false;
    Postings on_disk;
    TM_ASSIGN_OR_RETURN(auto lock, LockIndexForQuery(matchers, mint, &persisted, &on_disk));
    Postings refs = postings_.Select(matchers);
    if (persisted) refs = UnionPostings(refs, on_disk);
    for (SeriesRef ref : refs) {
      HeadSeries* s = SeriesByRefLocked(ref);
      if (!s) {
        if (persisted) absent.push_back(ref);
        continue;
      }
      if (!s->Overlaps(mint, maxt)) continue;
      if (max_series && out.size() >= max_series) return TooMany(max_series);
      SelectedSeries sel;
      sel.ref = ref;
      sel.labels_enc = s->labels_enc();
      {
        std::lock_guard slock(StripeFor(ref));
        sel.head = s->Snapshot();
      }
      out.push_back(std::move(sel));
    }
  }
  {
    // After the head copies: a chunk cut before a copy is either still here or already written,
    // and then the RocksDB iterator (created after this) sees it.
    std::lock_guard slock(sealed_mu_);
    for (const SealedChunk& c : sealed_) {
      auto it = std::lower_bound(out.begin(), out.end(), c.ref,
                                 [](const SelectedSeries& s, SeriesRef r) { return s.ref < r; });
      if (it == out.end() || it->ref != c.ref || c.maxt < mint || c.mint > maxt) continue;
      it->unwritten.push_back(
          StoredChunk{c.mint, c.maxt, static_cast<uint8_t>(c.encoding), c.bytes, std::string()});
    }
  }
  if (absent.empty()) return out;
  // Inactive series: no head (eviction needs an empty head), every chunk is in RocksDB. One
  // made resident since the lock above may have a sample newer than this query's start there.
  std::vector<PersistedSeries> inactive;
  TM_RETURN_IF_ERROR(SelectInactive(absent, mint, maxt, &inactive));
  if (max_series && out.size() + inactive.size() > max_series) return TooMany(max_series);
  for (auto& p : inactive) {
    SelectedSeries sel;
    sel.ref = p.ref;
    sel.labels_enc = std::move(p.labels_enc);
    out.push_back(std::move(sel));
  }
  std::sort(out.begin(), out.end(),
            [](const SelectedSeries& a, const SelectedSeries& b) { return a.ref < b.ref; });
  return out;
}

Result<std::vector<std::string>> TsdbStorage::MatchingLabelSets(const Matchers& matchers,
                                                                Timestamp mint, Timestamp maxt) {
  std::vector<std::string> out;
  Postings absent;
  {
    bool persisted = false;
    Postings on_disk;
    TM_ASSIGN_OR_RETURN(auto lock, LockIndexForQuery(matchers, mint, &persisted, &on_disk));
    Postings refs = postings_.Select(matchers);
    if (persisted) refs = UnionPostings(refs, on_disk);
    for (SeriesRef ref : refs) {
      HeadSeries* s = SeriesByRefLocked(ref);
      if (!s) {
        if (persisted) absent.push_back(ref);
      } else if (s->Overlaps(mint, maxt)) {
        out.push_back(s->labels_enc());
      }
    }
  }
  if (absent.empty()) return out;
  std::vector<PersistedSeries> inactive;
  TM_RETURN_IF_ERROR(SelectInactive(absent, mint, maxt, &inactive));
  for (auto& p : inactive) out.push_back(std::move(p.labels_enc));
  return out;
}

Result<std::shared_lock<std::shared_mutex>> TsdbStorage::LockIndexForQuery(
    const Matchers& matchers, Timestamp mint, bool* persisted, Postings* on_disk) {
  for (;;) {
    // RocksDB is read before the lock: its I/O must not hold up appenders.
    *persisted = ConsultPersisted(mint);
    on_disk->clear();
    if (*persisted) {
      TM_ASSIGN_OR_RETURN(*on_disk,
                          SelectPersistedPostings(db(), cf(kPost), cf(kSeries), matchers));
    }
    std::shared_lock lock(index_mu_);
    // Series evicted in between are no longer in memory: then read the persisted index too. (A
    // series first persisted after the read has only samples newer than this query's start.)
    if (*persisted || !ConsultPersisted(mint)) return lock;
  }
}

}  // namespace tidemark::tsdb
