// Tidemark's SLI shorthands (histogram latency, 0/1 availability) expanded into Sloth SLIs.
#pragma once

#include <string>

#include "tidemark/alerting/slo.h"

namespace tidemark::alerting {

// The `le` label value of the threshold bucket, spelled as Prometheus writes it (Go 'g').
std::string HistogramLeLabel(double threshold_seconds);

// Fills sli->kind/error_query/total_query from sli->histogram (events SLI: error = count - bucket).
void ExpandHistogramSli(SloSli* sli);
// Fills sli->kind/error_ratio_query from sli->availability (raw SLI: 1 - average over the window).
void ExpandAvailabilitySli(SloSli* sli);

// The subquery resolution the availability shorthand samples its 0/1 query at.
inline constexpr const char* kAvailabilityStep = "1m";

}  // namespace tidemark::alerting
