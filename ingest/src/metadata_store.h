// MetadataStore: the latest metric metadata (type, help, unit) seen per metric name.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/ingest/ingester.h"

namespace tidemark::ingest {

class MetadataStore {
 public:
  // Bounds memory: new metric names beyond this are ignored (existing ones still update).
  static constexpr size_t kMaxMetrics = 100000;
  // Variants kept per metric (Prometheus reports every distinct help/type a metric was seen with).
  static constexpr size_t kMaxVariants = 4;

  // Returns true when stored (new or refreshed).
  bool Put(std::string_view metric, std::string_view type, std::string_view help, std::string_view unit);
  std::vector<MetricMetadata> List(std::string_view metric, size_t limit) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<MetricMetadata>, std::less<>> by_metric_;
};

}  // namespace tidemark::ingest
