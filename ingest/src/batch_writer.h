// BatchWriter: appends one request's series through a single Appender, classifying every
// rejected sample so the response can say exactly what was not stored.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tidemark/ingest/ingester.h"
#include "tidemark/storage/appender.h"
#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::ingest {

enum class RejectReason { kInvalid, kOutOfOrder, kDuplicate, kUnsupported };

class BatchWriter {
 public:
  BatchWriter(Appendable& storage, const IngestOptions& options);
  ~BatchWriter();

  // Checks the limits (count, name and value lengths) and validity of `labels` (consumed), then
  // stages every sample. Rejections are counted; a retryable storage failure stops the batch.
  void AddSeries(std::vector<Label>&& labels, std::span<const SampleIn> samples);
  // Same as AddSeries for labels viewed in the request body, which must outlive the next call
  // of any other method. When the store already has the series, samples are staged without
  // building, validating or hashing a Labels (the common case: remote write repeats every
  // series with each sample); such series are gathered and handed to the store a run at a time.
  // `ref`, when given, is the caller's ref cache entry for these labels (0 at first, as the
  // scrape loop keeps per series): the store tries it before hashing the labels, and it is set
  // once the store finds the series. It must stay valid until Finish or Abort.
  void AddSeriesViews(std::span<const LabelPairView> labels, std::span<const SampleIn> samples,
                      SeriesRef* ref = nullptr);
  // Stages samples for an already validated label set (OTLP builds labels itself).
  void AddSamples(const Labels& labels, std::span<const SampleIn> samples);
  // Records `n` samples/points rejected before reaching storage.
  void Reject(RejectReason reason, size_t n, std::string_view message);
  // Records `n` samples refused by a limit; `message` should name it.
  void RejectLimit(IngestLimit limit, size_t n, std::string_view message);

  // Commits the staged samples. Returns the retryable error (after rolling back) if one occurred
  // during staging or at commit, else OK (even when some samples were rejected).
  Status Finish();
  // Discards everything staged (undecodable request).
  void Abort();

  size_t accepted() const { return accepted_; }
  size_t rejected() const {
    return rejected_invalid_ + rejected_ooo_ + rejected_dup_ + rejected_unsupported_ +
           rejected_limits();
  }
  size_t rejected_limit(IngestLimit l) const { return rejected_limit_[static_cast<size_t>(l)]; }
  size_t rejected_limits() const;
  // The first refusal by a limit ("" when none).
  const std::string& first_limit_error() const { return first_limit_error_; }
  size_t rejected_invalid() const { return rejected_invalid_; }
  size_t rejected_out_of_order() const { return rejected_ooo_; }
  size_t rejected_duplicate() const { return rejected_dup_; }
  size_t rejected_unsupported() const { return rejected_unsupported_; }
  const std::string& first_error() const { return first_error_; }
  // "accepted A, rejected R (invalid: i, out of order: o, duplicate: d, unsupported: u); first error: ..."
  // (", limits: l" inside the parentheses and "; first limit error: ..." when a limit refused any).
  std::string Summary() const;

 private:
  // The first limit `labels` exceeds (the message names it), or nullopt.
  std::optional<std::pair<IngestLimit, std::string>> CheckLimits(const std::vector<Label>& labels) const;
  bool WithinLimits(std::span<const LabelPairView> labels) const;
  // Appends the gathered series in order: the store's run fast path, AddSeries for the rest.
  void FlushPending();

  // Series gathered by AddSeriesViews (views into the request body), as offsets into the flat
  // label and sample arrays; reused across runs.
  struct Pending {
    uint32_t label_begin, label_end, sample_begin, sample_end;
    SeriesRef* ref;  // the caller's ref cache entry, or null
  };
  std::vector<Pending> pending_;
  std::vector<LabelPairView> pending_labels_;
  std::vector<SampleIn> pending_samples_;
  std::vector<SeriesViewIn> run_;
  std::vector<SeriesRef> run_refs_;
  bool flushing_ = false;

  const IngestOptions& options_;
  std::unique_ptr<Appender> app_;
  Status fatal_;
  size_t accepted_ = 0;
  size_t rejected_invalid_ = 0;
  size_t rejected_ooo_ = 0;
  size_t rejected_dup_ = 0;
  size_t rejected_unsupported_ = 0;
  std::array<size_t, kIngestLimits> rejected_limit_{};
  std::string first_error_;
  std::string first_limit_error_;
  bool finished_ = false;
};

}  // namespace tidemark::ingest
