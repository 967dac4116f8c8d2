// Read side of the storage API (Prometheus' Queryable/Querier/SeriesSet shape).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tidemark/storage/matcher.h"
#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"

namespace tidemark {

// Iterates one series' samples in increasing timestamp order, without duplicates.
class SeriesIterator {
 public:
  virtual ~SeriesIterator() = default;
  // Advances; kNone when exhausted.
  virtual ValueType Next() = 0;
  // Advances to the first sample with t' >= t; no-op if already there. kNone when exhausted.
  virtual ValueType Seek(Timestamp t) = 0;
  // REQUIRES: the last Next/Seek returned kFloat.
  virtual Sample At() const = 0;
  // Valid after exhaustion: why iteration stopped early, if it did.
  virtual Status status() const { return Status::OK(); }
  // Bulk At()/Next(): writes the current sample and those after it to out[0..n), stopping before
  // the first with t > maxt, and leaves the iterator on the first sample not written. `*vt` is
  // the result of the last Next() made (REQUIRES *vt == kFloat on entry: the last Next/Seek
  // returned it). Returns how many were written; fewer than n means t > maxt or exhaustion.
  // Readers override it to copy a decoded chunk without per-sample virtual calls.
  virtual size_t ReadBatch(Timestamp maxt, Sample* out, size_t n, ValueType* vt);
};

// A series as returned by Select: labels plus a way to iterate its samples in [mint, maxt].
class Series {
 public:
  virtual ~Series() = default;
  virtual const Labels& labels() const = 0;
  // `reuse` may be a previously returned iterator to recycle its buffers (may be null).
  virtual std::unique_ptr<SeriesIterator> Iterator(std::unique_ptr<SeriesIterator> reuse) const = 0;
};

// Series are read as Next() reaches them: a set used after its store was closed stops with an
// Unavailable status.
class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  virtual bool Next() = 0;
  // REQUIRES: Next() returned true. Valid until the next call to Next().
  virtual const Series& At() const = 0;
  virtual Status status() const { return Status::OK(); }
};

// Optional hints from the query engine; storage may use them to read less.
struct SelectHints {
  Timestamp start = kMinTimestamp;  // the range really needed
  Timestamp end = kMaxTimestamp;
  int64_t step_ms = 0;
  int64_t range_ms = 0;
  std::string func;
  size_t max_series = 0;  // 0 = unlimited; storage returns ResourceExhausted above it
  // The caller reads only each series' last sample in [start, end] (a vector selector evaluated
  // at one time): a store may then yield just that sample, and samples only within [start, end].
  bool last_sample_only = false;
};

// A view of the store bounded to [mint, maxt] (inclusive, ms).
class Querier {
 public:
  virtual ~Querier() = default;
  // Series matching all matchers (at least one must not match the empty string), with samples in
  // [mint, maxt]. Sorted by labels when `sorted`. Series without samples in range are omitted.
  virtual Result<std::unique_ptr<SeriesSet>> Select(bool sorted, const SelectHints* hints,
                                                    const Matchers& matchers) = 0;
  // Sorted, unique label names of series matching `matchers` (all series if empty).
  virtual Result<std::vector<std::string>> LabelNames(const Matchers& matchers) = 0;
  // Sorted, unique values of label `name` among series matching `matchers`.
  virtual Result<std::vector<std::string>> LabelValues(const std::string& name,
                                                       const Matchers& matchers) = 0;
};

class Queryable {
 public:
  virtual ~Queryable() = default;
  virtual Result<std::unique_ptr<Querier>> NewQuerier(Timestamp mint, Timestamp maxt) = 0;
};

// Helpers for callers that want everything in memory (tests, small results).
struct SeriesData {
  Labels labels;
  std::vector<Sample> samples;
};
Result<std::vector<SeriesData>> MaterializeSeriesSet(SeriesSet& set);

}  // namespace tidemark
