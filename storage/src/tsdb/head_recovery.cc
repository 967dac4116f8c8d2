// Open-time recovery: the active series' registry and postings from RocksDB, chunk partitions,
// then the head log replayed into the head (skipping what the head marks say is persisted).
#include <algorithm>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tsdb/keys.h"
#include "tsdb/label_codec.h"
#include "tsdb/head.h"

namespace tidemark::tsdb {

// Loads the active series only: those whose persisted data reaches into the last
// series_inactive_after_ms before the newest persisted sample (decided from the head marks, one
// small record per series). Series with head-log data are loaded by ReplayHeadLog as it meets
// them; the rest stay in RocksDB until an append, query or delete needs them.
Status Head::LoadSeries() {
  {
    TM_ASSIGN_OR_RETURN(SeriesRef last, store_.LastSeriesRef());
    if (last != 0) next_ref_ = last + 1;
    // Stores written before next_series_ref existed have only their series keys to go by.
    next_ref_ = std::max<SeriesRef>(next_ref_, persisted_next_ref_);
  }
  const bool any_series = next_ref_ > 1;
  Timestamp newest = kMinTimestamp;
  uint64_t max_mark_seq = 0;
  // Every series with persisted data counts as inactive until loaded (InsertLoadedLocked).
  inactive_series_ = 0;
  TM_RETURN_IF_ERROR(store_.ForEachHeadMark([&](SeriesRef, const HeadMark& m) {
    newest = std::max(newest, m.persisted_max);
    max_mark_seq = std::max(max_mark_seq, m.seq);
    if (m.persisted_min <= m.persisted_max) {
      ++inactive_series_;
      inactive_min_t_ = std::min(inactive_min_t_, m.persisted_min);
    }
    return Status::OK();
  }));
  // New head-log records must not sort before any mark, resident or not (ReplayHeadLog).
  next_seq_ = std::max(next_seq_, max_mark_seq);
  if (newest > global_max_t_.load()) global_max_t_.store(newest);
  const int64_t after = opts_.series_inactive_after_ms;
  const bool all = after <= 0 || newest <= kMinTimestamp + after;
  const Timestamp active_from = all ? kMinTimestamp : newest - after;
  std::vector<std::pair<SeriesRef, HeadMark>> load;
  Timestamp inactive_max = kMinTimestamp;
  TM_RETURN_IF_ERROR(store_.ForEachHeadMark([&](SeriesRef ref, const HeadMark& m) {
    if (all || m.persisted_max >= active_from) {
      load.emplace_back(ref, m);
    } else {
      inactive_max = std::max(inactive_max, m.persisted_max);
    }
    return Status::OK();
  }));
  if (all) {
    // Every series resident (eviction off): one scan of the series family.
    std::unordered_map<SeriesRef, HeadMark> marks(load.begin(), load.end());
    TM_RETURN_IF_ERROR(store_.ForEachSeries([&](PersistedSeries&& p) {
      auto mit = marks.find(p.ref);
      if (mit != marks.end()) {
        p.has_mark = true;
        p.mark = mit->second;
      }
      InsertLoadedLocked(std::move(p));
      return Status::OK();
    }));
  } else {
    for (const auto& [ref, m] : load) {
      PersistedSeries p;
      TM_ASSIGN_OR_RETURN(bool found, store_.ReadSeries(ref, true, &p));
      if (found) InsertLoadedLocked(std::move(p));
    }
    // Whatever was not loaded (old series, series without data) is found in RocksDB on demand.
    if (any_series) has_inactive_.store(true);
    inactive_max_t_.store(inactive_max);
  }
  // Replay continues counting each series' head-log samples from its mark.
  for (const auto& [ref, m] : load) {
    if (HeadSeries* s = SeriesByRefLocked(ref)) {
      s->cur_seq = m.seq;
      s->cur_ord = m.ord;
    }
  }
  return Status::OK();
}

Status Head::Recover() {
  std::lock_guard lock(commit_mu_);
  TM_RETURN_IF_ERROR(ReplayHeadLog());
  return TruncateHead(false);
}

Status Head::ReplayHeadLog() {
  // A series' mark (seq, ord) says: its samples in records before seq, and its first ord samples
  // in record seq, are persisted. cur_seq/cur_ord hold the mark until replay passes it.
  struct Mark {
    uint64_t seq, ord;
  };
  std::unordered_map<SeriesRef, Mark> marks;
  uint64_t max_mark_seq = 0;
  for (size_t r = 0; r < series_.size(); ++r) {
    if (!series_[r]) continue;
    marks[r] = {series_[r]->cur_seq, series_[r]->cur_ord};
    max_mark_seq = std::max(max_mark_seq, series_[r]->cur_seq);
    series_[r]->cur_seq = 0;
  }
  // A series not loaded by LoadSeries (inactive by its mark) is loaded when a record names it.
  std::unordered_map<SeriesRef, bool> absent;  // refs without a series record: dropped
  Status load;
  auto resolve = [&](SeriesRef ref) -> HeadSeries* {
    if (HeadSeries* s = SeriesByRefLocked(ref)) return s;
    if (!load.ok() || absent.count(ref) != 0) return nullptr;
    PersistedSeries p;
    auto found = store_.ReadSeries(ref, true, &p);
    if (!found.ok()) {
      load = found.status();
      return nullptr;
    }
    if (!*found) {
      absent[ref] = true;
      return nullptr;
    }
    marks[ref] = {p.mark.seq, p.mark.ord};  // zero when it has no mark
    max_mark_seq = std::max(max_mark_seq, p.mark.seq);
    return InsertLoadedLocked(std::move(p));
  };
  uint64_t last_seq = 0;
  // Records below replay_from are kept only for commit-log readers: all in chunks already.
  TM_ASSIGN_OR_RETURN(const uint64_t replay_from, store_.HeadLogReplayFrom());
  truncated_below_ = replay_from;
  Status replay = store_.ForEachHeadLogRecord(replay_from, [&](uint64_t seq, std::string_view record) {
    last_seq = seq;
    Timestamp batch_max = kMinTimestamp;
    TM_RETURN_IF_ERROR(DecodeHeadLogRecord(record, [&](const LoggedSample& ls) {
      HeadSeries* s = resolve(ls.ref);
      if (!s) return;  // series dropped by retention after its data was persisted
      if (s->cur_seq != seq) {
        s->cur_seq = seq;
        s->cur_ord = 0;
      }
      const Mark& m = marks[ls.ref];  // inserted by resolve() at the latest
      if (seq < m.seq || (seq == m.seq && s->cur_ord < m.ord)) {
        ++s->cur_ord;  // already in a persisted chunk
        return;
      }
      ApplyOne(s, seq, ls.t, ls.v);
      if (ls.t > batch_max) batch_max = ls.t;
    }));
    TM_RETURN_IF_ERROR(load);
    if (batch_max > global_max_t_.load()) global_max_t_.store(batch_max);
    if (sealed_.size() > 4096) return WriteSeals();
    return Status::OK();
  });
  TM_RETURN_IF_ERROR(replay);
  // New records must not sort before a mark, or replay would take them for persisted ones.
  // Nor before a commit-log reader's cursor (its log may have been cut to nothing).
  const uint64_t hold = log_hold_.load();
  next_seq_ = std::max({next_seq_, last_seq + 1, max_mark_seq,
                        hold == kNoLogHold ? uint64_t{0} : hold});
  last_seq_.store(next_seq_ - 1);
  // Samples re-applied during recovery were appended before this open.
  appended_.store(0);
  return WriteSeals();
}

}  // namespace tidemark::tsdb
