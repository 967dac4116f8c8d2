// Querier over the store: postings select, head snapshots, then persisted chunks via RocksDB.
#include <algorithm>
#include <set>

#include "tsdb/chunk_reader.h"
#include "tsdb/label_codec.h"
#include "tsdb/series_iterator.h"
#include "tsdb/tsdb_storage.h"

namespace tidemark::tsdb {
namespace {

struct Entry {
  Labels labels;
  SeriesRef ref = 0;
  HeadSnapshot head;
  std::vector<StoredChunk> unwritten;
};

// Holds fully loaded series (chunk bytes copied out of RocksDB at Select time): no RocksDB
// iterator outlives Select, so a set may even outlive Close() without touching a closed DB.
class TsdbSeriesSet final : public SeriesSet {
 public:
  TsdbSeriesSet(std::vector<std::shared_ptr<LoadedSeries>> series, Timestamp mint, Timestamp maxt)
      : series_(std::move(series)), mint_(mint), maxt_(maxt) {}

  bool Next() override {
    while (status_.ok() && next_ < series_.size()) {
      std::shared_ptr<LoadedSeries> data = std::move(series_[next_++]);
      // Omit series without samples in range (e.g. only deleted or out-of-range data).
      LoadedSeriesIterator probe(data, mint_, maxt_);
      if (probe.Next() == ValueType::kNone) {
        status_ = probe.status();
        continue;
      }
      cur_ = std::make_unique<LoadedSeriesView>(std::move(data), mint_, maxt_);
      return true;
    }
    return false;
  }
  const Series& At() const override { return *cur_; }
  Status status() const override { return status_; }

 private:
  std::vector<std::shared_ptr<LoadedSeries>> series_;
  Timestamp mint_, maxt_;
  size_t next_ = 0;
  std::unique_ptr<LoadedSeriesView> cur_;
  Status status_;
};

class TsdbQuerier final : public Querier {
 public:
  TsdbQuerier(TsdbStorage& db, Timestamp mint, Timestamp maxt) : db_(db), mint_(mint), maxt_(maxt) {}

  Result<std::unique_ptr<SeriesSet>> Select(bool, const SelectHints* hints,
                                            const Matchers& matchers) override {
    if (db_.closed()) return Status::Unavailable("storage is closed");
    size_t limit = hints ? hints->max_series : 0;
    TM_ASSIGN_OR_RETURN(auto selected, db_.SelectForQuery(matchers, mint_, maxt_, limit));
    // The chunk iterator is created after the head copies: a chunk cut in between is then seen
    // twice (de-duplicated when merging) rather than not at all.
    std::unique_ptr<rocksdb::Iterator> it(db_.db()->NewIterator({}, db_.cf(kChunks)));
    std::vector<Entry> entries;
    entries.reserve(selected.size());
    for (auto& s : selected) {
      TM_ASSIGN_OR_RETURN(Labels l, DecodeLabels(s.labels_enc));
      entries.push_back(Entry{std::move(l), s.ref, std::move(s.head), std::move(s.unwritten)});
    }
    // Always sorted: cheap next to decoding, and callers can rely on it.
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.labels < b.labels; });
    const std::vector<int64_t> parts = db_.PartitionsFor(mint_, maxt_);
    std::vector<std::shared_ptr<LoadedSeries>> loaded;
    loaded.reserve(entries.size());
    for (auto& e : entries) {
      auto data = std::make_shared<LoadedSeries>();
      if (!parts.empty()) {
        TM_RETURN_IF_ERROR(ReadSeriesChunks(it.get(), parts, e.ref, mint_, maxt_, &data->chunks));
      }
      for (auto& c : e.unwritten) data->chunks.push_back(std::move(c));
      if (!e.head.open_bytes.empty() && e.head.open_maxt >= mint_ && e.head.open_mint <= maxt_) {
        data->chunks.push_back(StoredChunk{e.head.open_mint, e.head.open_maxt,
                                           static_cast<uint8_t>(chunk::Encoding::kXor),
                                           std::move(e.head.open_bytes), std::string()});
      }
      data->ooo = std::move(e.head.ooo);
      data->labels = std::move(e.labels);
      loaded.push_back(std::move(data));
    }
    return std::unique_ptr<SeriesSet>(
        std::make_unique<TsdbSeriesSet>(std::move(loaded), mint_, maxt_));
  }

  Result<std::vector<std::string>> LabelNames(const Matchers& matchers) override {
    if (db_.closed()) return Status::Unavailable("storage is closed");
    std::set<std::string, std::less<>> names;
    for (const auto& enc : db_.MatchingLabelSets(matchers, mint_, maxt_)) {
      ForEachEncodedLabel(enc, [&](std::string_view n, std::string_view) {
        if (names.find(n) == names.end()) names.emplace(n);
      });
    }
    return std::vector<std::string>(names.begin(), names.end());
  }

  Result<std::vector<std::string>> LabelValues(const std::string& name,
                                               const Matchers& matchers) override {
    if (db_.closed()) return Status::Unavailable("storage is closed");
    std::set<std::string, std::less<>> values;
    for (const auto& enc : db_.MatchingLabelSets(matchers, mint_, maxt_)) {
      ForEachEncodedLabel(enc, [&](std::string_view n, std::string_view v) {
        if (n == name && values.find(v) == values.end()) values.emplace(v);
      });
    }
    return std::vector<std::string>(values.begin(), values.end());
  }

 private:
  TsdbStorage& db_;
  Timestamp mint_, maxt_;
};

}  // namespace

Result<std::unique_ptr<Querier>> TsdbStorage::NewQuerier(Timestamp mint, Timestamp maxt) {
  if (closed()) return Status::Unavailable("storage is closed");
  return std::unique_ptr<Querier>(std::make_unique<TsdbQuerier>(*this, mint, maxt));
}

Result<std::vector<TsdbStorage::SelectedSeries>> TsdbStorage::SelectForQuery(
    const Matchers& matchers, Timestamp mint, Timestamp maxt, size_t max_series) {
  std::vector<SelectedSeries> out;
  std::shared_lock lock(index_mu_);
  Postings refs = postings_.Select(matchers);
  for (SeriesRef ref : refs) {
    HeadSeries* s = SeriesByRefLocked(ref);
    if (!s || !s->Overlaps(mint, maxt)) continue;
    if (max_series && out.size() >= max_series) {
      return Status::ResourceExhausted("selector matches more than " +
                                       std::to_string(max_series) + " series");
    }
    SelectedSeries sel;
    sel.ref = ref;
    sel.labels_enc = s->labels_enc();
    {
      std::lock_guard slock(StripeFor(ref));
      sel.head = s->Snapshot();
    }
    out.push_back(std::move(sel));
  }
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
  return out;
}

std::vector<std::string> TsdbStorage::MatchingLabelSets(const Matchers& matchers, Timestamp mint,
                                                        Timestamp maxt) {
  std::vector<std::string> out;
  std::shared_lock lock(index_mu_);
  for (SeriesRef ref : postings_.Select(matchers)) {
    HeadSeries* s = SeriesByRefLocked(ref);
    if (s && s->Overlaps(mint, maxt)) out.push_back(s->labels_enc());
  }
  return out;
}

}  // namespace tidemark::tsdb
