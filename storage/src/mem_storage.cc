// An in-memory Storage with the same append and query semantics as the RocksDB store; for tests
// and the promql-test runner.
#include <algorithm>
#include <atomic>
#include <bit>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <unordered_map>

#include "tidemark/storage/storage.h"

namespace tidemark {
namespace {

// A series' samples are shared with the sets and iterators that read them, and copied before a
// write when a reader still holds them: a query takes no copy of what it reads.
using SampleVector = std::vector<Sample>;  // sorted by t, unique t

// The first sample of [first, last) at or after t.
SampleVector::const_iterator FirstAtOrAfter(SampleVector::const_iterator first,
                                            SampleVector::const_iterator last, Timestamp t) {
  return std::lower_bound(first, last, t, [](const Sample& a, Timestamp x) { return a.t < x; });
}

struct MemSeries {
  Labels labels;
  std::shared_ptr<SampleVector> samples = std::make_shared<SampleVector>();

  // The samples, about to be changed (REQUIRES the store's exclusive lock, under which no reader
  // takes a new reference).
  SampleVector& Mutable() {
    if (samples.use_count() > 1) {
      samples = std::make_shared<SampleVector>(*samples);
    } else {
      // use_count() is a relaxed load: order this write after a last reader's reads.
      std::atomic_thread_fence(std::memory_order_acquire);
    }
    return *samples;
  }
};

// Iterates samples [begin, end) of a shared vector.
class VectorIterator final : public SeriesIterator {
 public:
  VectorIterator(std::shared_ptr<const SampleVector> s, size_t begin, size_t end)
      : s_(std::move(s)), i_(begin), end_(end) {}
  ValueType Next() override {
    if (started_ && i_ < end_) ++i_;
    started_ = true;
    return i_ < end_ ? ValueType::kFloat : ValueType::kNone;
  }
  ValueType Seek(Timestamp t) override {
    started_ = true;
    const auto first = s_->begin() + static_cast<ptrdiff_t>(i_);
    const auto last = s_->begin() + static_cast<ptrdiff_t>(end_);
    i_ = static_cast<size_t>(FirstAtOrAfter(first, last, t) - s_->begin());
    return i_ < end_ ? ValueType::kFloat : ValueType::kNone;
  }
  Sample At() const override { return (*s_)[i_]; }
  size_t ReadBatch(Timestamp maxt, Sample* out, size_t n, ValueType* vt) override {
    size_t k = 0;
    while (k < n && i_ < end_ && (*s_)[i_].t <= maxt) out[k++] = (*s_)[i_++];
    if (i_ >= end_) *vt = ValueType::kNone;
    return k;
  }

 private:
  std::shared_ptr<const SampleVector> s_;
  size_t i_, end_;
  bool started_ = false;
};

class VectorSeries final : public Series {
 public:
  VectorSeries(Labels l, std::shared_ptr<const SampleVector> s, size_t begin, size_t end)
      : labels_(std::move(l)), samples_(std::move(s)), begin_(begin), end_(end) {}
  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SeriesIterator> Iterator(std::unique_ptr<SeriesIterator>) const override {
    return std::make_unique<VectorIterator>(samples_, begin_, end_);
  }

 private:
  Labels labels_;
  std::shared_ptr<const SampleVector> samples_;
  size_t begin_, end_;
};

class VectorSeriesSet final : public SeriesSet {
 public:
  explicit VectorSeriesSet(std::vector<VectorSeries> s) : s_(std::move(s)) {}
  bool Next() override { return ++i_ < static_cast<ptrdiff_t>(s_.size()); }
  const Series& At() const override { return s_[i_]; }

 private:
  std::vector<VectorSeries> s_;
  ptrdiff_t i_ = -1;
};

class MemStorage;

class MemQuerier final : public Querier {
 public:
  MemQuerier(MemStorage& db, Timestamp mint, Timestamp maxt) : db_(db), mint_(mint), maxt_(maxt) {}
  Result<std::unique_ptr<SeriesSet>> Select(bool sorted, const SelectHints* hints,
                                            const Matchers& matchers) override;
  Result<std::vector<std::string>> LabelNames(const Matchers& matchers) override;
  Result<std::vector<std::string>> LabelValues(const std::string& name,
                                               const Matchers& matchers) override;

 private:
  MemStorage& db_;
  Timestamp mint_, maxt_;
};

class MemStorage final : public Storage {
 public:
  explicit MemStorage(int64_t ooo_window) : ooo_window_(ooo_window) {}

  Result<std::unique_ptr<Querier>> NewQuerier(Timestamp mint, Timestamp maxt) override {
    return std::unique_ptr<Querier>(std::make_unique<MemQuerier>(*this, mint, maxt));
  }
  std::unique_ptr<Appender> NewAppender() override;
  Status Close() override { return Status::OK(); }
  Status Flush() override { return Status::OK(); }
  Status Compact(CompactScope) override { return Status::OK(); }
  Status EnforceRetention() override { return Status::OK(); }
  Status DeleteSeries(const Matchers& matchers, Timestamp mint, Timestamp maxt) override {
    std::unique_lock lock(mu_);
    changes_.NoteChange();  // readers wait for the lock, so none sees the old data after this
    for (auto it = series_.begin(); it != series_.end();) {
      if (MatchesAll(it->first, matchers)) {
        std::erase_if(it->second.Mutable(),
                      [&](const Sample& s) { return s.t >= mint && s.t <= maxt; });
        if (it->second.samples->empty()) {
          it = series_.erase(it);
          continue;
        }
      }
      ++it;
    }
    return Status::OK();
  }
  StorageStats Stats(size_t /*top_n*/ = kDefaultStatsTopN) override {
    std::shared_lock lock(mu_);
    StorageStats st;
    st.num_series = st.head_series = series_.size();
    st.num_samples_appended = appended_;
    st.rejected_out_of_order = rejected_ooo_;
    st.rejected_duplicate = rejected_dup_;
    st.rejected_invalid = rejected_invalid_;
    return st;
  }
  StateStore& State() override { return *state_; }

  // Checks one sample against stored state; OK, or the reason it would be rejected.
  // Sets *noop when it is an exact duplicate.
  Status Check(const Labels& l, const Sample& s, bool* noop) {
    *noop = false;
    auto it = series_.find(l);
    if (it == series_.end() || it->second.samples->empty()) return Status::OK();
    const SampleVector& v = *it->second.samples;
    if (s.t > v.back().t) return Status::OK();
    if (s.t < v.back().t - ooo_window_) {
      ++rejected_ooo_;
      return Status::OutOfRange("out of bounds: sample at " + std::to_string(s.t) +
                                " is older than the out-of-order window allows for series " +
                                l.ToString());
    }
    auto pos = FirstAtOrAfter(v.begin(), v.end(), s.t);
    if (pos != v.end() && pos->t == s.t) {
      if (std::bit_cast<uint64_t>(pos->v) == std::bit_cast<uint64_t>(s.v)) {
        *noop = true;
        return Status::OK();
      }
      ++rejected_dup_;
      return Status::AlreadyExists("duplicate sample for timestamp " + std::to_string(s.t) +
                                   " with a different value for series " + l.ToString());
    }
    return Status::OK();
  }

  // A series the store or the batch (`staged_new`) has is not limited; a new one counts against
  // both (linearly: this store is for tests and demos).
  Status CheckLimits(const Labels& l, const SeriesLimits& limits,
                     const std::set<Labels>& staged_new) const {
    if (limits.max_series == 0 && limits.max_series_per_metric == 0) return Status::OK();
    if (series_.count(l) != 0 || staged_new.count(l) != 0) return Status::OK();
    if (limits.max_series > 0 && series_.size() + staged_new.size() >= limits.max_series) {
      return SeriesLimitError(false, limits.max_series, l);
    }
    if (limits.max_series_per_metric > 0) {
      size_t n = 0;
      for (const auto& [k, ms] : series_) n += k.MetricName() == l.MetricName() ? 1 : 0;
      for (const Labels& k : staged_new) n += k.MetricName() == l.MetricName() ? 1 : 0;
      if (n >= limits.max_series_per_metric) return SeriesLimitError(true, limits.max_series_per_metric, l);
    }
    return Status::OK();
  }

  void Insert(const Labels& l, const Sample& s) {
    auto& ms = series_[l];
    if (ms.labels.empty()) ms.labels = l;
    const SampleVector& cur = *ms.samples;
    auto at = FirstAtOrAfter(cur.begin(), cur.end(), s.t);
    if (at != cur.end() && at->t == s.t) return;
    const auto offset = at - cur.begin();
    SampleVector& v = ms.Mutable();
    v.insert(v.begin() + offset, s);
    ++appended_;
  }

  std::shared_mutex mu_;
  std::map<Labels, MemSeries> series_;
  int64_t ooo_window_;
  uint64_t appended_ = 0, rejected_ooo_ = 0, rejected_dup_ = 0, rejected_invalid_ = 0;
  std::unique_ptr<StateStore> state_ = NewMemStateStore();
};

class MemAppender final : public Appender {
 public:
  explicit MemAppender(MemStorage& db) : db_(db) {}
  Result<SeriesRef> Append(SeriesRef, const Labels& labels, const SampleIn& in,
                           const AppendOptions& opts) override {
    if (!opts.skip_validation) {
      Status st = ValidateLabels(labels);
      if (!st.ok()) {
        std::unique_lock lock(db_.mu_);
        ++db_.rejected_invalid_;
        return st;
      }
    }
    Sample s{in.t, in.v};
    {
      std::unique_lock lock(db_.mu_);
      TM_RETURN_IF_ERROR(db_.CheckLimits(labels, opts.limits, staged_new_));
      bool noop = false;
      TM_RETURN_IF_ERROR(db_.Check(labels, s, &noop));
      if (noop) return SeriesRef{1};
      if (opts.limits.max_series > 0 || opts.limits.max_series_per_metric > 0) {
        if (db_.series_.count(labels) == 0) staged_new_.insert(labels);
      }
    }
    // A staged sample that conflicts with an earlier staged one in this batch.
    uint64_t key = labels.Hash() ^ (static_cast<uint64_t>(s.t) * 0x9e3779b97f4a7c15ULL);
    auto [lo, hi] = staged_index_.equal_range(key);
    for (auto it = lo; it != hi; ++it) {
      const auto& [l, p] = staged_[it->second];
      if (p.t == s.t && l == labels) {
        if (std::bit_cast<uint64_t>(p.v) == std::bit_cast<uint64_t>(s.v)) return SeriesRef{1};
        return Status::AlreadyExists("duplicate sample for timestamp " + std::to_string(s.t) +
                                     " with a different value for series " + labels.ToString());
      }
    }
    staged_index_.emplace(key, staged_.size());
    staged_.emplace_back(labels, s);
    return SeriesRef{1};
  }
  Status Commit() override {
    std::unique_lock lock(db_.mu_);
    Timestamp oldest = kMaxTimestamp;
    for (const auto& [l, s] : staged_) {
      db_.Insert(l, s);
      oldest = std::min(oldest, s.t);
    }
    // Under the lock, so a reader either sees these samples or reads the generation after this.
    if (!staged_.empty()) db_.Changes().NoteAppend(oldest);
    Rollback().IgnoreError();  // clears what was staged
    return Status::OK();
  }
  Status Rollback() override {
    staged_.clear();
    staged_index_.clear();
    staged_new_.clear();
    return Status::OK();
  }

 private:
  MemStorage& db_;
  std::vector<std::pair<Labels, Sample>> staged_;
  std::unordered_multimap<uint64_t, size_t> staged_index_;  // (labels, t) hash → staged_ index
  std::set<Labels> staged_new_;  // series this batch creates (kept only when limits are set)
};

std::unique_ptr<Appender> MemStorage::NewAppender() { return std::make_unique<MemAppender>(*this); }

Result<std::unique_ptr<SeriesSet>> MemQuerier::Select(bool, const SelectHints* hints,
                                                      const Matchers& matchers) {
  std::shared_lock lock(db_.mu_);
  std::vector<VectorSeries> out;
  for (const auto& [l, ms] : db_.series_) {
    if (!MatchesAll(l, matchers)) continue;
    const SampleVector& v = *ms.samples;
    auto lo = FirstAtOrAfter(v.begin(), v.end(), mint_);
    auto hi = std::upper_bound(v.begin(), v.end(), maxt_,
                               [](Timestamp t, const Sample& a) { return t < a.t; });
    if (lo >= hi) continue;
    out.emplace_back(l, ms.samples, static_cast<size_t>(lo - v.begin()),
                     static_cast<size_t>(hi - v.begin()));
    if (hints && hints->max_series && out.size() > hints->max_series) {
      return Status::ResourceExhausted("selector matches more than " +
                                       std::to_string(hints->max_series) + " series");
    }
  }
  return std::unique_ptr<SeriesSet>(std::make_unique<VectorSeriesSet>(std::move(out)));
}

Result<std::vector<std::string>> MemQuerier::LabelNames(const Matchers& matchers) {
  std::shared_lock lock(db_.mu_);
  std::set<std::string> names;
  for (const auto& [l, ms] : db_.series_) {
    if (!MatchesAll(l, matchers)) continue;
    bool in_range = std::any_of(ms.samples->begin(), ms.samples->end(),
                                [&](const Sample& s) { return s.t >= mint_ && s.t <= maxt_; });
    if (!in_range) continue;
    for (const auto& lb : l) names.insert(lb.name);
  }
  return std::vector<std::string>(names.begin(), names.end());
}

Result<std::vector<std::string>> MemQuerier::LabelValues(const std::string& name,
                                                         const Matchers& matchers) {
  std::shared_lock lock(db_.mu_);
  std::set<std::string> values;
  for (const auto& [l, ms] : db_.series_) {
    if (!MatchesAll(l, matchers)) continue;
    std::string_view v = l.Get(name);
    if (v.empty()) continue;
    bool in_range = std::any_of(ms.samples->begin(), ms.samples->end(),
                                [&](const Sample& s) { return s.t >= mint_ && s.t <= maxt_; });
    if (in_range) values.insert(std::string(v));
  }
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace

std::unique_ptr<Storage> NewMemStorage(int64_t out_of_order_window_ms) {
  return std::make_unique<MemStorage>(out_of_order_window_ms);
}

}  // namespace tidemark
