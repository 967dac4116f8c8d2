// BatchWriter implementation (see batch_writer.h).
#include "batch_writer.h"

#include <utility>

namespace tidemark::ingest {

BatchWriter::BatchWriter(Appendable& storage, const IngestOptions& options)
    : options_(options), app_(storage.NewAppender()) {}

BatchWriter::~BatchWriter() {
  if (!finished_) Abort();
}

namespace {

// A limit of 0 is no limit.
bool Over(size_t n, size_t limit) { return limit != 0 && n > limit; }

// "--flag: <what>, <more|longer> than the limit of N".
std::string LimitMessage(IngestLimit l, std::string what, std::string_view than, size_t limit) {
  return std::string(IngestLimitFlag(l)) + ": " + what + ", " + std::string(than) +
         " than the limit of " + std::to_string(limit);
}

}  // namespace

std::optional<std::pair<IngestLimit, std::string>> BatchWriter::CheckLimits(
    const std::vector<Label>& labels) const {
  if (Over(labels.size(), options_.max_labels_per_series)) {
    return std::pair{IngestLimit::kLabelLimit,
                     LimitMessage(IngestLimit::kLabelLimit,
                                  "series has " + std::to_string(labels.size()) + " labels", "more",
                                  options_.max_labels_per_series)};
  }
  for (const Label& l : labels) {
    if (Over(l.name.size(), options_.max_label_name_len)) {
      return std::pair{IngestLimit::kLabelNameLength,
                       LimitMessage(IngestLimit::kLabelNameLength,
                                    "label name \"" + l.name.substr(0, 64) + "...\" is " +
                                        std::to_string(l.name.size()) + " bytes",
                                    "longer", options_.max_label_name_len)};
    }
    if (Over(l.value.size(), options_.max_label_value_len)) {
      return std::pair{IngestLimit::kLabelValueLength,
                       LimitMessage(IngestLimit::kLabelValueLength,
                                    "value of label \"" + l.name.substr(0, 64) + "\" is " +
                                        std::to_string(l.value.size()) + " bytes",
                                    "longer", options_.max_label_value_len)};
    }
  }
  return std::nullopt;
}

void BatchWriter::AddSeries(std::vector<Label>&& labels, std::span<const SampleIn> samples) {
  FlushPending();
  if (samples.empty() || !fatal_.ok()) return;
  if (auto over = CheckLimits(labels)) {
    RejectLimit(over->first, samples.size(), over->second);
    return;
  }
  Labels ls(std::move(labels));
  Status st = ValidateLabels(ls);
  if (!st.ok()) {
    Reject(RejectReason::kInvalid, samples.size(), st.message() + " in series " + ls.ToString());
    return;
  }
  AddSamples(ls, samples);
}

bool BatchWriter::WithinLimits(std::span<const LabelPairView> labels) const {
  if (Over(labels.size(), options_.max_labels_per_series)) return false;
  for (const LabelPairView& l : labels) {
    if (Over(l.name.size(), options_.max_label_name_len) ||
        Over(l.value.size(), options_.max_label_value_len)) {
      return false;
    }
  }
  return true;
}

void BatchWriter::AddSeriesViews(std::span<const LabelPairView> labels,
                                 std::span<const SampleIn> samples, SeriesRef* ref) {
  if (samples.empty() || !fatal_.ok()) return;
  if (!WithinLimits(labels)) {
    // Goes the full path, which reports exactly which limit.
    std::vector<Label> owned;
    owned.reserve(labels.size());
    for (const LabelPairView& l : labels) owned.push_back({std::string(l.name), std::string(l.value)});
    AddSeries(std::move(owned), samples);
    return;
  }
  // Enough series to keep the store's lookahead busy, few enough to stay in cache.
  constexpr size_t kRunLength = 64;
  Pending p;
  p.label_begin = static_cast<uint32_t>(pending_labels_.size());
  pending_labels_.insert(pending_labels_.end(), labels.begin(), labels.end());
  p.label_end = static_cast<uint32_t>(pending_labels_.size());
  p.sample_begin = static_cast<uint32_t>(pending_samples_.size());
  pending_samples_.insert(pending_samples_.end(), samples.begin(), samples.end());
  p.sample_end = static_cast<uint32_t>(pending_samples_.size());
  p.ref = ref;
  pending_.push_back(p);
  if (pending_.size() >= kRunLength) FlushPending();
}

void BatchWriter::FlushPending() {
  if (pending_.empty() || flushing_) return;
  flushing_ = true;
  run_.clear();
  for (const Pending& p : pending_) {
    run_.push_back({std::span(pending_labels_).subspan(p.label_begin, p.label_end - p.label_begin),
                    std::span(pending_samples_).subspan(p.sample_begin, p.sample_end - p.sample_begin),
                    p.ref ? *p.ref : 0});
  }
  run_refs_.resize(run_.size());
  bool missed = false;
  for (size_t i = 0; i < run_.size() && fatal_.ok();) {
    // After a series the store did not have, the next one is likely new as well (a sender's
    // first requests, a new target): it is tried alone, since a whole run would hash and probe
    // series ahead for a lookahead that stops at once again.
    const size_t len = missed ? 1 : run_.size() - i;
    size_t partial = 0;
    const size_t done = app_->AppendExisting(std::span(run_).subspan(i, len), &partial, &run_refs_[i]);
    for (size_t k = i; k < i + done; ++k) {
      accepted_ += run_[k].samples.size();
      if (pending_[k].ref) *pending_[k].ref = run_refs_[k];
    }
    i += done;
    missed = done < len;
    if (!missed) continue;
    // New series, a rejection to report, or labels that need checking: the full path.
    const SeriesViewIn& item = run_[i];
    accepted_ += partial;
    std::vector<Label> owned;
    owned.reserve(item.labels.size());
    for (const LabelPairView& l : item.labels) owned.push_back({std::string(l.name), std::string(l.value)});
    AddSeries(std::move(owned), item.samples.subspan(partial));
    ++i;
  }
  pending_.clear();
  pending_labels_.clear();
  pending_samples_.clear();
  flushing_ = false;
}

void BatchWriter::AddSamples(const Labels& labels, std::span<const SampleIn> samples) {
  FlushPending();
  SeriesRef ref = 0;
  AppendOptions opts;
  opts.skip_validation = true;
  opts.limits = {options_.max_series, options_.max_series_per_metric};
  for (const SampleIn& s : samples) {
    if (!fatal_.ok()) return;
    Result<SeriesRef> r = app_->Append(ref, labels, s, opts);
    if (r.ok()) {
      ref = *r;
      ++accepted_;
      continue;
    }
    const Status& err = r.status();
    if (bool per_metric = false; IsSeriesLimitError(err, &per_metric)) {
      // Every sample of a series not created is refused alike.
      const IngestLimit l = per_metric ? IngestLimit::kSeriesLimitPerMetric : IngestLimit::kSeriesLimit;
      RejectLimit(l, static_cast<size_t>(samples.data() + samples.size() - &s),
                  std::string(IngestLimitFlag(l)) + ": " + err.message());
      return;
    }
    std::string msg = err.message() + " (series " + labels.ToString() + ", t=" + std::to_string(s.t) + ")";
    switch (err.code()) {
      case StatusCode::kInvalidArgument: Reject(RejectReason::kInvalid, 1, msg); break;
      case StatusCode::kOutOfRange: Reject(RejectReason::kOutOfOrder, 1, msg); break;
      case StatusCode::kAlreadyExists: Reject(RejectReason::kDuplicate, 1, msg); break;
      default: fatal_ = err;
    }
  }
}

void BatchWriter::Reject(RejectReason reason, size_t n, std::string_view message) {
  FlushPending();  // so first_error() is the first in request order
  if (n == 0) return;
  switch (reason) {
    case RejectReason::kInvalid: rejected_invalid_ += n; break;
    case RejectReason::kOutOfOrder: rejected_ooo_ += n; break;
    case RejectReason::kDuplicate: rejected_dup_ += n; break;
    case RejectReason::kUnsupported: rejected_unsupported_ += n; break;
  }
  if (first_error_.empty()) first_error_ = std::string(message);
}

void BatchWriter::RejectLimit(IngestLimit limit, size_t n, std::string_view message) {
  FlushPending();
  if (n == 0) return;
  rejected_limit_[static_cast<size_t>(limit)] += n;
  if (first_error_.empty()) first_error_ = std::string(message);
  if (first_limit_error_.empty()) first_limit_error_ = std::string(message);
}

size_t BatchWriter::rejected_limits() const {
  size_t n = 0;
  for (size_t v : rejected_limit_) n += v;
  return n;
}

Status BatchWriter::Finish() {
  FlushPending();
  finished_ = true;
  if (!fatal_.ok()) {
    app_->Rollback().IgnoreError();  // the fatal error is what the caller must see
    accepted_ = 0;
    return fatal_;
  }
  Status st = app_->Commit();
  if (!st.ok()) {
    app_->Rollback().IgnoreError();
    accepted_ = 0;
  }
  return st;
}

void BatchWriter::Abort() {
  pending_.clear();
  finished_ = true;
  app_->Rollback().IgnoreError();  // nothing was acknowledged, so nothing to report
  accepted_ = 0;
}

std::string BatchWriter::Summary() const {
  std::string s = "accepted " + std::to_string(accepted_) + ", rejected " + std::to_string(rejected()) +
                  " (invalid: " + std::to_string(rejected_invalid_) +
                  ", out of order/window: " + std::to_string(rejected_ooo_) +
                  ", duplicate timestamp: " + std::to_string(rejected_dup_) +
                  ", unsupported: " + std::to_string(rejected_unsupported_) +
                  (rejected_limits() > 0 ? ", limits: " + std::to_string(rejected_limits()) : "") + ")";
  if (!first_error_.empty()) s += "; first error: " + first_error_;
  if (!first_limit_error_.empty() && first_limit_error_ != first_error_) {
    s += "; first limit error: " + first_limit_error_;
  }
  return s;
}

}  // namespace tidemark::ingest
