// Time interval parsing (Alertmanager's timeinterval package semantics and messages) and the
// civil-time checks behind Contains.
#include "notify/time_interval.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "notify/config_util.h"

namespace tidemark::alerting {
namespace {

const std::vector<std::string> kWeekdays = {"sunday", "monday", "tuesday", "wednesday",
                                            "thursday", "friday", "saturday"};
const std::vector<std::string> kMonths = {"january", "february", "march", "april", "may", "june", "july",
                                          "august", "september", "october", "november", "december"};

Result<int> Atoi(const std::string& s) {
  size_t i = (s.size() > 1 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size() || s.size() > 10) return Status::InvalidArgument("strconv.Atoi: parsing \"" + s + "\": invalid syntax");
  for (size_t k = i; k < s.size(); ++k) {
    if (!std::isdigit(static_cast<unsigned char>(s[k]))) {
      return Status::InvalidArgument("strconv.Atoi: parsing \"" + s + "\": invalid syntax");
    }
  }
  return std::stoi(s);
}

// One member of a range: a number, or a name from `names` (index + `base`) when given.
Result<int> Member(const std::string& s, const std::vector<std::string>* names, int base, bool names_only,
                   const char* what) {
  if (names != nullptr) {
    auto it = std::find(names->begin(), names->end(), s);
    if (it != names->end()) return static_cast<int>(it - names->begin()) + base;
    if (names_only) return Status::InvalidArgument(s + " is not a valid " + what);
    auto n = Atoi(s);
    if (!n.ok()) return Status::InvalidArgument(s + " is not a valid " + what);
    return n;
  }
  return Atoi(s);
}

// "a" or "a:b" (lower-cased first, as Alertmanager).
Result<TimeInterval::Range> RangeOf(std::string s, const std::vector<std::string>* names, int base,
                                    bool names_only, const char* what) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  TimeInterval::Range r;
  const size_t colon = s.find(':');
  if (colon == std::string::npos) {
    TM_ASSIGN_OR_RETURN(r.begin, Member(s, names, base, names_only, what));
    r.end = r.begin;
    return r;
  }
  if (s.find(':', colon + 1) != std::string::npos) {
    return Status::InvalidArgument("couldn't parse range " + s + ", invalid format");
  }
  TM_ASSIGN_OR_RETURN(r.begin, Member(s.substr(0, colon), names, base, names_only, what));
  TM_ASSIGN_OR_RETURN(r.end, Member(s.substr(colon + 1), names, base, names_only, what));
  return r;
}

// "HH:MM" (00:00 to 23:59, or 24:00) as minutes of the day.
Result<int> MinuteOfDay(const std::string& s) {
  const bool ok = s == "24:00" ||
                  (s.size() == 5 && s[2] == ':' && std::isdigit(static_cast<unsigned char>(s[0])) &&
                   std::isdigit(static_cast<unsigned char>(s[1])) && std::isdigit(static_cast<unsigned char>(s[3])) &&
                   std::isdigit(static_cast<unsigned char>(s[4])) && (s[0] < '2' || (s[0] == '2' && s[1] <= '3')) &&
                   s[3] <= '5');
  if (!ok) return Status::InvalidArgument("couldn't parse timestamp " + s + ", invalid format");
  return std::stoi(s.substr(0, 2)) * 60 + std::stoi(s.substr(3, 2));
}

// Days since 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's algorithm).
void CivilFromDays(int64_t z, int* year, int* month, int* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = static_cast<int>(yoe + era * 400 + (*month <= 2));
}

int DaysInMonth(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

bool AnyContains(const std::optional<std::vector<TimeInterval::Range>>& ranges, int v) {
  if (!ranges) return true;
  return std::any_of(ranges->begin(), ranges->end(), [v](const auto& r) { return v >= r.begin && v <= r.end; });
}

}  // namespace

Result<TimeInterval> ParseTimeInterval(const YAML::Node& n, const std::string& where, const std::string& zoneinfo_dir) {
  TM_RETURN_IF_ERROR(KeysIn(n, {"times", "weekdays", "days_of_month", "months", "years", "location"}, where));
  TimeInterval ti;
  using Ranges = std::optional<std::vector<TimeInterval::Range>>;
  auto list = [&](const char* key, Ranges* dst, auto parse) -> Status {
    const YAML::Node l = n[key];
    if (!l || l.IsNull()) return Status::OK();
    if (!l.IsSequence()) return Status::InvalidArgument(where + "." + key + ": expected a list");
    std::vector<TimeInterval::Range> out;
    for (const auto& item : l) {
      auto r = parse(item);
      if (!r.ok()) return Status::InvalidArgument(where + "." + key + ": " + r.status().message());
      out.push_back(*r);
    }
    *dst = std::move(out);
    return Status::OK();
  };
  if (Status st = list("times", &ti.times, [&](const YAML::Node& t) -> Result<TimeInterval::Range> {
    TM_RETURN_IF_ERROR(KeysIn(t, {"start_time", "end_time"}, where + ".times"));
    const std::string s = t["start_time"] ? t["start_time"].Scalar() : "";
    const std::string e = t["end_time"] ? t["end_time"].Scalar() : "";
    if (s.empty() || e.empty()) return Status::InvalidArgument("both start and end times must be provided");
    TimeInterval::Range r;
    TM_ASSIGN_OR_RETURN(r.begin, MinuteOfDay(s));
    TM_ASSIGN_OR_RETURN(r.end, MinuteOfDay(e));
    if (r.begin >= r.end) return Status::InvalidArgument("start time cannot be equal or greater than end time");
    return r;
  }); !st.ok()) {
    return st;
  }
  if (Status st = list("weekdays", &ti.weekdays, [&](const YAML::Node& s) -> Result<TimeInterval::Range> {
    TM_ASSIGN_OR_RETURN(auto r, RangeOf(s.Scalar(), &kWeekdays, 0, true, "weekday"));
    if (r.begin > r.end) return Status::InvalidArgument("start day cannot be before end day");
    return r;
  }); !st.ok()) {
    return st;
  }
  if (Status st = list("days_of_month", &ti.days_of_month, [&](const YAML::Node& s) -> Result<TimeInterval::Range> {
    TM_ASSIGN_OR_RETURN(auto r, RangeOf(s.Scalar(), nullptr, 0, false, "day of the month"));
    for (int v : {r.begin, r.end}) {
      if (v == 0 || v < -31 || v > 31) {
        return Status::InvalidArgument(std::to_string(v) + " is not a valid day of the month: out of range");
      }
    }
    if (r.begin < 0 && r.end > 0) return Status::InvalidArgument("end day must be negative if start day is negative");
    // Negative days count from a 28-day month for this check, as Alertmanager.
    const int b = r.begin < 0 ? 28 + r.begin : r.begin, e = r.end < 0 ? 28 + r.end : r.end;
    if (b > e) {
      return Status::InvalidArgument("end day " + std::to_string(r.end) + " is always before start day " +
                                     std::to_string(r.begin));
    }
    return r;
  }); !st.ok()) {
    return st;
  }
  if (Status st = list("months", &ti.months, [&](const YAML::Node& s) -> Result<TimeInterval::Range> {
    TM_ASSIGN_OR_RETURN(auto r, RangeOf(s.Scalar(), &kMonths, 1, false, "month"));
    if (r.begin > r.end) {
      auto name = [](int m) { return m >= 1 && m <= 12 ? kMonths[m - 1] : std::string(); };
      return Status::InvalidArgument("end month " + name(r.end) + " is before start month " + name(r.begin));
    }
    return r;
  }); !st.ok()) {
    return st;
  }
  if (Status st = list("years", &ti.years, [&](const YAML::Node& s) -> Result<TimeInterval::Range> {
    TM_ASSIGN_OR_RETURN(auto r, RangeOf(s.Scalar(), nullptr, 0, false, "year"));
    if (r.begin > r.end) {
      return Status::InvalidArgument("end year " + std::to_string(r.end) + " is before start year " +
                                     std::to_string(r.begin));
    }
    return r;
  }); !st.ok()) {
    return st;
  }
  if (const auto loc = n["location"]; loc && !loc.IsNull()) {
    auto tz = TimeZone::Load(loc.Scalar(), zoneinfo_dir);
    if (!tz.ok()) return Status::InvalidArgument(where + ".location: " + tz.status().message());
    ti.location = *tz;
  }
  return ti;
}

bool TimeInterval::Contains(Timestamp ms) const {
  int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  if (location) secs += location->OffsetAt(secs);
  const int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  const int minute = static_cast<int>((secs - days * 86400) / 60);
  int year, month, day;
  CivilFromDays(days, &year, &month, &day);
  const int weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  if (times && !std::any_of(times->begin(), times->end(),
                            [&](const Range& r) { return minute >= r.begin && minute < r.end; })) {
    return false;
  }
  if (days_of_month) {
    const int dim = DaysInMonth(year, month);
    bool in = false;
    for (const Range& r : *days_of_month) {
      const int b = r.begin < 0 ? dim + r.begin + 1 : r.begin;
      const int e = std::clamp(r.end < 0 ? dim + r.end + 1 : r.end, -dim, dim);
      if (b > dim) continue;
      if (day >= std::clamp(b, -dim, dim) && day <= e) {
        in = true;
        break;
      }
    }
    if (!in) return false;
  }
  return AnyContains(months, month) && AnyContains(weekdays, weekday) && AnyContains(years, year);
}

bool InTimeIntervals(const TimeIntervals& intervals, const std::vector<std::string>& names, Timestamp now) {
  for (const auto& name : names) {
    auto it = intervals.find(name);
    if (it == intervals.end()) continue;
    for (const auto& ti : it->second) {
      if (ti.Contains(now)) return true;
    }
  }
  return false;
}

}  // namespace tidemark::alerting
