// Tells result caches (query/'s range cache) when stored data they were computed from may have
// changed: appends at or before a watched time, deletes, retention and reloads bump one generation.
#pragma once

#include <atomic>
#include <cstdint>

#include "tidemark/storage/model/sample.h"

namespace tidemark {

// A cache computed from data up to time T calls Watch(T), then reads Generation(), then reads
// the data; the result stays exact while Generation() is unchanged. Writers report a change
// only once it is visible to queries, so a reader either sees the write or sees the bump.
class ChangeTracker {
 public:
  // From now on an append with a sample at or before `t` counts as a change (only raises).
  void Watch(Timestamp t) {
    Timestamp w = watched_.load();
    while (t > w && !watched_.compare_exchange_weak(w, t)) {
    }
  }
  // After a commit is visible; `oldest` is its oldest sample's timestamp.
  void NoteAppend(Timestamp oldest) {
    if (oldest <= watched_.load()) generation_.fetch_add(1);
  }
  // After anything else that may change results over watched times: removed samples (admin
  // delete, retention), a configuration reload.
  void NoteChange() { generation_.fetch_add(1); }
  uint64_t Generation() const { return generation_.load(); }

 private:
  std::atomic<Timestamp> watched_{kMinTimestamp};
  std::atomic<uint64_t> generation_{0};
};

}  // namespace tidemark
