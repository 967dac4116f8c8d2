// Expansion of the histogram/availability SLI shorthands and the runtime's bucket check.
#include "slo/shorthand.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "template/template.h"

namespace tidemark::alerting {
namespace {

std::string Selector(const std::string& metric, const std::string& filter,
                     const std::string& extra) {
  std::string m = filter;
  if (!extra.empty()) m += (m.empty() ? "" : ",") + extra;
  return m.empty() ? metric : metric + "{" + m + "}";
}

// strtod accepting the spellings Prometheus uses for `le` ("+Inf", "0.5", "1e+06").
bool ParseLe(const std::string& s, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

}  // namespace

std::string HistogramLeLabel(double threshold_seconds) { return FormatFloat(threshold_seconds, 'g', -1); }

void ExpandHistogramSli(SloSli* sli) {
  const SloHistogramSli& h = *sli->histogram;
  const std::string count = Selector(h.metric + "_count", h.filter, "");
  const std::string bucket = Selector(h.metric + "_bucket", h.filter,
                                      "le=\"" + HistogramLeLabel(h.threshold_seconds) + "\"");
  sli->kind = SloSli::Kind::kEvents;
  sli->error_query =
      "sum(rate(" + count + "[{{.window}}])) - sum(rate(" + bucket + "[{{.window}}]))";
  sli->total_query = "sum(rate(" + count + "[{{.window}}]))";
}

void ExpandAvailabilitySli(SloSli* sli) {
  sli->kind = SloSli::Kind::kRaw;
  sli->error_ratio_query = "1 - avg_over_time((" + sli->availability->query +
                           ")[{{.window}}:" + kAvailabilityStep + "])";
}

Status CheckHistogramBuckets(const SloSpec& slo, const std::vector<std::string>& le_values) {
  if (!slo.sli.histogram) return Status::OK();
  const SloHistogramSli& h = *slo.sli.histogram;
  const std::string want = HistogramLeLabel(h.threshold_seconds);
  std::vector<std::pair<double, std::string>> present;
  const std::string* same_value = nullptr;
  for (const std::string& le : le_values) {
    if (le == want) return Status::OK();
    double v = 0;
    if (!ParseLe(le, &v)) continue;
    if (v == h.threshold_seconds) same_value = &le;
    present.emplace_back(v, le);
  }
  const std::string prefix = slo.file + ": SLO " + slo.id + ": histogram " + h.metric + "_bucket" +
                             (h.filter.empty() ? "" : "{" + h.filter + "}") + " ";
  if (same_value != nullptr) {
    return Status::InvalidArgument(prefix + "has the threshold bucket spelled le=\"" + *same_value +
                                   "\", but the SLI selects le=\"" + want + "\"");
  }
  if (present.empty()) {
    return Status::NotFound(prefix + "has no buckets (threshold_seconds " + want + ")");
  }
  std::sort(present.begin(), present.end());
  present.erase(std::unique(present.begin(), present.end()), present.end());
  std::string list;
  for (const auto& [v, s] : present) list += (list.empty() ? "" : ", ") + s;
  return Status::NotFound(prefix + "has no bucket le=\"" + want +
                          "\" for threshold_seconds; buckets present: " + list);
}

}  // namespace tidemark::alerting
