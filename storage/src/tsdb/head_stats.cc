// The head's part of StorageStats: its counters, and series counts and bounds from the index.
#include "tsdb/head.h"

namespace tidemark::tsdb {

void Head::FillCounters(StorageStats* st) const {
  st->num_samples_appended = appended_.load();
  st->rejected_out_of_order = rejected_ooo_.load();
  st->rejected_duplicate = rejected_dup_.load();
  st->rejected_invalid = rejected_invalid_.load();
}

void Head::FillIndexStats(StorageStats* out) {
  StorageStats& st = *out;
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
      st.num_label_pairs += vm.size();
      uint64_t bytes = 0;
      for (const auto& [v, p] : vm) {
        st.series_count_by_label_pair.push_back({n + "=" + v, p.size()});
        bytes += (n.size() + v.size()) * p.size();
      }
      st.label_bytes_by_name.push_back({n, bytes});
    }
  }
  if (mn <= mx) {
    st.min_time = mn;
    st.max_time = mx;
  }
}

}  // namespace tidemark::tsdb
