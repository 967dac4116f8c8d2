// Commit path: one atomic WriteBatch per commit (new series + one head-log record), then the
// samples are applied to the head; chunks cut meanwhile are persisted with their head marks.
#include <algorithm>

#include "tsdb/keys.h"
#include "tsdb/label_codec.h"
#include "tsdb/head.h"

namespace tidemark::tsdb {
Status Head::CommitSamples(const std::vector<LoggedSample>& staged) {
  if (staged.empty()) return Status::OK();
  std::lock_guard lock(commit_mu_);
  if (store_.closed()) return Status::Unavailable("storage is closed");
  // Chunks and marks a failed write left behind (disk full) are written before anything new:
  // until they are, their samples are only in the head log, and this commit is refused with the
  // same (retryable) error rather than piling more onto a store that cannot write.
  TM_RETURN_IF_ERROR(WriteSeals());

  // Resolve refs once. Pointers stay valid: dropping or evicting a series needs commit_mu_,
  // which we hold. A ref staged before its series was evicted is loaded back (second attempt).
  ChunkStore::Batch batch(store_);
  std::vector<SeriesRef> missing;
  for (int attempt = 0;; ++attempt) {
    resolved_.clear();
    newly_persisted_.clear();
    batch.Clear();
    missing.clear();
    {
      std::shared_lock ilock(index_mu_);
      for (size_t i = 0; i < staged.size(); ++i) {
        const LoggedSample& s = staged[i];
        // Two-stage prefetch (the registry slot, then the series it points to): see below.
        if (i + 16 < staged.size() && staged[i + 16].ref < series_.size()) {
          __builtin_prefetch(&series_[staged[i + 16].ref]);
        }
        if (i + 8 < staged.size()) {
          if (const HeadSeries* p = SeriesByRefLocked(staged[i + 8].ref)) {
            for (size_t off = 0; off < sizeof(HeadSeries); off += 64) {
              __builtin_prefetch(reinterpret_cast<const char*>(p) + off);
            }
          }
        }
        HeadSeries* hs = SeriesByRefLocked(s.ref);
        if (!hs) {
          missing.push_back(s.ref);
          continue;
        }
        resolved_.push_back(hs);
        if (!hs->persisted) {
          hs->persisted = true;  // provisionally; undone if the write fails
          newly_persisted_.push_back(hs);
        }
      }
    }
    if (missing.empty()) break;
    for (HeadSeries* p : newly_persisted_) p->persisted = false;
    if (attempt > 0) {
      return Status::Unavailable("series " + std::to_string(missing.front()) +
                                 " was removed by retention while staged; retry the batch");
    }
    std::sort(missing.begin(), missing.end());
    missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
    TM_RETURN_IF_ERROR(LoadRefs(missing));
  }
  if (!newly_persisted_.empty()) {
    std::vector<ChunkStore::Batch::NewSeries> rows;
    rows.reserve(newly_persisted_.size());
    for (const HeadSeries* hs : newly_persisted_) {
      rows.push_back({hs->ref(), hs->hash(), hs->labels_enc()});
    }
    batch.PutSeries(rows);
  }
  uint64_t next_ref = persisted_next_ref_;
  for (const HeadSeries* hs : newly_persisted_) next_ref = std::max<uint64_t>(next_ref, hs->ref() + 1);
  if (next_ref != persisted_next_ref_) batch.PutNextSeriesRef(next_ref);
  const uint64_t seq = next_seq_;
  EncodeHeadLogRecord(staged.data(), staged.size(), &record_buf_);
  batch.PutHeadLog(seq, record_buf_);
  Status ws = store_.Write(&batch, opts_.sync == SyncPolicy::kFsyncBatch, "storage: commit");
  if (!ws.ok()) {
    for (HeadSeries* hs : newly_persisted_) hs->persisted = false;
    return ws;
  }
  persisted_next_ref_ = next_ref;
  ++next_seq_;
  last_seq_.store(seq, std::memory_order_release);

  // The head is far larger than the caches and a remote-write batch touches each series once:
  // fetch each series' open chunk a few samples ahead so the misses overlap (the series
  // structs were fetched by the resolve loop above).
  constexpr size_t kAhead = 8;
  const size_t n = staged.size();
  Timestamp batch_max = kMinTimestamp;
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead / 2 < n) __builtin_prefetch(resolved_[i + kAhead / 2]->open_data());
    ApplyOne(resolved_[i], seq, staged[i].t, staged[i].v);
    batch_max = std::max(batch_max, staged[i].t);
  }
  Timestamp g = global_max_t_.load();
  while (batch_max > g && !global_max_t_.compare_exchange_weak(g, batch_max)) {
  }
  // The batch is durable (head log) and applied from here on, so it is acknowledged even when
  // what follows fails: a failed chunk write keeps its chunks pending (queries read them from
  // memory, the head log keeps their samples) and the next commit or truncation retries it.
  if (!WriteSeals().ok()) return Status::OK();
  if (++commits_since_truncate_ >= kTruncateEveryCommits && TruncateHead(false).ok()) {
    commits_since_truncate_ = 0;
  }
  return Status::OK();
}

void Head::ApplyOne(HeadSeries* s, uint64_t seq, Timestamp t, double v) {
  std::lock_guard lock(StripeFor(s->ref()));
  if (s->cur_seq != seq) {
    s->cur_seq = seq;
    s->cur_ord = 0;
  }
  const uint64_t ord = s->cur_ord++;
  const bool had_head = s->has_head();
  bool mark = false;
  bool added = s->Apply(t, v, &cut_, &mark);
  if (!cut_.empty()) PublishCuts();
  if (mark) marks_.push_back({s->ref(), seq, ord});
  if (added && (!had_head || mark)) s->first_seq = seq;
  if (added) appended_.fetch_add(1, std::memory_order_relaxed);
}

void Head::PublishCuts() {
  std::lock_guard lock(sealed_mu_);
  for (auto& c : cut_) sealed_.push_back(std::move(c));
  cut_.clear();
}

Status Head::WriteSeals() {
  if (sealed_.empty() && marks_.empty()) return Status::OK();
  ChunkStore::Batch batch(store_);
  for (const auto& c : sealed_) {
    batch.AddChunk(c.ref, c.mint, c.maxt, static_cast<uint8_t>(c.encoding), c.bytes, true);
  }
  for (const auto& m : marks_) {
    // A mark left pending by a failed write may name a series dropped since.
    const HeadSeries* s = SeriesByRefLocked(m.ref);
    if (!s) continue;
    HeadMark hm;
    hm.seq = m.seq;
    hm.ord = m.ord;
    {
      std::lock_guard lock(StripeFor(m.ref));
      hm.persisted_min = s->persisted_min();
      hm.persisted_max = s->persisted_max();
    }
    batch.PutHeadMark(m.ref, hm);
  }
  batch.PutNextChunkId();
  store_.AddPartitions(batch.partitions());
  // Not synced even under kFsyncBatch: the head log still holds these samples until a later
  // (ordered-after) delete, and WAL recovery is prefix-consistent.
  TM_RETURN_IF_ERROR(store_.Write(&batch, false, "storage: write chunks"));
  {
    std::lock_guard lock(sealed_mu_);  // only now may queries stop reading them from here
    sealed_.clear();
  }
  marks_.clear();
  return Status::OK();
}

Status Head::TruncateHead(bool all) {
  const uint64_t lag_limit = next_seq_ > kMaxHeadLogLagRecords ? next_seq_ - kMaxHeadLogLagRecords : 0;
  const Timestamp idle_before = global_max_t_.load() - kIdleSealMs;
  uint64_t min_needed = next_seq_;
  TruncationListener* const listener =
      truncation_listener_ != nullptr && truncation_listener_->BeginTruncation()
          ? truncation_listener_
          : nullptr;
  {
    std::shared_lock ilock(index_mu_);
    for (const auto& sp : series_) {
      HeadSeries* s = sp.get();
      if (!s) continue;
      {
        std::lock_guard lock(StripeFor(s->ref()));
        if (s->has_head()) {
          if (all || s->first_seq < lag_limit || s->head_max_time() < idle_before) {
            s->SealAll(&cut_);
            PublishCuts();
            // Everything applied so far (every record before next_seq_) is now persisted.
            marks_.push_back({s->ref(), next_seq_, 0});
          } else {
            min_needed = std::min(min_needed, s->first_seq);
          }
        }
        // In the same pass, so a head of a million series is walked once per truncation.
        if (listener) listener->VisitSeries(s);
      }
      // Sealing a million series at once would otherwise build one huge batch in memory.
      if (marks_.size() >= kMaxSealsPerBatch) TM_RETURN_IF_ERROR(WriteSeals());
    }
  }
  TM_RETURN_IF_ERROR(WriteSeals());
  if (listener) listener->EndTruncation();
  // Commit-log readers (the remote-write sender) keep what they have not consumed; replay
  // then starts past it, since those records' samples are all in chunks.
  const uint64_t hold = log_hold_.load();
  if (min_needed > truncated_below_) {
    if (hold < min_needed) {
      TM_RETURN_IF_ERROR(store_.PutHeadLogReplayFrom(min_needed, "storage: head log replay start"));
    }
    truncated_below_ = min_needed;
  }
  const uint64_t delete_below = std::min(truncated_below_, hold);
  if (delete_below > deleted_below_) {
    TM_RETURN_IF_ERROR(store_.DeleteHeadLogBelow(delete_below, "storage: truncate head log"));
    deleted_below_ = delete_below;
  }
  return Status::OK();
}

}  // namespace tidemark::tsdb
