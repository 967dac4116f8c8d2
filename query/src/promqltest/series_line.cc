// Series lines of promql-test scripts: `metric{label="v"} <value sequence>`, durations, numbers.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "promqltest/script.h"
#include "tidemark/query/promql_test.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::query::script {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}

// Reads a quoted string at s[*i] (", ' or `) and unquotes it as the PromQL lexer does; advances
// *i past the closing quote. False when unterminated or not a valid Go string literal.
bool ReadQuoted(std::string_view s, size_t* i, std::string* out) {
  char q = s[*i];
  size_t k = *i + 1;
  while (k < s.size() && s[k] != q) k += (s[k] == '\\' && q != '`') ? 2 : 1;
  if (k >= s.size()) return false;
  auto v = Unquote(s.substr(*i, k + 1 - *i));
  if (!v.ok()) return false;
  *out = std::move(*v);
  *i = k + 1;
  return true;
}

// True when `n` more values keep the line within kMaxSeriesLineValues.
bool Fits(const std::vector<std::optional<double>>& out, double n) {
  return n >= 0 && n <= static_cast<double>(kMaxSeriesLineValues - out.size());
}

// Expands one value item into `out`. Returns false on a syntax error or when the line would
// expand past kMaxSeriesLineValues.
bool ExpandItem(std::string_view item, std::vector<std::optional<double>>* out, bool* hist) {
  if (item.rfind("{{", 0) == 0) {
    *hist = true;
    size_t close = item.rfind("}}");
    std::string_view suffix = close == std::string_view::npos ? "" : item.substr(close + 2);
    double n = 1;
    if (!suffix.empty() && suffix[0] == 'x') {
      n = static_cast<double>(std::strtoul(std::string(suffix.substr(1)).c_str(), nullptr, 10) + 1);
    }
    if (!Fits(*out, n)) return false;
    for (size_t k = 0; k < static_cast<size_t>(n); ++k) out->push_back(std::nullopt);
    return true;
  }
  if (item == "_") {
    if (!Fits(*out, 1)) return false;
    out->push_back(std::nullopt);
    return true;
  }
  if (item.rfind("_x", 0) == 0) {
    auto n = ParseNumber(item.substr(2));
    if (!n) return false;
    if (*n < 0) return true;  // nothing to add
    if (!Fits(*out, *n)) return false;
    for (int64_t k = 0; k < static_cast<int64_t>(*n); ++k) out->push_back(std::nullopt);
    return true;
  }
  if (item == "stale") {
    if (!Fits(*out, 1)) return false;
    out->push_back(StaleNaN());
    return true;
  }
  auto value_of = [](std::string_view v) -> std::optional<double> {
    if (v == "stale") return StaleNaN();
    auto n = ParseNumber(v);
    if (n) return n;
    auto d = ParseScriptDuration(v);
    if (d.ok()) return static_cast<double>(*d) / 1000;
    return std::nullopt;
  };
  size_t x = item.rfind('x');
  if (x != std::string_view::npos && x > 0 && x + 1 < item.size() &&
      std::all_of(item.begin() + static_cast<long>(x) + 1, item.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    // Digits only, so strtod cannot fail; an absurd count fails the check below.
    const double n = std::strtod(std::string(item.substr(x + 1)).c_str(), nullptr);
    if (!Fits(*out, n + 1)) return false;
    std::string_view expr = item.substr(0, x);
    // Find a binary + or - (not a sign, not an exponent sign).
    size_t op = std::string_view::npos;
    for (size_t k = 1; k < expr.size(); ++k) {
      if ((expr[k] == '+' || expr[k] == '-') && expr[k - 1] != 'e' && expr[k - 1] != 'E') {
        op = k;
        break;
      }
    }
    double a, b = 0;
    if (op == std::string_view::npos) {
      auto v = value_of(expr);
      if (!v) return false;
      a = *v;
    } else {
      auto va = value_of(expr.substr(0, op));
      auto vb = value_of(expr.substr(op + 1));
      if (!va || !vb) return false;
      a = *va;
      b = expr[op] == '+' ? *vb : -*vb;
    }
    for (int64_t k = 0; k <= static_cast<int64_t>(n); ++k) out->push_back(a + b * static_cast<double>(k));
    return true;
  }
  auto v = value_of(item);
  if (!v || !Fits(*out, 1)) return false;
  out->push_back(*v);
  return true;
}

}  // namespace

std::optional<double> ParseNumber(std::string_view in) {
  std::string s(in);
  if (s.empty()) return std::nullopt;
  // Integer with base prefix (Go's base 0), including legacy octal.
  {
    std::string t = s;
    bool neg = false;
    size_t p = 0;
    if (t[0] == '+' || t[0] == '-') {
      neg = t[0] == '-';
      p = 1;
    }
    std::string body = t.substr(p);
    body.erase(std::remove(body.begin(), body.end(), '_'), body.end());
    int base = 10;
    std::string digits = body;
    if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
      base = 16;
      digits = body.substr(2);
    } else if (body.size() > 2 && body[0] == '0' && (body[1] == 'o' || body[1] == 'O')) {
      base = 8;
      digits = body.substr(2);
    } else if (body.size() > 2 && body[0] == '0' && (body[1] == 'b' || body[1] == 'B')) {
      base = 2;
      digits = body.substr(2);
    } else if (body.size() > 1 && body[0] == '0') {
      base = 8;
      digits = body.substr(1);
    }
    if (!digits.empty()) {
      char* end = nullptr;
      errno = 0;
      unsigned long long v = std::strtoull(digits.c_str(), &end, base);
      if (end == digits.c_str() + digits.size() && errno == 0 &&
          std::isalnum(static_cast<unsigned char>(digits[0]))) {
        double d = static_cast<double>(v);
        return neg ? -d : d;
      }
    }
  }
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return d;
}

Result<int64_t> ParseScriptDuration(std::string_view s) {
  s = Trim(s);
  if (s == "0") return int64_t{0};
  if (s.empty()) return Status::InvalidArgument("empty duration");
  int64_t total = 0;
  size_t i = 0;
  bool any = false;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    if (j == i) return Status::InvalidArgument("not a valid duration string: \"" + std::string(s) + "\"");
    int64_t n = 0;
    for (size_t d = i; d < j; ++d) {
      if (__builtin_mul_overflow(n, int64_t{10}, &n) || __builtin_add_overflow(n, int64_t(s[d] - '0'), &n)) {
        return Status::InvalidArgument("duration out of range: \"" + std::string(s) + "\"");
      }
    }
    size_t k = j;
    while (k < s.size() && std::isalpha(static_cast<unsigned char>(s[k]))) ++k;
    std::string_view unit = s.substr(j, k - j);
    int64_t mult;
    if (unit == "ms") mult = 1;
    else if (unit == "s") mult = 1000;
    else if (unit == "m") mult = 60'000;
    else if (unit == "h") mult = 3'600'000;
    else if (unit == "d") mult = 86'400'000;
    else if (unit == "w") mult = 7 * 86'400'000LL;
    else if (unit == "y") mult = 365 * 86'400'000LL;
    else return Status::InvalidArgument("not a valid duration string: \"" + std::string(s) + "\"");
    if (__builtin_mul_overflow(n, mult, &n) || __builtin_add_overflow(total, n, &total)) {
      return Status::InvalidArgument("duration out of range: \"" + std::string(s) + "\"");
    }
    any = true;
    i = k;
  }
  if (!any) return Status::InvalidArgument("not a valid duration string");
  return total;
}

Result<SeriesLine> ParseSeriesLine(std::string_view line) {
  line = Trim(line);
  SeriesLine out;
  std::vector<Label> labels;
  size_t i = 0;
  while (i < line.size() && IsIdentChar(line[i])) ++i;
  if (i > 0) labels.push_back({std::string(kMetricName), std::string(line.substr(0, i))});
  if (i < line.size() && line[i] == '{') {
    ++i;
    for (;;) {
      while (i < line.size() && (std::isspace(static_cast<unsigned char>(line[i])) || line[i] == ',')) ++i;
      if (i >= line.size()) return Status::InvalidArgument("unterminated label set");
      if (line[i] == '}') {
        ++i;
        break;
      }
      std::string name;
      const bool quoted_name = line[i] == '"' || line[i] == '\'' || line[i] == '`';
      if (quoted_name) {
        if (!ReadQuoted(line, &i, &name)) return Status::InvalidArgument("bad quoted label name");
      } else {
        size_t b = i;
        while (i < line.size() && IsIdentChar(line[i])) ++i;
        // Without this, a stray character would be read as an empty name forever.
        if (i == b) return Status::InvalidArgument("unexpected character in label set");
        name = std::string(line.substr(b, i - b));
      }
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      if (!quoted_name && (i >= line.size() || line[i] != '=')) {
        return Status::InvalidArgument("label \"" + name + "\" has no value");
      }
      if (i < line.size() && line[i] == '=') {
        ++i;
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        std::string value;
        if (i >= line.size() || !ReadQuoted(line, &i, &value)) {
          return Status::InvalidArgument("bad label value");
        }
        labels.push_back({name, value});
      } else {
        // A bare quoted string inside braces is the metric name.
        labels.push_back({std::string(kMetricName), name});
      }
    }
  }
  if (i == 0) return Status::InvalidArgument("missing series description");
  std::string_view rest = line.substr(i);
  if (rest.rfind("@st", 0) == 0) {
    out.start_timestamps = true;
    rest.remove_prefix(3);
  }
  out.labels = Labels(std::move(labels));
  // Tokenize values; `{{ ... }}` groups (with their suffix) are single items.
  size_t k = 0;
  while (k < rest.size()) {
    while (k < rest.size() && std::isspace(static_cast<unsigned char>(rest[k]))) ++k;
    if (k >= rest.size()) break;
    size_t b = k;
    if (rest.compare(k, 2, "{{") == 0) {
      for (;;) {
        size_t close = rest.find("}}", k);
        if (close == std::string_view::npos) return Status::InvalidArgument("unterminated histogram");
        k = close + 2;
        if (k + 2 < rest.size() && (rest[k] == '+' || rest[k] == '-') && rest.compare(k + 1, 2, "{{") == 0) {
          continue;
        }
        break;
      }
      while (k < rest.size() && !std::isspace(static_cast<unsigned char>(rest[k]))) ++k;
    } else {
      while (k < rest.size() && !std::isspace(static_cast<unsigned char>(rest[k]))) ++k;
    }
    std::string_view item = rest.substr(b, k - b);
    if (out.start_timestamps) continue;
    if (!ExpandItem(item, &out.values, &out.has_histogram)) {
      return Status::InvalidArgument("invalid value \"" + std::string(item) + "\"");
    }
  }
  return out;
}

}  // namespace tidemark::query::script

namespace tidemark::query {

Result<SeriesDescription> ParseSeriesDescription(std::string_view text) {
  TM_ASSIGN_OR_RETURN(script::SeriesLine line, script::ParseSeriesLine(text));
  if (line.has_histogram) return Status::InvalidArgument("native histograms are not supported");
  if (line.start_timestamps) return Status::InvalidArgument("start timestamps are not supported");
  return SeriesDescription{std::move(line.labels), std::move(line.values)};
}

}  // namespace tidemark::query
