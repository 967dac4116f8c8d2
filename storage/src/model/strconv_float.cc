// Go's strconv.FormatFloat and strconv.ParseFloat for float64.
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "tidemark/storage/model/strconv.h"

namespace tidemark {
namespace {

// Lays out shortest digits (d1.d2d3...e±XX from to_chars) the way Go's fmtF does. Sample values
// in query answers pass through here, so it works in a stack buffer, never on the heap.
void AppendFixedFromScientific(std::string& out, std::string_view sci, int exp) {
  const bool neg = sci.front() == '-';
  if (neg) sci.remove_prefix(1);
  char digits[32];  // at most 17 significant digits for a double
  int nd = 0;
  for (char c : sci.substr(0, sci.find('e'))) {
    if (c != '.') digits[nd++] = c;
  }
  if (neg) out += '-';
  const int dp = exp + 1;  // digits before the decimal point
  if (dp <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-dp), '0');
    out.append(digits, static_cast<size_t>(nd));
  } else if (dp >= nd) {
    out.append(digits, static_cast<size_t>(nd));
    out.append(static_cast<size_t>(dp - nd), '0');
  } else {
    out.append(digits, static_cast<size_t>(dp));
    out += '.';
    out.append(digits + dp, static_cast<size_t>(nd - dp));
  }
  // Zero's shortest form is "0e+00"; Go prints "0", which the dp >= nd branch gives.
}

Status NumError(std::string_view s, const char* what) {
  return Status::InvalidArgument("strconv.ParseFloat: parsing " + Quote(s) + ": " + what);
}

char Lower(char c) { return static_cast<char>(c | 0x20); }

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != b[i]) return false;
  }
  return true;
}

// Go's underscoreOK: each '_' sits between digits (a base prefix counts as a digit).
bool UnderscoresOk(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' && (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    char c = s[i];
    if ((c >= '0' && c <= '9') || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// Go's readFloat syntax check over the whole string; on success *clean is s without underscores.
bool GoFloatSyntax(std::string_view s, std::string* clean) {
  size_t i = 0;
  bool underscores = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  bool hex = false;
  if (i + 2 < s.size() && s[i] == '0' && Lower(s[i + 1]) == 'x') {
    hex = true;
    i += 2;
  }
  bool sawdot = false, sawdigits = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      underscores = true;
    } else if (c == '.') {
      if (sawdot) break;
      sawdot = true;
    } else if ((c >= '0' && c <= '9') || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      sawdigits = true;
    } else {
      break;
    }
  }
  if (!sawdigits) return false;
  if (i < s.size() && Lower(s[i]) == (hex ? 'p' : 'e')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    for (; i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); ++i) {
      if (s[i] == '_') underscores = true;
    }
  } else if (hex) {
    return false;  // a hex mantissa needs a p exponent
  }
  if (i != s.size()) return false;
  if (underscores && !UnderscoresOk(s)) return false;
  clean->clear();
  for (char c : s) {
    if (c != '_') *clean += c;
  }
  return true;
}

}  // namespace

void AppendFloat(std::string& out, double v, char fmt, int prec) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  const bool upper = fmt == 'E' || fmt == 'G';
  const char lower = upper ? static_cast<char>(fmt - 'A' + 'a') : fmt;
  const size_t start = out.size();
  if (prec < 0 && lower == 'f' && std::fabs(v) < 1e15) {
    // Below 2^53 every integer part is exact, so the shortest fixed form that round-trips is
    // Go's shortest digits laid out in fixed notation: one call, no re-layout.
    char buf[400];  // fixed shortest of the smallest denormal has 327 characters
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    out.append(buf, res.ptr);
    return;
  }
  if (prec < 0) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
    int exp = 0;
    size_t epos = sci.find('e');
    std::from_chars(sci.data() + epos + (sci[epos + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exp);
    // 'g' with shortest digits switches to the exponent form below 1e-4 or from 1e6 (eprec 6).
    if (lower == 'e' || (lower == 'g' && (exp < -4 || exp >= 6) && v != 0)) {
      out.append(sci);
    } else {
      AppendFixedFromScientific(out, sci, exp);
    }
  } else {
    std::chars_format f = lower == 'f'   ? std::chars_format::fixed
                          : lower == 'e' ? std::chars_format::scientific
                                         : std::chars_format::general;
    if (lower == 'g' && prec == 0) prec = 1;
    // Fixed notation of DBL_MAX has 309 integer digits; small precisions stay on the stack.
    char small[512];
    std::vector<char> big;
    char* buf = small;
    size_t cap = sizeof small;
    if (static_cast<size_t>(prec) + 400 > cap) {
      big.resize(static_cast<size_t>(prec) + 400);
      buf = big.data();
      cap = big.size();
    }
    auto res = std::to_chars(buf, buf + cap, v, f, prec);
    out.append(buf, res.ptr);
  }
  if (upper) {
    for (size_t i = start; i < out.size(); ++i) {
      if (out[i] == 'e') out[i] = 'E';
    }
  }
}

std::string FormatFloat(double v, char fmt, int prec) {
  std::string out;
  AppendFloat(out, v, fmt, prec);
  return out;
}

Result<double> ParseFloat(std::string_view s) {
  // Go's special(): an optional sign then "inf" or "infinity", or "nan" with no sign.
  {
    std::string_view body = s;
    double sign = 1;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
      sign = body[0] == '-' ? -1 : 1;
      body.remove_prefix(1);
      if (IEquals(body, "inf") || IEquals(body, "infinity")) return sign * HUGE_VAL;
    } else if (IEquals(body, "inf") || IEquals(body, "infinity")) {
      return HUGE_VAL;
    } else if (IEquals(body, "nan")) {
      return std::nan("");
    }
  }
  std::string clean;
  if (!GoFloatSyntax(s, &clean)) return NumError(s, "invalid syntax");
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(clean.c_str(), &end);
  // strtod rounds correctly like Go; only overflow is an error (underflow gives 0 or a denormal).
  if (errno == ERANGE && std::isinf(v)) return NumError(s, "value out of range");
  return v;
}

}  // namespace tidemark
