// Parsing of Prometheus API parameters: times (unix float seconds or RFC 3339) and durations
// (Prometheus duration strings or float seconds). Errors carry Prometheus' message text.
#pragma once

#include <cstdint>
#include <string_view>

#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::http {

// Prometheus' minTime/maxTime sentinels as ms (what an omitted start/end means).
inline constexpr Timestamp kApiMinTime = kMinTimestamp;
inline constexpr Timestamp kApiMaxTime = kMaxTimestamp;

// "1700000000", "1700000000.123", "2023-11-14T22:13:20.123Z", "2023-11-14T23:13:20+01:00".
// Error text: cannot parse "x" to a valid timestamp.
Result<Timestamp> ParseApiTime(std::string_view s);
// "15s", "1h30m", "500ms", "30", "0.5" -> ms. Error: cannot parse "x" to a valid duration.
Result<int64_t> ParseApiDuration(std::string_view s);
// Prometheus duration strings only (no floats): tidemark::ParseDuration / FormatDuration in
// tidemark/storage/model/strconv.h.

}  // namespace tidemark::http
