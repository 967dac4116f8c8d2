// The store's committed appends, read back in commit order through durable named cursors: the
// remote-write sender's backlog is the store itself, not a second copy (docs/architecture.md).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"

namespace tidemark {

// One sample as committed. `ref` names the series (SeriesLabels); refs are never reused.
struct CommittedSample {
  SeriesRef ref = 0;
  Timestamp t = 0;
  double v = 0;
};

// Every successful Appender::Commit gets the next sequence number; a commit's samples are read
// back exactly as committed (late and out-of-order samples included, in append order). Commits
// stay readable while any reader's cursor is below them. Thread-safe.
class CommitLog {
 public:
  virtual ~CommitLog() = default;
  // The cursor of reader `name` (every commit <= it is consumed). A new reader is created at
  // the newest commit, so it sees only commits made after this call.
  virtual Result<uint64_t> OpenReader(std::string_view name) = 0;
  // Moves reader `name`'s cursor to `seq` (durably, synced: after kill -9 the reader resumes
  // after `seq`); commits up to the lowest cursor may then be deleted.
  virtual Status Advance(std::string_view name, uint64_t seq) = 0;
  // Removes a reader and its hold on the log. Removing an unknown reader is not an error.
  virtual Status RemoveReader(std::string_view name) = 0;
  virtual Result<std::vector<std::string>> Readers() = 0;
  // Calls fn(seq, samples) for the commits after `after`, in order, until fn returns false or
  // at least `max_samples` samples were delivered.
  virtual Status Read(uint64_t after, size_t max_samples,
                      const std::function<bool(uint64_t seq, std::span<const CommittedSample>)>& fn) = 0;
  // The newest commit's sequence number (0 before the first).
  virtual uint64_t LastSeq() const = 0;
  // The labels of series `ref`; nullopt once it was deleted (retention, admin deletion).
  virtual Result<std::optional<Labels>> SeriesLabels(SeriesRef ref) = 0;
};

}  // namespace tidemark
