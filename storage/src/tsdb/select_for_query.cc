// The query side of the series registry: which series' labels a selector names over [mint,
// maxt], and the index lock queries take. Resident series come from the in-memory postings; when
// the range reaches back to where inactive (non-resident) series have data, the persisted
// postings are read too. (Select's buffers and limits are in select_stream.cc.)
#include "tsdb/persisted_postings.h"
#include "tsdb/head.h"

namespace tidemark::tsdb {

Status Head::ForEachSelectedSeries(const Matchers& matchers, Timestamp mint,
                                          Timestamp maxt, const SelectVisitor& v) {
  Postings absent;
  {
    bool persisted = false;
    Postings on_disk;
    TM_ASSIGN_OR_RETURN(auto lock, LockIndexForQuery(matchers, mint, &persisted, &on_disk));
    Postings refs = postings_.Select(matchers);
    if (persisted) refs = UnionPostings(refs, on_disk);
    if (v.reserve) v.reserve(refs.size());
    for (SeriesRef ref : refs) {
      HeadSeries* s = SeriesByRefLocked(ref);
      if (!s) {
        if (persisted) absent.push_back(ref);
      } else if (s->Overlaps(mint, maxt)) {
        TM_RETURN_IF_ERROR(v.visit(ref, s->labels_enc()));
      }
    }
  }
  if (v.resident_done) TM_RETURN_IF_ERROR(v.resident_done());
  if (absent.empty()) return Status::OK();
  std::vector<PersistedSeries> inactive;
  TM_RETURN_IF_ERROR(store_.SeriesWithData(absent, mint, maxt, &inactive));
  for (const auto& p : inactive) TM_RETURN_IF_ERROR(v.visit(p.ref, p.labels_enc));
  return Status::OK();
}

Result<std::vector<std::string>> Head::MatchingLabelSets(const Matchers& matchers,
                                                                Timestamp mint, Timestamp maxt) {
  std::vector<std::string> out;
  SelectVisitor v;
  v.visit = [&](SeriesRef, std::string_view enc) {
    out.emplace_back(enc);
    return Status::OK();
  };
  TM_RETURN_IF_ERROR(ForEachSelectedSeries(matchers, mint, maxt, v));
  return out;
}

Result<std::shared_lock<std::shared_mutex>> Head::LockIndexForQuery(
    const Matchers& matchers, Timestamp mint, bool* persisted, Postings* on_disk) {
  for (;;) {
    // RocksDB is read before the lock: its I/O must not hold up appenders.
    *persisted = ConsultPersisted(mint);
    on_disk->clear();
    if (*persisted) {
      TM_ASSIGN_OR_RETURN(*on_disk, store_.SelectPostings(matchers));
    }
    std::shared_lock lock(index_mu_);
    // Series evicted in between are no longer in memory: then read the persisted index too. (A
    // series first persisted after the read has only samples newer than this query's start.)
    if (*persisted || !ConsultPersisted(mint)) return lock;
  }
}

}  // namespace tidemark::tsdb
