// The store's Appender: validates and checks samples as they are staged, commits them at once.
#include "tsdb/tsdb_appender.h"

#include <algorithm>
#include <bit>

#include "tsdb/label_codec.h"

namespace tidemark::tsdb {
namespace {

class TsdbAppender final : public Appender {
 public:
  TsdbAppender(Head& head, ChunkStore& store, ChangeTracker& changes)
      : head_(head), store_(store), changes_(changes) {}

  Result<SeriesRef> Append(SeriesRef hint, const Labels& labels, const SampleIn& in,
                           const AppendOptions& opts) override {
    if (store_.closed()) return Status::Unavailable("storage is closed");
    if (!opts.skip_validation) {
      Status st = ValidateLabels(labels);
      if (!st.ok()) {
        head_.CountRejected(st.code());
        return st;
      }
    }
    SeriesRef ref = 0;
    CheckResult r = head_.ResolveAndCheck(hint, labels, in.t, in.v, &ref, opts.limits);
    if (r == CheckResult::kCheckDisk) {
      auto found = store_.FindSample(ref, in.t);
      if (!found.ok()) return found.status();
      r = !found->has_value() ? CheckResult::kAccept
          : SameBits(**found, in.v) ? CheckResult::kDuplicate
                                    : CheckResult::kConflict;
    }
    switch (r) {
      case CheckResult::kDuplicate:
        return ref;
      case CheckResult::kTooOld:
        head_.CountRejected(StatusCode::kOutOfRange);
        return Status::OutOfRange("out of bounds: sample at " + std::to_string(in.t) +
                                  " is older than the out-of-order window allows for series " +
                                  labels.ToString());
      case CheckResult::kConflict:
        return Conflict(in.t, labels);
      case CheckResult::kIoError:
        return Status::Unavailable("storage: cannot look up series " + labels.ToString());
      case CheckResult::kSeriesLimit:
        return SeriesLimitError(false, opts.limits.max_series, labels);
      case CheckResult::kMetricSeriesLimit:
        return SeriesLimitError(true, opts.limits.max_series_per_metric, labels);
      default:
        break;
    }
    if (Stage(ref, in) == StageResult::kConflict) return Conflict(in.t, labels);
    return ref;
  }

  size_t AppendExisting(std::span<const SeriesViewIn> items, size_t* partial,
                        SeriesRef* refs) override {
    *partial = 0;
    if (store_.closed()) return 0;
    checks_.clear();
    head_.ResolveExistingRun(items, &checks_);
    size_t next = 0;  // entry in checks_ for the current sample
    for (size_t i = 0; i < items.size(); ++i) {
      SeriesRef ref = 0;
      for (const SampleIn& in : items[i].samples) {
        // Entries end early only at a sample that is not appended (or past an earlier one).
        if (next == checks_.size()) return i;
        const Head::ExistingCheck& c = checks_[next++];
        if (c.ref == 0) return i;
        if (c.result == CheckResult::kAccept) {
          if (Stage(c.ref, in) == StageResult::kConflict) return i;
        } else if (c.result != CheckResult::kDuplicate) {
          return i;  // Append() reports (and counts) the rejection
        }
        ++*partial;
        ref = c.ref;
      }
      *partial = 0;
      if (refs) refs[i] = ref;
    }
    return items.size();
  }

  Status Commit() override {
    Timestamp oldest = kMaxTimestamp;
    for (const LoggedSample& s : staged_) oldest = std::min(oldest, s.t);
    Status st = head_.CommitSamples(staged_);
    // Also after an error: the samples may have been applied before it.
    if (!staged_.empty()) changes_.NoteAppend(oldest);
    Reset();
    return st;
  }

  Status Rollback() override {
    Reset();
    return Status::OK();
  }

 private:
  struct Slot {
    SeriesRef ref = 0;  // 0 = empty (refs start at 1)
    Timestamp last_t = 0;
  };

  enum class StageResult { kStaged, kDuplicate, kConflict };

  // Stages an accepted sample unless this batch already holds one at the same time. A series'
  // samples normally arrive in increasing time, so only a sample not newer than the series' last
  // staged one needs the (linear) look for a staged twin.
  StageResult Stage(SeriesRef ref, const SampleIn& in) {
    Slot& slot = FindSlot(ref);
    if (slot.ref == ref && in.t <= slot.last_t) {
      for (auto it = staged_.rbegin(); it != staged_.rend(); ++it) {
        if (it->ref != ref || it->t != in.t) continue;
        return SameBits(it->v, in.v) ? StageResult::kDuplicate : StageResult::kConflict;
      }
    }
    if (slot.ref != ref) {
      slot.ref = ref;
      slot.last_t = in.t;
      ++used_;
    } else if (in.t > slot.last_t) {
      slot.last_t = in.t;
    }
    staged_.push_back({ref, in.t, in.v});
    return StageResult::kStaged;
  }

  static bool SameBits(double a, double b) {
    return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
  }

  Status Conflict(Timestamp t, const Labels& labels) {
    head_.CountRejected(StatusCode::kAlreadyExists);
    return Status::AlreadyExists("duplicate sample for timestamp " + std::to_string(t) +
                                 " with a different value for series " + labels.ToString());
  }

  // Open-addressing table ref -> last staged time, reused across batches (no per-sample
  // allocation once warm). Returns the slot holding `ref` or the empty slot to claim.
  Slot& FindSlot(SeriesRef ref) {
    if ((used_ + 1) * 2 > slots_.size()) Grow();
    size_t mask = slots_.size() - 1;
    size_t i = ((ref * 0x9E3779B97F4A7C15ULL) >> 20) & mask;
    while (slots_[i].ref != 0 && slots_[i].ref != ref) i = (i + 1) & mask;
    return slots_[i];
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 256 : old.size() * 2, Slot{});
    used_ = 0;
    for (const Slot& s : old) {
      if (s.ref == 0) continue;
      Slot& n = FindSlot(s.ref);
      n = s;
      ++used_;
    }
  }

  void Reset() {
    staged_.clear();
    if (used_ > 0) std::fill(slots_.begin(), slots_.end(), Slot{});
    used_ = 0;
  }

  Head& head_;
  ChunkStore& store_;
  ChangeTracker& changes_;
  std::vector<LoggedSample> staged_;
  std::vector<Head::ExistingCheck> checks_;  // reused by AppendExisting
  std::vector<Slot> slots_;
  size_t used_ = 0;
};

}  // namespace

std::unique_ptr<Appender> NewTsdbAppender(Head& head, ChunkStore& store, ChangeTracker& changes) {
  return std::make_unique<TsdbAppender>(head, store, changes);
}

}  // namespace tidemark::tsdb
