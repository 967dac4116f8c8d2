// One series in the head: identity, time bounds, the open XOR chunk and out-of-order samples.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chunk/xor_appender.h"
#include "tidemark/storage/chunk/chunk.h"
#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"
#include "tsdb/keys.h"

namespace tidemark::tsdb {

// A chunk cut from the head, ready to be written to the chunks column family.
struct SealedChunk {
  SeriesRef ref = 0;
  Timestamp mint = 0;
  Timestamp maxt = 0;
  chunk::Encoding encoding = chunk::Encoding::kXor;
  std::string bytes;
};

// What Check() decided about a sample before it is staged.
enum class CheckResult : uint8_t {
  kAccept,      // new sample
  kDuplicate,   // identical sample already in the head: a no-op
  kConflict,    // same timestamp, different value: AlreadyExists
  kTooOld,      // outside the out-of-order window: OutOfRange
  kCheckDisk,   // may collide with a persisted sample: the caller reads the chunk store
  kIoError,     // the series could not be looked up in RocksDB: Unavailable
  kSeriesLimit,        // a new series beyond SeriesLimits::max_series
  kMetricSeriesLimit,  // a new series beyond SeriesLimits::max_series_per_metric
};

// A copy of a series' head, taken under its lock, that a query reads without locks.
struct HeadSnapshot {
  std::string open_bytes;  // XOR bytes of the open chunk ("" when none)
  Timestamp open_mint = 0, open_maxt = 0;
  std::vector<Sample> ooo;
};

// Guarded by the store's lock stripe for `ref` except the immutable identity fields and the
// atomic bounds (readable without the lock for cheap time-range pruning).
class HeadSeries {
 public:
  HeadSeries(SeriesRef ref, uint64_t hash, std::string labels_enc)
      : ref_(ref), hash_(hash), labels_enc_(std::move(labels_enc)) {}
  HeadSeries(const HeadSeries&) = delete;
  HeadSeries& operator=(const HeadSeries&) = delete;

  SeriesRef ref() const { return ref_; }
  uint64_t hash() const { return hash_; }
  const std::string& labels_enc() const { return labels_enc_; }

  // Bounds over all the series' data (persisted and head); min > max when it has none.
  Timestamp min_time() const { return min_t_.load(std::memory_order_relaxed); }
  Timestamp max_time() const { return max_t_.load(std::memory_order_relaxed); }
  bool Overlaps(Timestamp mint, Timestamp maxt) const {
    return min_time() <= maxt && max_time() >= mint && min_time() <= max_time();
  }

  // REQUIRES lock. Decides a staged sample against committed state (not the disk).
  CheckResult Check(Timestamp t, double v, int64_t ooo_window_ms) const;
  // REQUIRES lock. Applies a committed sample: in order into the open chunk, otherwise into the
  // out-of-order buffer. A sample whose timestamp is already in the head is dropped (first write
  // wins). Cuts the head into `sealed` when a chunk is full; then *mark_needed is set, and the
  // caller records the head mark (seq, ord) of this sample. Returns true if the sample was added.
  bool Apply(Timestamp t, double v, std::vector<SealedChunk>* sealed, bool* mark_needed);
  // REQUIRES lock. Moves all head data into `sealed` (open chunk and out-of-order buffer).
  void SealAll(std::vector<SealedChunk>* sealed);
  // REQUIRES lock.
  HeadSnapshot Snapshot() const;
  // REQUIRES lock. The series' newest sample when the open chunk holds it (no out-of-order or
  // persisted sample is newer); false otherwise (no open chunk: sealed, deleted or evicted).
  bool NewestInOpenChunk(Sample* s) const;
  bool has_head() const { return has_open() || !ooo_.empty(); }
  // For prefetching only: every head change happens under the store's commit lock, so its
  // holder may read this pointer without the stripe.
  const char* open_data() const { return open_buf_.data(); }
  size_t head_chunks() const { return (has_open() ? 1 : 0) + (ooo_.empty() ? 0 : 1); }
  Timestamp head_max_time() const;

  // Persisted-data bookkeeping (REQUIRES lock).
  Timestamp persisted_min() const { return persisted_min_; }
  Timestamp persisted_max() const { return persisted_max_; }
  // Whether any persisted chunk (written or pending) may hold a sample in [mint, maxt].
  bool PersistedOverlaps(Timestamp mint, Timestamp maxt) const {
    return PersistedSpanOverlaps(persisted_min_, persisted_max_, mint, maxt);
  }
  void SetPersistedRange(Timestamp mn, Timestamp mx);
  void NotePersisted(Timestamp mn, Timestamp mx);
  // After retention/deletion: the new overall bounds.
  void ResetBounds(Timestamp mn, Timestamp mx) {
    min_t_.store(mn, std::memory_order_relaxed);
    max_t_.store(mx, std::memory_order_relaxed);
  }

  // Head-log bookkeeping, touched only under the store's commit lock.
  uint64_t first_seq = 0;    // earliest head-log record with a sample in the head
  uint64_t cur_seq = 0;      // record being applied
  uint64_t cur_ord = 0;      // samples of this series seen so far in record cur_seq
  bool persisted = false;    // the series record is durable in RocksDB

 private:
  void Widen(Timestamp t);
  bool OpenChunkHas(Timestamp t, double* v) const;
  void CutOpen(std::vector<SealedChunk>* sealed);
  void CutOoo(std::vector<SealedChunk>* sealed);
  bool has_open() const { return app_.has_value(); }
  uint32_t open_samples() const;

  const SeriesRef ref_;
  const uint64_t hash_;
  const std::string labels_enc_;
  std::atomic<Timestamp> min_t_{kMaxTimestamp};
  std::atomic<Timestamp> max_t_{kMinTimestamp};
  Timestamp persisted_min_ = kMaxTimestamp;
  Timestamp persisted_max_ = kMinTimestamp;
  // The open XOR chunk lives inside the series (no separate chunk and appender objects): one
  // cache line fewer per appended sample and ~150 bytes less per series.
  std::string open_buf_;                    // whole XOR chunk, header included
  std::optional<chunk::XorAppender> app_;   // appends to open_buf_; engaged iff a chunk is open
  Timestamp open_mint_ = 0, open_maxt_ = 0;
  std::vector<Sample> ooo_;  // sorted by t, unique t
};

}  // namespace tidemark::tsdb
