// Querier over the store: postings select, then series streamed in label order, a batch at a
// time: head copies, then persisted chunks via RocksDB.
#include "tsdb/tsdb_querier.h"

#include <algorithm>
#include <set>

#include "tsdb/chunk_reader.h"
#include "tsdb/label_codec.h"
#include "tsdb/series_iterator.h"

namespace tidemark::tsdb {
namespace {

// Series a batch loads at once: one RocksDB iterator serves a batch, and only a batch's chunk
// bytes and head copies are held at a time.
constexpr size_t kBatchSeries = 64;

// ReadUvarint with the one-byte case first (label lengths, mostly): sorting a
// large selection spends much of its time here.
inline bool ReadVarint(std::string_view* in, uint64_t* v) {
  if (!in->empty() && static_cast<uint8_t>(in->front()) < 0x80) {
    *v = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    return true;
  }
  return ReadUvarint(in, v);
}

// Three-way comparison of two label encodings in Labels' order (pairwise by name, then value;
// a prefix sorts first), without decoding them.
int CompareEncodedLabels(const std::string_view a_enc, const std::string_view b_enc) {
  std::string_view a = a_enc, b = b_enc;
  uint64_t na = 0, nb = 0;
  if (!ReadVarint(&a, &na) || !ReadVarint(&b, &nb)) return a_enc.compare(b_enc);
  auto field = [](std::string_view* in, std::string_view* out) {
    uint64_t n = 0;
    if (!ReadVarint(in, &n) || n > in->size()) return false;
    *out = in->substr(0, n);
    in->remove_prefix(n);
    return true;
  };
  for (uint64_t i = 0; i < std::min(na, nb); ++i) {
    std::string_view an, av, bn, bv;
    if (!field(&a, &an) || !field(&a, &av) || !field(&b, &bn) || !field(&b, &bv)) {
      return a_enc.compare(b_enc);  // malformed: some consistent order (decoding reports it)
    }
    if (int c = an.compare(bn); c != 0) return c;
    if (int c = av.compare(bv); c != 0) return c;
  }
  return na < nb ? -1 : (na > nb ? 1 : 0);
}

// True when the chunk bounds alone show a sample in [mint, maxt]: every chunk's bounds are the
// times of its first and last sample, so only a chunk spanning the whole range needs decoding.
bool BoundsShowSample(const LoadedSeries& d, Timestamp mint, Timestamp maxt) {
  auto in = [&](Timestamp t) { return t >= mint && t <= maxt; };
  for (const StoredChunk& c : d.chunks) {
    if (in(c.mint) || in(c.maxt)) return true;
  }
  for (const Sample& s : d.ooo) {
    if (in(s.t)) return true;
  }
  return false;
}

// Streams the selected series in label order: labels are decoded, heads copied and persisted
// chunks read a batch at a time in Next(). Holds no RocksDB object between calls, so a set that
// outlives Close() reports Unavailable instead of touching a closed DB. It must not outlive the
// storage object itself (as for the querier).
class TsdbSeriesSet final : public SeriesSet {
 public:
  TsdbSeriesSet(Head& head, ChunkStore& store, Head::SelectedRefs sel,
                std::vector<uint32_t> order, Timestamp mint, Timestamp maxt, bool newest_only)
      : head_(head), store_(store), sel_(std::move(sel)), order_(std::move(order)), mint_(mint),
        maxt_(maxt), newest_only_(newest_only) {}

  bool Next() override {
    while (status_.ok()) {
      if (pos_ >= batch_.size() && !LoadBatch()) return false;
      std::shared_ptr<LoadedSeries> data = std::move(batch_[pos_++]);
      if (!data || !HasSample(data)) continue;  // omit series without samples in range
      cur_ = std::make_unique<LoadedSeriesView>(std::move(data), mint_, maxt_);
      return true;
    }
    return false;
  }
  const Series& At() const override { return *cur_; }
  Status status() const override { return status_; }

 private:
  bool HasSample(const std::shared_ptr<LoadedSeries>& data) {
    if (BoundsShowSample(*data, mint_, maxt_)) return true;
    LoadedSeriesIterator probe(data, mint_, maxt_);
    if (probe.Next() != ValueType::kNone) return true;
    status_ = probe.status();
    return false;
  }

  // Loads the next batch; false at the end or on error (status_ set).
  bool LoadBatch() {
    batch_.clear();
    pos_ = 0;
    if (next_ >= order_.size()) {
      Release();
      return false;
    }
    if (store_.closed()) {
      status_ = Status::Unavailable("storage is closed");
      Release();
      return false;
    }
    const size_t n = std::min(kBatchSeries, order_.size() - next_);
    std::vector<Head::SelectedSeries> heads(n);
    for (size_t i = 0; i < n; ++i) heads[i].ref = sel_.refs[order_[next_ + i]];
    head_.SnapshotHeads(heads, mint_, maxt_, newest_only_);
    // The chunk iterator is created after the head copies: a chunk cut in between is then seen
    // twice (de-duplicated when merging) rather than not at all.
    const std::vector<int64_t> parts = store_.PartitionsFor(mint_, maxt_);
    ChunkStore::ChunkReader reader;  // created at the first series that needs it
    for (size_t i = 0; i < n; ++i) {
      Head::SelectedSeries& e = heads[i];
      auto data = std::make_shared<LoadedSeries>();
      if (!parts.empty() && !e.newest_only && !e.store_empty) {
        if (!reader) reader = store_.NewChunkReader();
        status_ = reader.Read(parts, e.ref, mint_, maxt_, &data->chunks);
        if (!status_.ok()) return false;
      }
      for (auto& c : e.unwritten) data->chunks.push_back(std::move(c));
      if (!e.head.open_bytes.empty() && e.head.open_maxt >= mint_ && e.head.open_mint <= maxt_) {
        data->chunks.push_back(StoredChunk{e.head.open_mint, e.head.open_maxt,
                                           static_cast<uint8_t>(chunk::Encoding::kXor),
                                           std::move(e.head.open_bytes), std::string()});
      }
      data->ooo = std::move(e.head.ooo);
      if (data->chunks.empty() && data->ooo.empty()) {
        batch_.push_back(nullptr);
        continue;
      }
      auto labels = DecodeLabels(sel_.enc(order_[next_ + i]));
      if (!labels.ok()) {
        status_ = labels.status();
        return false;
      }
      data->labels = std::move(labels).value();
      batch_.push_back(std::move(data));
    }
    next_ += n;
    return true;
  }

  void Release() {
    sel_ = Head::SelectedRefs();
    order_ = std::vector<uint32_t>();
  }

  Head& head_;
  ChunkStore& store_;
  Head::SelectedRefs sel_;
  std::vector<uint32_t> order_;  // indexes into sel_, in label order
  Timestamp mint_, maxt_;
  const bool newest_only_;  // a series the head knows the newest sample of yields just that
  size_t next_ = 0;  // next index into order_ to load
  std::vector<std::shared_ptr<LoadedSeries>> batch_;
  size_t pos_ = 0;  // next index into batch_
  std::unique_ptr<LoadedSeriesView> cur_;
  Status status_;
};

class TsdbQuerier final : public Querier {
 public:
  TsdbQuerier(Head& head, ChunkStore& store, Timestamp mint, Timestamp maxt)
      : head_(head), store_(store), mint_(mint), maxt_(maxt) {}

  Result<std::unique_ptr<SeriesSet>> Select(bool sorted, const SelectHints* hints,
                                            const Matchers& matchers) override {
    if (store_.closed()) return Status::Unavailable("storage is closed");
    size_t limit = hints ? hints->max_series : 0;
    // Only the last sample in the hinted range is wanted: the set is bounded to that range.
    const bool newest_only = hints && hints->last_sample_only;
    const Timestamp mint = newest_only ? std::max(mint_, hints->start) : mint_;
    const Timestamp maxt = newest_only ? std::min(maxt_, hints->end) : maxt_;
    TM_ASSIGN_OR_RETURN(auto sel, head_.SelectRefsForQuery(matchers, mint, maxt, limit));
    // Sorted by the encodings (no labels decoded up front) when asked; otherwise in the order
    // the postings give (ref order), which also reads the series in the order they were made.
    std::vector<uint32_t> order(sel.refs.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
    if (sorted) {
      std::sort(order.begin(), order.end(), [&sel](uint32_t a, uint32_t b) {
        return CompareEncodedLabels(sel.enc(a), sel.enc(b)) < 0;
      });
    }
    return std::unique_ptr<SeriesSet>(std::make_unique<TsdbSeriesSet>(
        head_, store_, std::move(sel), std::move(order), mint, maxt, newest_only));
  }

  Result<std::vector<std::string>> LabelNames(const Matchers& matchers) override {
    if (store_.closed()) return Status::Unavailable("storage is closed");
    std::set<std::string, std::less<>> names;
    TM_ASSIGN_OR_RETURN(auto sets, head_.MatchingLabelSets(matchers, mint_, maxt_));
    for (const auto& enc : sets) {
      ForEachEncodedLabel(enc, [&](std::string_view n, std::string_view) {
        if (names.find(n) == names.end()) names.emplace(n);
      });
    }
    return std::vector<std::string>(names.begin(), names.end());
  }

  Result<std::vector<std::string>> LabelValues(const std::string& name,
                                               const Matchers& matchers) override {
    if (store_.closed()) return Status::Unavailable("storage is closed");
    std::set<std::string, std::less<>> values;
    TM_ASSIGN_OR_RETURN(auto sets, head_.MatchingLabelSets(matchers, mint_, maxt_));
    for (const auto& enc : sets) {
      ForEachEncodedLabel(enc, [&](std::string_view n, std::string_view v) {
        if (n == name && values.find(v) == values.end()) values.emplace(v);
      });
    }
    return std::vector<std::string>(values.begin(), values.end());
  }

 private:
  Head& head_;
  ChunkStore& store_;
  Timestamp mint_, maxt_;
};

}  // namespace

std::unique_ptr<Querier> NewTsdbQuerier(Head& head, ChunkStore& store, Timestamp mint,
                                        Timestamp maxt) {
  return std::make_unique<TsdbQuerier>(head, store, mint, maxt);
}

}  // namespace tidemark::tsdb
