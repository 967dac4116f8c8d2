// Prometheus durations (model.ParseDuration / Duration.String) and RFC 3339 timestamps.
#include <cstdio>
#include <ctime>
#include <iterator>
#include <limits>

#include "tidemark/storage/model/strconv.h"

namespace tidemark {
namespace {

constexpr int64_t kMsPerSecond = 1000;
constexpr int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;
constexpr int64_t kMsPerWeek = 7 * kMsPerDay;
constexpr int64_t kMsPerYear = 365 * kMsPerDay;

Status BadDuration(std::string_view input) {
  return Status::InvalidArgument("not a valid duration string: \"" + std::string(input) + "\"");
}

}  // namespace

Result<int64_t> ParseDuration(std::string_view input) {
  if (input == "0") return int64_t{0};
  if (input.empty()) return Status::InvalidArgument("empty duration string");
  struct Unit {
    std::string_view name;
    int64_t ms;
  };
  static constexpr Unit kUnits[] = {{"y", kMsPerYear}, {"w", kMsPerWeek},   {"d", kMsPerDay},
                                    {"h", kMsPerHour}, {"m", kMsPerMinute}, {"s", kMsPerSecond},
                                    {"ms", 1}};
  constexpr uint64_t kMaxNs = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t pos = 0;
  size_t next_unit = 0;  // units must appear in kUnits order
  uint64_t total_ns = 0;
  while (pos < input.size()) {
    if (!is_digit(input[pos])) return BadDuration(input);
    uint64_t n = 0;
    bool overflow = false;
    while (pos < input.size() && is_digit(input[pos])) {
      if (n > (kMaxNs - 9) / 10) overflow = true;
      n = n * 10 + static_cast<uint64_t>(input[pos] - '0');
      ++pos;
    }
    if (overflow) return BadDuration(input);
    size_t unit_start = pos;
    while (pos < input.size() && !is_digit(input[pos])) ++pos;
    if (pos == unit_start) return BadDuration(input);
    std::string_view unit = input.substr(unit_start, pos - unit_start);
    size_t u = 0;
    while (u < std::size(kUnits) && kUnits[u].name != unit) ++u;
    if (u == std::size(kUnits)) {
      return Status::InvalidArgument("unknown unit \"" + std::string(unit) + "\" in duration \"" +
                                     std::string(input) + "\"");
    }
    if (u < next_unit) return BadDuration(input);
    next_unit = u + 1;
    uint64_t mult_ns = static_cast<uint64_t>(kUnits[u].ms) * 1000000u;
    if (n > (kMaxNs + 1) / mult_ns) return Status::InvalidArgument("duration out of range");
    total_ns += n * mult_ns;
    if (total_ns > kMaxNs) return Status::InvalidArgument("duration out of range");
  }
  return static_cast<int64_t>(total_ns / 1000000u);
}

std::string FormatDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = ms == std::numeric_limits<int64_t>::min() ? std::numeric_limits<int64_t>::max() : -ms;
  }
  auto part = [&](const char* unit, int64_t mult, bool exact) {
    if (exact && ms % mult != 0) return;
    int64_t v = ms / mult;
    if (v > 0) {
      out += std::to_string(v);
      out += unit;
      ms -= v * mult;
    }
  };
  part("y", kMsPerYear, true);
  part("w", kMsPerWeek, true);
  part("d", kMsPerDay, false);
  part("h", kMsPerHour, false);
  part("m", kMsPerMinute, false);
  part("s", kMsPerSecond, false);
  part("ms", 1, false);
  return out;
}

std::string FormatRfc3339(Timestamp ms, Rfc3339Fraction fraction) {
  const Timestamp secs_part = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  const int frac = static_cast<int>(ms - secs_part * 1000);
  std::time_t secs = static_cast<std::time_t>(secs_part);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out(buf, static_cast<size_t>(n));
  if (fraction == Rfc3339Fraction::kMillis || frac != 0) {
    std::snprintf(buf, sizeof(buf), ".%03d", frac);
    std::string f = buf;
    if (fraction == Rfc3339Fraction::kTrimmed) {
      while (f.back() == '0') f.pop_back();
    }
    out += f;
  }
  return out + "Z";
}

std::string FormatGoTime(Timestamp ms, Rfc3339Fraction fraction) {
  if (ms == 0) return "0001-01-01T00:00:00Z";
  return FormatRfc3339(ms, fraction);
}

}  // namespace tidemark
