// MetadataStore implementation (see metadata_store.h).
#include "metadata_store.h"

#include <algorithm>

namespace tidemark::ingest {

bool MetadataStore::Put(std::string_view metric, std::string_view type, std::string_view help,
                        std::string_view unit) {
  if (metric.empty()) return false;
  std::lock_guard lock(mu_);
  auto it = by_metric_.find(metric);
  if (it == by_metric_.end()) {
    if (by_metric_.size() >= kMaxMetrics) return false;
    it = by_metric_.emplace(std::string(metric), std::vector<MetricMetadata>{}).first;
  }
  auto& variants = it->second;
  for (const MetricMetadata& m : variants) {
    if (m.type == type && m.help == help && m.unit == unit) return true;
  }
  if (variants.size() >= kMaxVariants) variants.erase(variants.begin());  // keep the newest
  variants.push_back({std::string(metric), std::string(type), std::string(help), std::string(unit)});
  return true;
}

std::vector<MetricMetadata> MetadataStore::List(std::string_view metric, size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<MetricMetadata> out;
  size_t names = 0;
  for (const auto& [name, variants] : by_metric_) {
    if (!metric.empty() && name != metric) continue;
    if (limit != 0 && names >= limit) break;
    ++names;
    out.insert(out.end(), variants.begin(), variants.end());
  }
  return out;
}

}  // namespace tidemark::ingest
