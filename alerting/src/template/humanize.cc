// Prometheus' humanize* template functions, with the same outputs (Go's %.4g formatting).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "template/template.h"

namespace tidemark::alerting {
namespace {

// Go's fmt "%.4g" plus a suffix.
std::string G4(double v, std::string_view suffix = "") { return FormatFloat(v, 'g', 4).append(suffix); }

}  // namespace

Result<double> TemplateToFloat(const TValue& v) {
  switch (v.kind) {
    case TValue::Kind::kFloat: return v.f;
    case TValue::Kind::kInt: return static_cast<double>(v.i);
    case TValue::Kind::kString: return ParseFloat(v.s);
    default: return Status::InvalidArgument("can't convert " + v.GoTypeName() + " to float");
  }
}

Result<std::string> Humanize(const TValue& in) {
  TM_ASSIGN_OR_RETURN(double v, TemplateToFloat(in));
  if (v == 0 || std::isnan(v) || std::isinf(v)) return G4(v);
  static const char* kBig[] = {"k", "M", "G", "T", "P", "E", "Z", "Y"};
  static const char* kSmall[] = {"m", "u", "n", "p", "f", "a", "z", "y"};
  const char* prefix = "";
  if (std::fabs(v) >= 1) {
    for (const char* p : kBig) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return G4(v, prefix);
  }
  for (const char* p : kSmall) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return G4(v, prefix);
}

Result<std::string> Humanize1024(const TValue& in) {
  TM_ASSIGN_OR_RETURN(double v, TemplateToFloat(in));
  if (std::fabs(v) <= 1 || std::isnan(v) || std::isinf(v)) return G4(v);
  static const char* kUnits[] = {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"};
  const char* prefix = "";
  for (const char* p : kUnits) {
    if (std::fabs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return G4(v, prefix);
}

Result<std::string> HumanizeDuration(const TValue& in) {
  TM_ASSIGN_OR_RETURN(double v, TemplateToFloat(in));
  if (std::isnan(v) || std::isinf(v)) return G4(v);
  if (v == 0) return G4(v, "s");
  if (std::fabs(v) >= 1) {
    std::string sign;
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    const auto d = static_cast<int64_t>(v);
    const int64_t seconds = d % 60, minutes = (d / 60) % 60, hours = (d / 3600) % 24,
                  days = d / 86400;
    char buf[128];
    if (days != 0) {
      std::snprintf(buf, sizeof(buf), "%s%lldd %lldh %lldm %llds", sign.c_str(),
                    static_cast<long long>(days), static_cast<long long>(hours),
                    static_cast<long long>(minutes), static_cast<long long>(seconds));
    } else if (hours != 0) {
      std::snprintf(buf, sizeof(buf), "%s%lldh %lldm %llds", sign.c_str(),
                    static_cast<long long>(hours), static_cast<long long>(minutes),
                    static_cast<long long>(seconds));
    } else if (minutes != 0) {
      std::snprintf(buf, sizeof(buf), "%s%lldm %llds", sign.c_str(),
                    static_cast<long long>(minutes), static_cast<long long>(seconds));
    } else {
      return sign + G4(v, "s");
    }
    return std::string(buf);
  }
  static const char* kSmall[] = {"m", "u", "n", "p", "f", "a", "z", "y"};
  std::string prefix;
  for (const char* p : kSmall) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return G4(v, (prefix + "s").c_str());
}

Result<std::string> HumanizePercentage(const TValue& in) {
  TM_ASSIGN_OR_RETURN(double v, TemplateToFloat(in));
  return G4(v * 100, "%");
}

Result<std::string> HumanizeTimestamp(const TValue& in) {
  TM_ASSIGN_OR_RETURN(double v, TemplateToFloat(in));
  if (std::isnan(v) || std::isinf(v)) return G4(v);
  const double ns = v * 1e9;
  if (ns >= 9.2233720368547758e18 || ns < -9.2233720368547758e18) {
    return Status::InvalidArgument(FormatFloat(v, 'g', -1) +
                                   " cannot be represented as a nanoseconds timestamp since it "
                                   "overflows int64");
  }
  // Prometheus goes through model.Time, i.e. truncates to milliseconds.
  const int64_t ms = static_cast<int64_t>(ns) / 1000000;
  int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  std::string out = buf;
  if (frac != 0) {
    char f[8];
    std::snprintf(f, sizeof(f), ".%03lld", static_cast<long long>(frac));
    std::string fs = f;
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  return out + " +0000 UTC";
}

}  // namespace tidemark::alerting
