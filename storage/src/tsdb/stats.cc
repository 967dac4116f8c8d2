// StorageStats: counters, head size, bytes on disk and top-10 cardinalities from the index.
#include <algorithm>
#include <memory>
#include <utility>

#include "tsdb/keys.h"
#include "tsdb/tsdb_storage.h"

namespace tidemark::tsdb {
namespace {

constexpr size_t kTopN = 10;
constexpr std::chrono::seconds kMetricCountsTtl{30};

void KeepTop(std::vector<MetricCardinality>* v) {
  auto by_value = [](const MetricCardinality& a, const MetricCardinality& b) {
    return a.value != b.value ? a.value > b.value : a.name < b.name;
  };
  if (v->size() > kTopN) {
    std::partial_sort(v->begin(), v->begin() + kTopN, v->end(), by_value);
    v->resize(kTopN);
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
  KeepTop(&counts);
  metric_counts_ = counts;
  metric_counts_at_ = now;
  return counts;
}

StorageStats TsdbStorage::Stats() {
  StorageStats st;
  st.num_samples_appended = appended_.load();
  st.cold_chunks_merged = cold_chunks_merged_.load();
  st.cold_blocks_written = cold_blocks_written_.load();
  st.rejected_out_of_order = rejected_ooo_.load();
  st.rejected_duplicate = rejected_dup_.load();
  st.rejected_invalid = rejected_invalid_.load();
  if (closed()) return st;
  Timestamp mn = kMaxTimestamp, mx = kMinTimestamp;
  {
    std::shared_lock lock(index_mu_);
    for (const auto& sp : series_) {
      if (!sp) continue;
      if (sp->min_time() <= sp->max_time()) {
        ++st.num_series;
        mn = std::min(mn, sp->min_time());
        mx = std::max(mx, sp->max_time());
      }
      std::lock_guard slock(StripeFor(sp->ref()));
      if (sp->has_head()) {
        ++st.head_series;
        st.head_chunks += sp->head_chunks();
      }
    }
    st.resident_series = postings_.all().size();
    if (inactive_series_ > 0) {  // series outside memory, counted as they leave and return
      st.num_series += inactive_series_;
      mn = std::min(mn, inactive_min_t_);
      mx = std::max(mx, inactive_max_t_.load());
    }
    if (const auto* names = postings_.Values(kMetricName)) {
      for (const auto& [v, p] : *names) st.series_count_by_metric.push_back({v, p.size()});
    }
    for (const auto& [n, vm] : postings_.all_names()) {
      st.label_value_count_by_name.push_back({n, vm.size()});
      for (const auto& [v, p] : vm) st.series_count_by_label_pair.push_back({n + "=" + v, p.size()});
    }
  }
  st.series_evicted = evicted_total_.load(std::memory_order_relaxed);
  if (has_inactive_.load()) {
    // Per-metric counts cover every series (persisted postings); label-name and label-pair
    // counts stay those of the resident series: counting them for all would read the whole
    // postings family.
    auto counts = PersistedMetricCounts();
    if (counts.ok()) st.series_count_by_metric = std::move(counts).value();
  }
  KeepTop(&st.series_count_by_metric);
  KeepTop(&st.label_value_count_by_name);
  KeepTop(&st.series_count_by_label_pair);
  if (mn <= mx) {
    st.min_time = mn;
    st.max_time = mx;
  }
  {
    std::lock_guard lock(commit_mu_);
    if (!closed()) st.bytes_on_disk = store_->BytesOnDisk();
  }
  return st;
}

}  // namespace tidemark::tsdb
