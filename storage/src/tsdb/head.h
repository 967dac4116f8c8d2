// The head: the in-memory series registry (hash table, postings, lock stripes), each series' open
// chunk, the head log and the commit path. Everything persisted goes through the ChunkStore.
//
// Concurrency: lock order is commit_mu_ -> index_mu_ -> a series' lock stripe. Appenders stage
// under index_mu_ (shared) and the stripe; Commit serialises on commit_mu_ (RocksDB serialises
// writes anyway), writes ONE batch, then applies the samples to the head in commit order.
// Queries copy head state under the stripes, then read persisted chunks from the ChunkStore.
// The services (compaction, retention, deletion) take commit_mutex() before changing chunks.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "tidemark/storage/storage.h"
#include "tsdb/chunk_reader.h"
#include "tsdb/chunk_store.h"
#include "tsdb/head_log.h"
#include "tsdb/head_series.h"
#include "tsdb/postings_index.h"
#include "tsdb/series_hash_table.h"

namespace tidemark::tsdb {

// Head-log truncation runs every this many commits: often enough that the head log stays near
// the size of the head, rarely enough that its O(series) scan is noise.
inline constexpr uint64_t kTruncateEveryCommits = 256;
// A series whose oldest head sample is this many commits old is cut even if its chunk is not
// full, so one slow series cannot pin the whole head log.
inline constexpr uint64_t kMaxHeadLogLagRecords = 1 << 16;
// A series that received nothing for this long (in sample time, against the newest sample in
// the store) has its head cut and persisted.
inline constexpr int64_t kIdleSealMs = 3600 * 1000;
inline constexpr size_t kLockStripes = 1024;
// No commit-log reader holds the head log (Head::SetLogHold).
inline constexpr uint64_t kNoLogHold = ~uint64_t{0};
// Head truncation writes the chunks it cuts in batches of at most this many series.
inline constexpr size_t kMaxSealsPerBatch = 16384;

class Head {
 public:
  // Sees every head truncation (the eviction service, eviction.h). All calls hold the commit
  // lock; VisitSeries also holds the index lock (shared) and the series' stripe.
  class TruncationListener {
   public:
    virtual ~TruncationListener() = default;
    // Before the pass over the resident series; false skips VisitSeries for this truncation.
    virtual bool BeginTruncation() = 0;
    // Each resident series once the pass has cut its head or kept it (`s` stays valid while
    // the commit lock is held).
    virtual void VisitSeries(HeadSeries* s) = 0;
    // After the cut heads are written: nothing of a series without head data is only in the
    // head log any more.
    virtual void EndTruncation() = 0;
  };

  Head(const StorageOptions& options, ChunkStore& store);
  Head(const Head&) = delete;
  Head& operator=(const Head&) = delete;

  // ---- open (head_recovery.cc) ----
  // Loads the active series' registry and postings from the store.
  Status LoadSeries();
  // Replays the head log into the head, then truncates it.
  Status Recover();

  // ---- append side ----
  std::mutex& StripeFor(SeriesRef ref) { return stripes_[ref % kLockStripes]; }
  // Finds the series for `labels` (trying `hint` first), creating it in memory if new (it is
  // persisted by the first commit that uses it), and checks (t, v) against its committed state.
  // Labels must be valid. A series it would create beyond `limits` is not created
  // (kSeriesLimit, kMetricSeriesLimit).
  CheckResult ResolveAndCheck(SeriesRef hint, const Labels& labels, Timestamp t, double v,
                              SeriesRef* ref, const SeriesLimits& limits = {});
  struct ExistingCheck {
    SeriesRef ref = 0;
    CheckResult result = CheckResult::kAccept;
  };
  // Like ResolveAndCheck, for every sample of consecutive series whose encoded labels equal an
  // item's labels exactly; never creates one. Overlaps the series' memory lookups
  // (head_resolve_run.cc). Appends one entry per sample checked, in order, and stops after an
  // entry with ref 0 (no such series) or a result other than kAccept and kDuplicate.
  void ResolveExistingRun(std::span<const SeriesViewIn> items, std::vector<ExistingCheck>* out);
  // Makes staged samples durable and visible. `staged` is in append order.
  Status CommitSamples(const std::vector<LoggedSample>& staged);
  void CountRejected(StatusCode code);

  // ---- query side ----
  struct SelectedSeries {
    SeriesRef ref = 0;
    std::string labels_enc;
    HeadSnapshot head;
    std::vector<StoredChunk> unwritten;  // cut from the head, not yet in the store
    // Asked for the newest sample only, and the head knew it: `head.ooo` holds it when it is in
    // [mint, maxt] (else the series has no sample there); nothing else needs reading.
    bool newest_only = false;
    // The series is resident and none of its persisted chunks (written or pending) overlaps
    // [mint, maxt]: the store need not be read for it.
    bool store_empty = false;
  };
  // Series matching `matchers` that may have data in [mint, maxt] (select_stream.cc): refs (any
  // order) and their label encodings packed in one buffer; inactive series are read from the
  // persisted index when the range reaches their data.
  struct SelectedRefs {
    std::vector<SeriesRef> refs;
    std::vector<uint32_t> offsets{0};  // series i's encoding: labels[offsets[i], offsets[i+1])
    std::string labels;
    std::string_view enc(size_t i) const {
      return std::string_view(labels).substr(offsets[i], offsets[i + 1] - offsets[i]);
    }
  };
  Result<SelectedRefs> SelectRefsForQuery(const Matchers& matchers, Timestamp mint, Timestamp maxt,
                                          size_t max_series);
  // Fills the head copies and not-yet-written chunks of `batch` (refs set, any order; labels_enc
  // untouched). A series no longer in memory gets an empty head: all its data is in the store.
  // The caller reads the store only after this, so a chunk cut meanwhile is seen twice, never
  // missed.
  // `newest_only`: the caller needs only each series' last sample in [mint, maxt].
  void SnapshotHeads(std::span<SelectedSeries> batch, Timestamp mint, Timestamp maxt,
                     bool newest_only = false);
  // Label encodings of matching series with data overlapping [mint, maxt].
  Result<std::vector<std::string>> MatchingLabelSets(const Matchers& matchers, Timestamp mint,
                                                     Timestamp maxt);

  // ---- for the owner and the services ----
  // The commit lock: held by every change to the head or to persisted chunks.
  std::mutex& commit_mutex() { return commit_mu_; }
  // Newest sample time in the store (kMinTimestamp when empty).
  Timestamp max_time() const { return global_max_t_.load(); }
  // REQUIRES commit lock. Cuts lagging/idle (or all, if `all`) head series, writes them, tells
  // the truncation listener, and drops head-log records that nothing in the head needs any more.
  Status TruncateHead(bool all);
  // At most one; set before Recover (which truncates), null to remove.
  void SetTruncationListener(TruncationListener* listener) { truncation_listener_ = listener; }
  // REQUIRES commit lock and no stripe; `victims` are resident, persisted, without head data,
  // and were visited by the current truncation after its seals were written. Drops them from
  // memory (hash table, postings, registry; they stay in the store) under the index lock held
  // exclusively, and bumps the generation appenders recheck (inactive_series.cc).
  void EvictSeries(const std::vector<HeadSeries*>& victims);
  // REQUIRES commit lock. Retention after the store dropped every chunk before `kept_from`:
  // trims resident series' bounds, drops series left without data, and does the same for
  // series outside memory from their head marks.
  Status ApplyRetention(Timestamp kept_from);
  // REQUIRES commit lock. Makes matching inactive series with data in [mint, maxt] resident,
  // then cuts and persists the heads of the matching series overlapping [mint, maxt] and returns
  // them (valid while the commit lock is held).
  Result<std::vector<HeadSeries*>> SealForDeletion(const Matchers& matchers, Timestamp mint,
                                                   Timestamp maxt);
  // REQUIRES commit lock. After a deletion rewrote `s`'s chunks: its persisted bounds (and head
  // mark) from what is left.
  Status SetDeletedBounds(HeadSeries* s, Timestamp mn, Timestamp mx);
  // The append counters of the store's stats.
  void FillCounters(StorageStats* st) const;
  // Series counts, head size, time bounds and label counts (of resident series) from the index
  // (head_stats.cc).
  void FillIndexStats(StorageStats* st);
  // Some persisted series may not be resident.
  bool has_inactive() const { return has_inactive_.load(); }

  // ---- the commit log (commit_log.cc) ----
  // Head-log records at or after `from` are kept even once their samples are in chunks
  // (kNoLogHold: none are). Set before Recover to keep what readers had not consumed.
  void SetLogHold(uint64_t from) { log_hold_.store(from); }
  // The newest committed head-log record's sequence number.
  uint64_t last_seq() const { return last_seq_.load(std::memory_order_acquire); }
  // The label encoding of series `ref`, resident or not; false when it has no series record.
  Result<bool> LabelsEncOf(SeriesRef ref, std::string* enc);

 private:
  // ---- series outside memory (inactive_series.cc) ----
  // REQUIRES index_mu_ exclusive and series_[p.ref] empty. Makes a persisted series resident
  // again (indexes, bounds from its head mark); its ref is unchanged.
  HeadSeries* InsertLoadedLocked(PersistedSeries&& p);
  // REQUIRES commit_mu_. Makes the persisted series `refs` resident (those not already are);
  // refs without a series record are skipped.
  Status LoadRefs(const std::vector<SeriesRef>& refs);
  // REQUIRES commit_mu_. Retention for series not in memory: drops those whose persisted data
  // is all before `kept_from` and trims the head marks of the others.
  Status RetainInactive(Timestamp kept_from);
  // True when series outside memory (inactive ones) may have data at or after `mint`: only then
  // do queries and deletes read the persisted index.
  bool ConsultPersisted(Timestamp mint) const {
    return has_inactive_.load(std::memory_order_acquire) &&
           mint <= inactive_max_t_.load(std::memory_order_acquire);
  }
  // The hooks of ForEachSelectedSeries; an error from one stops the walk and is returned.
  // `reserve` and the resident series' `visit` run under index_mu_ (shared).
  struct SelectVisitor {
    std::function<Status(SeriesRef ref, std::string_view enc)> visit;
    std::function<void(size_t candidates)> reserve;  // optional, first: an upper bound
    std::function<Status()> resident_done;           // optional, lock released, before the store
  };
  // Visits the series matching `matchers` with data overlapping [mint, maxt]: resident ones in
  // postings order, then inactive ones read from the store (select_for_query.cc).
  Status ForEachSelectedSeries(const Matchers& matchers, Timestamp mint, Timestamp maxt,
                               const SelectVisitor& v);
  // Takes index_mu_ shared for a query starting at `mint`. When series outside memory may
  // match, *persisted is set and *on_disk holds the persisted postings for `matchers`.
  Result<std::shared_lock<std::shared_mutex>> LockIndexForQuery(const Matchers& matchers,
                                                                Timestamp mint, bool* persisted,
                                                                Postings* on_disk);

  Status ReplayHeadLog();
  // REQUIRES commit_mu_. Writes sealed_ and marks_ (one batch) and clears them.
  Status WriteSeals();
  // REQUIRES commit_mu_ and the series' stripe. Moves cut_ into sealed_.
  void PublishCuts();
  // REQUIRES commit_mu_. Applies one sample with head-mark bookkeeping.
  void ApplyOne(HeadSeries* s, uint64_t seq, Timestamp t, double v);
  // REQUIRES commit_mu_. Removes a series from every index and the store (retention GC).
  void DropSeriesLocked(HeadSeries* s, ChunkStore::Batch* batch);
  HeadSeries* SeriesByRefLocked(SeriesRef ref) const {
    return ref < series_.size() ? series_[ref].get() : nullptr;
  }

  // By ref: a mark outlives its batch when the write fails, and the series may go meanwhile.
  struct PendingMark {
    SeriesRef ref;
    uint64_t seq;
    uint64_t ord;
  };

  const StorageOptions opts_;
  ChunkStore& store_;

  mutable std::shared_mutex index_mu_;
  std::vector<std::unique_ptr<HeadSeries>> series_;  // indexed by ref; null = none/dropped
  SeriesHashTable by_hash_;
  PostingsIndex postings_;
  SeriesRef next_ref_ = 1;
  std::array<std::mutex, kLockStripes> stripes_;

  std::mutex commit_mu_;
  uint64_t next_seq_ = 1;
  uint64_t truncated_below_ = 0;  // replay needs no record below this
  uint64_t deleted_below_ = 0;    // records below this are deleted
  std::atomic<uint64_t> log_hold_{kNoLogHold};
  std::atomic<uint64_t> last_seq_{0};
  uint64_t commits_since_truncate_ = 0;
  // Chunks cut from the head and not yet written by WriteSeals. Queries read them too (under
  // sealed_mu_), so a chunk is never in neither place. Changed only under commit_mu_.
  std::vector<SealedChunk> sealed_;
  mutable std::mutex sealed_mu_;  // leaf lock: guards sealed_ against concurrent readers
  std::vector<SealedChunk> cut_;  // REQUIRES commit_mu_: scratch for one series' cuts
  std::vector<PendingMark> marks_;
  std::vector<HeadSeries*> resolved_;
  std::vector<HeadSeries*> newly_persisted_;
  // REQUIRES commit_mu_: the persisted next_series_ref (refs are never handed out twice, even
  // when retention has dropped the highest ones before a restart).
  uint64_t persisted_next_ref_ = 1;
  std::string record_buf_;
  TruncationListener* truncation_listener_ = nullptr;  // under commit_mu_

  // Series outside memory. has_inactive_: some persisted series may not be resident (set at
  // Open or on the first eviction, never cleared). inactive_max_t_: no non-resident series has
  // data after this (only grows). index_gen_: bumped under index_mu_ (exclusive) whenever series
  // leave memory or persisted series rows/marks change, so an appender that read the store
  // without the lock can tell its reading may be stale.
  std::atomic<bool> has_inactive_{false};
  std::atomic<Timestamp> inactive_max_t_{kMinTimestamp};
  std::atomic<uint64_t> index_gen_{0};
  // Non-resident series with persisted data, and a lower bound of their oldest sample (both
  // under index_mu_; Stats reports them without reading the store).
  uint64_t inactive_series_ = 0;
  Timestamp inactive_min_t_ = kMaxTimestamp;

  std::atomic<Timestamp> global_max_t_{kMinTimestamp};
  std::atomic<uint64_t> appended_{0};
  std::atomic<uint64_t> rejected_ooo_{0};
  std::atomic<uint64_t> rejected_dup_{0};
  std::atomic<uint64_t> rejected_invalid_{0};
};

}  // namespace tidemark::tsdb
