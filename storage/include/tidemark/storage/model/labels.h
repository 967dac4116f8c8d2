// Labels: a series identity, a set of (name, value) pairs sorted by name, `__name__` included.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tidemark/storage/model/status.h"

namespace tidemark {

inline constexpr std::string_view kMetricName = "__name__";

struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label&) const = default;
  auto operator<=>(const Label&) const = default;
};

// An immutable-by-convention, sorted, duplicate-free label set. Empty values are never stored
// (an empty value means "label absent", as in Prometheus).
class Labels {
 public:
  Labels() = default;
  // Sorts and drops empty values; duplicates are kept (call Validate() to reject them).
  explicit Labels(std::vector<Label> labels);
  Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);

  // Value for `name`, or "" when absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  std::string_view MetricName() const { return Get(kMetricName); }

  size_t size() const { return labels_.size(); }
  bool empty() const { return labels_.empty(); }
  const std::vector<Label>& items() const { return labels_; }
  auto begin() const { return labels_.begin(); }
  auto end() const { return labels_.end(); }

  // Stable 64-bit hash of the whole set (an FNV-1a variant with a final avalanche, fixed across
  // runs and machines). Not the hash the store persists (tsdb::SeriesHash, docs/format/keys.md).
  uint64_t Hash() const;
  // Hash over only the given names (include=true) or all but them (include=false).
  uint64_t HashFor(std::span<const std::string> names, bool include) const;

  // Prometheus rendering: `name{a="b", c="d"}`, values as Go's %q (strconv.Quote). Names outside
  // the legacy charset are quoted too, as Prometheus 3.x prints them: `{"my.metric", "a.b"="c"}`.
  std::string ToString() const;

  // Copies with modifications.
  Labels WithoutMetricName() const;
  Labels Keep(std::span<const std::string> names) const;   // only these names
  Labels Drop(std::span<const std::string> names) const;   // all but these names
  Labels With(std::string_view name, std::string_view value) const;  // set or (value "") delete

  bool operator==(const Labels& o) const { return labels_ == o.labels_; }
  // Lexicographic over the sorted pairs, the order Prometheus sorts series in.
  std::strong_ordering operator<=>(const Labels& o) const;

 private:
  std::vector<Label> labels_;
};

// Incrementally builds a Labels, starting from an existing set.
class LabelsBuilder {
 public:
  LabelsBuilder() = default;
  explicit LabelsBuilder(const Labels& base);
  LabelsBuilder& Set(std::string_view name, std::string_view value);  // "" deletes
  LabelsBuilder& Del(std::string_view name);
  std::string_view Get(std::string_view name) const;
  Labels Build() const;

  // Calls f(const Label&) for every present label in the order Prometheus' labels.Builder.Range
  // visits them (base labels left untouched, then labels Set since, in the order they were Set),
  // which decides who wins when relabelling's labelmap maps two names onto one. f may Set or Del:
  // the walk is over a copy taken first.
  template <typename F>
  void Range(F&& f) const {
    std::vector<Label> snapshot;
    snapshot.reserve(labels_.size());
    for (const auto& l : labels_) {
      if (!l.value.empty()) snapshot.push_back(l);
    }
    for (const auto& l : snapshot) f(l);
  }

 private:
  // [0, base_end_) is the base set (an emptied value means deleted or overridden), then the
  // labels Set since, newest last: the same split Prometheus' Builder keeps, so Range agrees.
  std::vector<Label> labels_;
  size_t base_end_ = 0;
};

bool IsValidLabelName(std::string_view name);   // [a-zA-Z_][a-zA-Z0-9_]*
bool IsValidMetricName(std::string_view name);  // [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidUtf8(std::string_view s);

// Checks a label set the way Prometheus' ingestion does: valid names, valid metric name,
// no duplicate names, UTF-8 values, at least one label. Message names the first problem.
Status ValidateLabels(const Labels& labels);

}  // namespace tidemark
