// libFuzzer target: the small text decoders behind API parameters, flags and config values. The
// first input byte picks one; where a printer exists, what parses must print to text that parses
// back to the same value:
//   0 ParseApiTime (time=, start=, end=): RFC 3339 with milliseconds, years 1 to 9999;
//   1 ParseApiDuration (step=, timeout=): FormatDuration for the range Prometheus' syntax holds,
//     and the same value as ParseDuration wherever that accepts the text;
//   2 ParseDuration / ParsePromDuration (config, rule files): FormatDuration, and both agree;
//   3 ParseMetricSelector (match[]): the matchers' String() in braces;
//   4 ParseByteSize (--storage.tsdb.retention.size, --query.max-bytes): the value is the digits
//     times the unit, never wrapped, and its decimal spelling parses to it;
//   5 ParseFloat: FormatFloat(v, 'g', -1), bit for bit;
//   6 ParseInt (base 0): the decimal spelling;
//   7 Unquote (PromQL and label strings): Quote.
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_modes.h"
#include "serve_config.h"
#include "tidemark/alerting/rule_file.h"
#include "tidemark/http/params.h"
#include "tidemark/query/ast.h"
#include "tidemark/storage/model/strconv.h"

namespace {

using namespace tidemark;

using tidemark::fuzz::Check;

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: what four-digit RFC 3339 years spell.
constexpr Timestamp kYear1 = -62'135'596'800'000;
constexpr Timestamp kYear9999End = 253'402'300'799'999;
// The longest Go time.Duration, in ms: the most Prometheus' duration syntax holds.
constexpr int64_t kMaxGoDurationMs = INT64_MAX / 1'000'000;

void FuzzApiTime(std::string_view s) {
  auto t = http::ParseApiTime(s);
  if (!t.ok() || *t < kYear1 || *t > kYear9999End) return;
  auto again = http::ParseApiTime(FormatRfc3339(*t, Rfc3339Fraction::kMillis));
  Check(again.ok() && *again == *t);
}

void FuzzApiDuration(std::string_view s) {
  auto d = http::ParseApiDuration(s);
  if (auto prom = ParseDuration(s); prom.ok()) Check(d.ok() && *d == *prom);
  if (!d.ok() || *d < 0 || *d > kMaxGoDurationMs) return;
  auto again = http::ParseApiDuration(FormatDuration(*d));
  Check(again.ok() && *again == *d);
}

void FuzzDuration(std::string_view s) {
  auto d = ParseDuration(s);
  auto rule = alerting::ParsePromDuration(s);
  Check(d.ok() == rule.ok());
  if (!d.ok()) return;
  Check(*rule == *d);
  Check(*d >= 0);
  auto again = ParseDuration(FormatDuration(*d));
  Check(again.ok() && *again == *d);
}

void FuzzSelector(std::string_view s) {
  auto ms = query::ParseMetricSelector(s);
  if (!ms.ok()) return;
  std::string text = "{";
  for (const auto& m : *ms) {
    if (text.size() > 1) text += ",";
    text += m.ToString();
  }
  text += "}";
  auto again = query::ParseMetricSelector(text);
  Check(again.ok() && again->size() == ms->size());
  for (size_t i = 0; i < ms->size(); ++i) {
    const Matcher& a = (*ms)[i];
    const Matcher& b = (*again)[i];
    Check(a.name() == b.name() && a.type() == b.type() && a.value() == b.value());
  }
}

void FuzzByteSize(std::string_view s) {
  auto b = app::ParseByteSize(std::string(s));
  if (!b.ok()) return;
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  Check(digits > 0);
  size_t first = 0;  // leading zeros do not count
  while (first + 1 < digits && s[first] == '0') ++first;
  Check(digits - first <= 20);  // more cannot fit 64 bits
  unsigned __int128 n = 0;
  for (size_t i = first; i < digits; ++i) n = n * 10 + static_cast<unsigned>(s[i] - '0');
  if (n == 0) {
    Check(*b == 0);
  } else {
    // A wrapped product would leave a remainder or a quotient that is not a unit (1 to 2^50).
    const unsigned __int128 unit = *b / n;
    Check(*b % n == 0 && std::has_single_bit(static_cast<uint64_t>(unit)) && unit <= (1ULL << 50) &&
          std::countr_zero(static_cast<uint64_t>(unit)) % 10 == 0);
  }
  auto again = app::ParseByteSize(std::to_string(*b));
  Check(again.ok() && *again == *b);
}

void FuzzFloat(std::string_view s) {
  auto v = ParseFloat(s);
  if (!v.ok()) return;
  auto again = ParseFloat(FormatFloat(*v, 'g', -1));
  Check(again.ok());
  if (std::isnan(*v)) {
    Check(std::isnan(*again));
  } else {
    Check(std::bit_cast<uint64_t>(*again) == std::bit_cast<uint64_t>(*v));
  }
}

void FuzzInt(std::string_view s) {
  auto v = ParseInt(s, 0);
  if (!v.ok()) return;
  auto again = ParseInt(std::to_string(*v), 10);
  Check(again.ok() && *again == *v);
}

void FuzzUnquote(std::string_view s) {
  auto u = Unquote(s);
  if (!u.ok()) return;
  auto again = Unquote(Quote(*u));
  Check(again.ok() && *again == *u);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return tidemark::fuzz::RunMode(data, size, {FuzzApiTime, FuzzApiDuration, FuzzDuration, FuzzSelector, FuzzByteSize, FuzzFloat, FuzzInt, FuzzUnquote});
}
