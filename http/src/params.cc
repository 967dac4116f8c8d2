// Time and duration parameter parsing.
#include "tidemark/http/params.h"
#include "tidemark/query/ast.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace tidemark::http {

namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool ParseRfc3339(std::string_view s, Timestamp* out) {
  int y, mo, d, h, mi, se;
  if (!Digits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' ||
      !Digits(s, 17, 2, &se)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return false;
  size_t pos = 19;
  int64_t frac_ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9) return false;
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &om)) {
      return false;
    }
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offset_s;
  *out = secs * 1000 + frac_ms;
  return true;
}

}  // namespace

Result<Timestamp> ParseApiTime(std::string_view s) {
  if (auto p = ParseFloat(s); p.ok() && std::isfinite(*p) && std::fabs(*p) < 9.2e15) {
    double ip;
    double frac = std::modf(*p, &ip);
    return static_cast<Timestamp>(ip) * 1000 + static_cast<Timestamp>(std::round(frac * 1000));
  }
  Timestamp t;
  if (ParseRfc3339(s, &t)) return t;
  // Prometheus' formatted minTime/maxTime, as sent back by some clients.
  if (s == "-292273086-05-16T16:47:06Z") return kApiMinTime;
  if (s == "292277025-08-18T07:12:54.999999999Z") return kApiMaxTime;
  return Status::InvalidArgument("cannot parse \"" + std::string(s) + "\" to a valid timestamp");
}

Result<int64_t> ParseApiDuration(std::string_view s) {
  if (auto f = ParseFloat(s); f.ok()) {
    double ms = *f * 1000;
    if (!std::isfinite(ms) || ms > 9.2e18 || ms < -9.2e18) {
      return Status::InvalidArgument("cannot parse \"" + std::string(s) +
                                     "\" to a valid duration. It overflows int64");
    }
    return static_cast<int64_t>(ms);
  }
  auto d = ParseDuration(s);
  if (d.ok()) return *d;
  return Status::InvalidArgument("cannot parse \"" + std::string(s) + "\" to a valid duration");
}

}  // namespace tidemark::http
