// The head's side of an admin deletion: the matching series are made resident and their heads
// cut and persisted, so the head log can never bring deleted samples back.
#include "tsdb/head.h"

namespace tidemark::tsdb {

Result<std::vector<HeadSeries*>> Head::SealForDeletion(const Matchers& matchers, Timestamp mint,
                                                       Timestamp maxt) {
  if (ConsultPersisted(mint)) {
    // Matching inactive series become resident for the rewrite below (the head truncation
    // evicts them again); commit_mu_ keeps eviction and retention away meanwhile.
    TM_ASSIGN_OR_RETURN(Postings on_disk, store_.SelectPostings(matchers));
    Postings absent;
    {
      std::shared_lock ilock(index_mu_);
      for (SeriesRef ref : on_disk) {
        if (!SeriesByRefLocked(ref)) absent.push_back(ref);
      }
    }
    std::vector<PersistedSeries> inactive;
    TM_RETURN_IF_ERROR(store_.SeriesWithData(absent, mint, maxt, &inactive));
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
        marks_.push_back({ref, next_seq_, 0});
      }
    }
  }
  TM_RETURN_IF_ERROR(WriteSeals());
  return targets;
}

Status Head::SetDeletedBounds(HeadSeries* s, Timestamp mn, Timestamp mx) {
  HeadMark hm{next_seq_, 0, mn, mx};
  {
    std::lock_guard slock(StripeFor(s->ref()));
    s->SetPersistedRange(mn, mx);
    s->ResetBounds(mn, mx);
  }
  return store_.PutHeadMark(s->ref(), hm, "delete series: head mark");
}

}  // namespace tidemark::tsdb
