// The streaming query side of the series registry: which series a selector names (refs and
// label encodings only), and head copies taken a batch at a time as a query reaches them, so a
// query over many series never holds every series' head copy at once.
#include <algorithm>

#include "tsdb/head.h"

namespace tidemark::tsdb {
namespace {

// Label bytes reserved per selected series: above typical sets (node exporter's are ~100).
constexpr size_t kReservedLabelBytes = 384;

void AddRef(Head::SelectedRefs* out, SeriesRef ref, std::string_view enc) {
  out->refs.push_back(ref);
  out->labels.append(enc);
  out->offsets.push_back(static_cast<uint32_t>(out->labels.size()));
}

}  // namespace

// The selection itself is ForEachSelectedSeries (select_for_query.cc).
Result<Head::SelectedRefs> Head::SelectRefsForQuery(const Matchers& matchers,
                                                                  Timestamp mint, Timestamp maxt,
                                                                  size_t max_series) {
  SelectedRefs out;
  SelectVisitor v;
  // Sized once: growing copies the buffers, and the copies would count in the query's peak.
  // Reserved but untouched pages cost no memory.
  v.reserve = [&](size_t n) {
    out.refs.reserve(n);
    out.offsets.reserve(n + 1);
    out.labels.reserve(n * kReservedLabelBytes);
  };
  v.visit = [&](SeriesRef ref, std::string_view enc) {
    if (max_series && out.refs.size() >= max_series) {
      return Status::ResourceExhausted("selector matches more than " +
                                       std::to_string(max_series) + " series");
    }
    AddRef(&out, ref, enc);
    return Status::OK();
  };
  v.resident_done = [&] {
    if (out.labels.size() > UINT32_MAX / 2) {
      return Status::ResourceExhausted("selector's label sets exceed 2 GiB");
    }
    return Status::OK();
  };
  TM_RETURN_IF_ERROR(ForEachSelectedSeries(matchers, mint, maxt, v));
  return out;
}

void Head::SnapshotHeads(std::span<SelectedSeries> batch, Timestamp mint, Timestamp maxt,
                         bool newest_only) {
  size_t newest = 0;
  {
    std::shared_lock lock(index_mu_);
    for (SelectedSeries& sel : batch) {
      sel.head = HeadSnapshot();
      sel.unwritten.clear();
      sel.newest_only = false;
      sel.store_empty = false;
      HeadSeries* s = SeriesByRefLocked(sel.ref);
      if (!s) continue;  // not resident: no head (eviction needs an empty one)
      std::lock_guard slock(StripeFor(sel.ref));
      // A chunk counts as persisted from its cut (NotePersisted), before it is written: one cut
      // after this copy has its samples in the copy.
      sel.store_empty = !s->PersistedOverlaps(mint, maxt);
      Sample last;
      // A newest sample after maxt says nothing about the last one in range: read as usual.
      if (newest_only && s->NewestInOpenChunk(&last) && last.t <= maxt) {
        sel.newest_only = true;
        ++newest;
        if (last.t >= mint) sel.head.ooo.push_back(last);
        continue;
      }
      sel.head = s->Snapshot();
    }
  }
  if (newest == batch.size()) return;
  // After the head copies: a chunk cut before a copy is either still here or already written,
  // and then the caller's RocksDB read (after this) sees it.
  std::vector<std::pair<SeriesRef, size_t>> by_ref;
  by_ref.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) by_ref.emplace_back(batch[i].ref, i);
  std::sort(by_ref.begin(), by_ref.end());
  std::lock_guard slock(sealed_mu_);
  for (const SealedChunk& c : sealed_) {
    if (c.maxt < mint || c.mint > maxt) continue;
    auto it = std::lower_bound(by_ref.begin(), by_ref.end(), std::make_pair(c.ref, size_t{0}));
    for (; it != by_ref.end() && it->first == c.ref; ++it) {
      if (batch[it->second].newest_only) continue;
      batch[it->second].unwritten.push_back(
          StoredChunk{c.mint, c.maxt, static_cast<uint8_t>(c.encoding), c.bytes, std::string()});
    }
  }
}

}  // namespace tidemark::tsdb
