// Open-addressing multimap labels-hash -> SeriesRef for the append hot path (16 bytes a series,
// one cache line per lookup), plus the stable label-set hash it is keyed by.
#pragma once

#include <cstdint>
#include <vector>

#include <span>

#include "tidemark/storage/appender.h"
#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/sample.h"

namespace tidemark::tsdb {

// Stable 64-bit hash of a label set, word-at-a-time (much faster than byte-wise FNV on the
// ~150 bytes of a typical set). Persisted in the series_hash column family: never change it.
uint64_t SeriesHash(const Labels& labels);
// The same hash over pairs held elsewhere (equal to SeriesHash of the Labels they make when they
// are already sorted and free of empty values).
uint64_t SeriesHash(std::span<const LabelPairView> labels);

// Not thread-safe (guarded by the store's index lock). Several refs may share a hash
// (collisions); callers compare labels of each candidate.
class SeriesHashTable {
 public:
  void Insert(uint64_t hash, SeriesRef ref);
  void Erase(uint64_t hash, SeriesRef ref);
  // Calls fn(ref) for each ref stored under `hash` until fn returns true; returns that ref or 0.
  template <typename Fn>
  SeriesRef Find(uint64_t hash, Fn&& fn) const {
    if (slots_.empty()) return 0;
    const size_t mask = slots_.size() - 1;
    for (size_t i = Mix(hash) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.ref == kEmpty) return 0;
      if (s.ref != kTombstone && s.hash == hash && fn(s.ref)) return s.ref;
    }
  }
  // Starts loading the slot Find(hash) probes first (lookups of many series can then overlap).
  void Prefetch(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Mix(hash) & (slots_.size() - 1)]);
  }
  size_t size() const { return size_; }
  // Rehashes into a smaller table when most slots are empty or tombstones (after evictions).
  void MaybeShrink();

 private:
  static constexpr SeriesRef kEmpty = 0;  // refs start at 1
  static constexpr SeriesRef kTombstone = ~SeriesRef{0};
  struct Slot {
    uint64_t hash = 0;
    SeriesRef ref = kEmpty;
  };
  static size_t Mix(uint64_t h) {
    return static_cast<size_t>(((h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL) >> 17);
  }
  void Rehash(size_t capacity);

  std::vector<Slot> slots_;
  size_t size_ = 0;
  size_t used_ = 0;  // live + tombstones
};

}  // namespace tidemark::tsdb
