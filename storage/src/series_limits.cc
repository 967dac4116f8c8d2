// The status of a sample refused by AppendOptions::limits, shared by every store (appender.h).
#include <string>

#include "tidemark/storage/appender.h"

namespace tidemark {

namespace {
constexpr std::string_view kGlobal = "series limit of ";
constexpr std::string_view kPerMetric = "per-metric series limit of ";
}  // namespace

Status SeriesLimitError(bool per_metric, uint64_t limit, const Labels& labels) {
  std::string m(per_metric ? kPerMetric : kGlobal);
  m += std::to_string(limit);
  m += per_metric ? " reached for metric " : " reached";
  if (per_metric) m += "\"" + std::string(labels.MetricName()) + "\"";
  m += "; new series " + labels.ToString() + " not created";
  return Status::ResourceExhausted(std::move(m));
}

bool IsSeriesLimitError(const Status& s, bool* per_metric) {
  if (s.code() != StatusCode::kResourceExhausted) return false;
  *per_metric = s.message().starts_with(kPerMetric);
  return *per_metric || s.message().starts_with(kGlobal);
}

}  // namespace tidemark
