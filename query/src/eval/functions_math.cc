// Element-wise functions: math, trigonometry, clamping, rounding and calendar functions.
#include <cmath>
#include <numbers>

#include "eval/evaluator.h"

namespace tidemark::query::eval {
namespace {

// Go's math.Max/Min: NaN wins, and the signed zeros are ordered.
double GoMax(double a, double b) {
  if (std::isinf(a) && a > 0) return a;
  if (std::isinf(b) && b > 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::nan("");
  if (a == 0 && a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
double GoMin(double a, double b) {
  if (std::isinf(a) && a < 0) return a;
  if (std::isinf(b) && b < 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::nan("");
  if (a == 0 && a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

struct Civil {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
  int hour, minute;
  int weekday;  // 0 = Sunday
  int yday;     // 1..366
};

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

Civil CivilFromUnix(int64_t secs) {
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  Civil c{};
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>((rem % 3600) / 60);
  c.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  // Howard Hinnant's civil_from_days.
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = c.month <= 2 ? y + 1 : y;
  static const int kCum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  c.yday = kCum[c.month - 1] + c.day + ((c.month > 2 && IsLeap(c.year)) ? 1 : 0);
  return c;
}

int DaysInMonth(int64_t year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// Go converts a float to int64 by truncation; out-of-range values give the minimum int64.
int64_t GoFloatToInt64(double f) {
  if (std::isnan(f) || f >= 9.2233720368547758e18 || f < -9.2233720368547758e18) {
    return INT64_MIN;
  }
  return static_cast<int64_t>(f);
}

}  // namespace

bool IsDateFunction(std::string_view name) {
  return name == "day_of_month" || name == "day_of_week" || name == "day_of_year" ||
         name == "days_in_month" || name == "hour" || name == "minute" || name == "month" ||
         name == "year";
}

double DateFunction(std::string_view name, double unix_seconds) {
  Civil c = CivilFromUnix(GoFloatToInt64(unix_seconds));
  if (name == "day_of_month") return c.day;
  if (name == "day_of_week") return c.weekday;
  if (name == "day_of_year") return c.yday;
  if (name == "days_in_month") return DaysInMonth(c.year, c.month);
  if (name == "hour") return c.hour;
  if (name == "minute") return c.minute;
  if (name == "month") return c.month;
  return static_cast<double>(c.year);
}

bool ElementFunction(std::string_view name, double f, const std::vector<double>& s, double* out) {
  if (name == "abs") *out = std::fabs(f);
  else if (name == "ceil") *out = std::ceil(f);
  else if (name == "floor") *out = std::floor(f);
  else if (name == "exp") *out = std::exp(f);
  else if (name == "sqrt") *out = std::sqrt(f);
  else if (name == "ln") *out = std::log(f);
  else if (name == "log2") *out = std::log2(f);
  else if (name == "log10") *out = std::log10(f);
  else if (name == "sin") *out = std::sin(f);
  else if (name == "cos") *out = std::cos(f);
  else if (name == "tan") *out = std::tan(f);
  else if (name == "asin") *out = std::asin(f);
  else if (name == "acos") *out = std::acos(f);
  else if (name == "atan") *out = std::atan(f);
  else if (name == "sinh") *out = std::sinh(f);
  else if (name == "cosh") *out = std::cosh(f);
  else if (name == "tanh") *out = std::tanh(f);
  else if (name == "asinh") *out = std::asinh(f);
  else if (name == "acosh") *out = std::acosh(f);
  else if (name == "atanh") *out = std::atanh(f);
  else if (name == "rad") *out = f * std::numbers::pi / 180;
  else if (name == "deg") *out = f * 180 / std::numbers::pi;
  else if (name == "sgn") *out = f < 0 ? -1 : (f > 0 ? 1 : f);
  else if (name == "round") {
    double to_nearest = s.empty() ? 1 : s[0];
    double inv = 1.0 / to_nearest;
    *out = std::floor(f * inv + 0.5) / inv;
  } else if (name == "clamp") {
    *out = GoMax(s.at(0), GoMin(s.at(1), f));
  } else if (name == "clamp_min") {
    *out = GoMax(s.at(0), GoMin(std::numeric_limits<double>::infinity(), f));
  } else if (name == "clamp_max") {
    *out = GoMax(-std::numeric_limits<double>::infinity(), GoMin(s.at(0), f));
  } else if (IsDateFunction(name)) {
    *out = DateFunction(name, f);
  } else {
    return false;
  }
  return true;
}

}  // namespace tidemark::query::eval
