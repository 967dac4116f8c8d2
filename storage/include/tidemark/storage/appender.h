// Write side of the storage API: append samples for label sets, commit atomically and durably.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"

namespace tidemark {

// The record appended for one sample; wide enough for OTLP (start timestamps) from day one.
struct SampleIn {
  Timestamp st = 0;  // start timestamp of a cumulative series, 0 if unknown
  Timestamp t = 0;
  double v = 0;
};

// A label pair held elsewhere (e.g. in a request body), for Appender::AppendExisting.
struct LabelPairView {
  std::string_view name;
  std::string_view value;
};

// One series of a request for Appender::AppendExisting: labels and samples held elsewhere.
struct SeriesViewIn {
  std::span<const LabelPairView> labels;
  std::span<const SampleIn> samples;
  // A ref AppendExisting returned for these labels before (0: none): tried before hashing the
  // labels, and used only when its series' labels are exactly `labels`.
  SeriesRef hint = 0;
};

// Caps on creating series, checked only when a sample would create one (0 = no cap). Series
// count while they are in memory (the head's index: active series and those read back).
struct SeriesLimits {
  uint64_t max_series = 0;
  uint64_t max_series_per_metric = 0;  // series sharing the new one's __name__
};

struct AppendOptions {
  bool skip_validation = false;  // labels already validated by the caller
  SeriesLimits limits;
};

// The ResourceExhausted status Append returns for a series over `limits`, and which limit a
// status from Append names (for callers that count rejections per reason).
Status SeriesLimitError(bool per_metric, uint64_t limit, const Labels& labels);
bool IsSeriesLimitError(const Status& s, bool* per_metric);

// Not thread-safe; one per writer. Samples become visible and durable only at Commit().
class Appender {
 public:
  virtual ~Appender() = default;
  // Stages one sample. `hint` is a ref returned earlier for the same labels (0 = none).
  // Errors (per sample; the appender stays usable):
  //   InvalidArgument  invalid label set
  //   OutOfRange       older than the out-of-order window allows
  //   AlreadyExists    same timestamp as a stored sample but a different value
  //   ResourceExhausted   the sample would create a series beyond opts.limits (SeriesLimitError)
  // An exact duplicate (same t, same bits) is accepted as a no-op.
  virtual Result<SeriesRef> Append(SeriesRef hint, const Labels& labels, const SampleIn& sample,
                                   const AppendOptions& opts = {}) = 0;
  // Fast path for senders that repeat label sets (remote write sends every series again with
  // each sample), over consecutive series in order. Appends items while each names a series that
  // already exists with labels exactly `labels` (in this order, as a valid Labels would hold
  // them: sorted, no empty values) and every sample of it would be staged or is an exact
  // duplicate, doing what Append() would. Returns how many items were appended whole, and, when
  // `refs` is not null, sets refs[i] to the series ref of each of them (0 for an item without
  // samples). When that is less than items.size(), *partial says how many samples of the next
  // item were appended; nothing else of it was done or counted, and the caller calls Append()
  // with the full label set for its rest, which validates, creates the series or reports the
  // rejection. Lets a store overlap the memory lookups of many series instead of waiting on each
  // in turn; a store without a fast path appends nothing here.
  virtual size_t AppendExisting(std::span<const SeriesViewIn> items, size_t* partial,
                                SeriesRef* refs) {
    (void)items;
    (void)refs;
    *partial = 0;
    return 0;
  }
  // Makes every staged sample durable (per the store's policy) and visible, atomically.
  virtual Status Commit() = 0;
  // Discards staged samples.
  virtual Status Rollback() = 0;
};

class Appendable {
 public:
  virtual ~Appendable() = default;
  virtual std::unique_ptr<Appender> NewAppender() = 0;
};

}  // namespace tidemark
