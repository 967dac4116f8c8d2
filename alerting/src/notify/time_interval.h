// Alertmanager's time intervals (`time_intervals:` / `mute_time_intervals:`): times of day,
// weekdays, days of the month (negative counts from the month's end), months, years, and the
// location they are read in. Used by routes' mute_time_intervals and active_time_intervals.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "notify/time_zone.h"
#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::alerting {

struct TimeInterval {
  struct Range {
    int begin = 0, end = 0;  // inclusive; minutes are [begin, end)
  };
  // An absent field places no constraint; a present one must match one of its ranges.
  std::optional<std::vector<Range>> times;  // minutes of the day
  std::optional<std::vector<Range>> weekdays;  // 0 = Sunday
  std::optional<std::vector<Range>> days_of_month;
  std::optional<std::vector<Range>> months;  // 1 = January
  std::optional<std::vector<Range>> years;
  std::shared_ptr<const TimeZone> location;  // null = UTC

  bool Contains(Timestamp ms) const;
};

// Named lists of intervals: a name is active when any of its intervals contains the instant.
using TimeIntervals = std::map<std::string, std::vector<TimeInterval>>;

// Parses one entry of a `time_intervals:` list (a mapping with times, weekdays, ...), with
// Alertmanager's validation and messages. Unknown fields are errors naming `where`.
Result<TimeInterval> ParseTimeInterval(const YAML::Node& n, const std::string& where,
                                       const std::string& zoneinfo_dir = "/usr/share/zoneinfo");

// True when `now` lies in any interval of any of `names` (all of which exist in `intervals`).
bool InTimeIntervals(const TimeIntervals& intervals, const std::vector<std::string>& names, Timestamp now);

}  // namespace tidemark::alerting
