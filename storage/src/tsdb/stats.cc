// StorageStats: counters, head size, bytes on disk and top-N cardinalities from the index.
#include <algorithm>
#include <memory>
#include <utility>

#include "tsdb/keys.h"
#include "tsdb/tsdb_storage.h"

namespace tidemark::tsdb {
namespace {

constexpr std::chrono::seconds kMetricCountsTtl{30};

void KeepTop(std::vector<MetricCardinality>* v, size_t n) {
  auto by_value = [](const MetricCardinality& a, const MetricCardinality& b) {
    return a.value != b.value ? a.value > b.value : a.name < b.name;
  };
  if (v->size() > n) {
    std::partial_sort(v->begin(), v->begin() + static_cast<std::ptrdiff_t>(n), v->end(), by_value);
    v->resize(n);
  } else {
    std::sort(v->begin(), v->end(), by_value);
  }
}

}  // namespace

Result<std::vector<MetricCardinality>> TsdbStorage::PersistedMetricCounts() {
  std::lock_guard lock(metric_counts_mu_);
  const auto now = std::chrono::steady_clock::now();
  if (metric_counts_at_ != std::chrono::steady_clock::time_point{} &&
      now - metric_counts_at_ < kMetricCountsTtl) {
    return metric_counts_;
  }
  TM_ASSIGN_OR_RETURN(std::vector<MetricCardinality> counts,
                      store_->CountSeriesByValue(kMetricName));
  metric_counts_ = counts;
  metric_counts_at_ = now;
  return counts;
}

StorageStats TsdbStorage::Stats(size_t top_n) {
  StorageStats st;
  head_->FillCounters(&st);
  st.cold_chunks_merged = compactor_->chunks_merged();
  st.cold_blocks_written = compactor_->blocks_written();
  st.write_failures_no_space = store_->write_failures_no_space();
  st.write_failures_other = store_->write_failures_other();
  if (closed()) return st;
  head_->FillIndexStats(&st);
  st.series_evicted = evictor_->evicted_total();
  if (head_->has_inactive()) {
    // Per-metric counts cover every series (persisted postings); label-name and label-pair
    // counts stay those of the resident series: counting them for all would read the whole
    // postings family.
    auto counts = PersistedMetricCounts();
    if (counts.ok()) st.series_count_by_metric = std::move(counts).value();
  }
  for (auto* top : {&st.series_count_by_metric, &st.label_value_count_by_name,
                    &st.series_count_by_label_pair, &st.label_bytes_by_name}) {
    KeepTop(top, top_n);
  }
  {
    std::lock_guard lock(head_->commit_mutex());
    if (!closed()) st.bytes_on_disk = store_->BytesOnDisk();
  }
  return st;
}

}  // namespace tidemark::tsdb
