// OTLP → Prometheus naming rules (see otlp_naming.h and docs/ingest.md).
#include "otlp_naming.h"

#include <algorithm>
#include <cctype>
#include <span>
#include <vector>

namespace tidemark::ingest {
namespace {

struct UnitEntry {
  std::string_view otel;
  std::string_view prom;
};

// UCUM-style units used by OpenTelemetry semantic conventions and their Prometheus words.
constexpr UnitEntry kUnits[] = {
    {"d", "days"},       {"h", "hours"},          {"min", "minutes"},     {"s", "seconds"},
    {"ms", "milliseconds"}, {"us", "microseconds"}, {"ns", "nanoseconds"}, {"By", "bytes"},
    {"KiBy", "kibibytes"}, {"MiBy", "mebibytes"}, {"GiBy", "gibibytes"},  {"TiBy", "tibibytes"},
    {"KBy", "kilobytes"}, {"MBy", "megabytes"},   {"GBy", "gigabytes"},   {"TBy", "terabytes"},
    {"m", "meters"},     {"V", "volts"},          {"A", "amperes"},       {"J", "joules"},
    {"W", "watts"},      {"g", "grams"},          {"Cel", "celsius"},     {"Hz", "hertz"},
    {"1", ""},           {"%", "percent"},
};

// Units after a '/' (rates) use the singular word.
constexpr UnitEntry kPerUnits[] = {
    {"s", "second"}, {"m", "minute"}, {"h", "hour"}, {"d", "day"},
    {"w", "week"},   {"mo", "month"}, {"y", "year"},
};

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits on every character that is not [a-zA-Z0-9:] (including '_'), dropping empty tokens:
// invalid characters become '_' and runs of '_' collapse.
std::vector<std::string> Tokens(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (IsNameChar(c)) {
      cur += c;
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::string Join(const std::vector<std::string>& tokens) {
  std::string out;
  for (const std::string& t : tokens) {
    if (!out.empty()) out += '_';
    out += t;
  }
  return out;
}

std::string Lookup(std::span<const UnitEntry> table, std::string_view unit) {
  for (const UnitEntry& e : table) {
    if (e.otel == unit) return std::string(e.prom);
  }
  return std::string(unit);
}

// Unit words with invalid characters replaced and outer underscores trimmed.
std::string CleanUnit(std::string_view unit) { return Join(Tokens(unit)); }

bool Contains(const std::vector<std::string>& tokens, std::string_view t) {
  return std::find(tokens.begin(), tokens.end(), t) != tokens.end();
}

void MoveToEnd(std::vector<std::string>& tokens, std::string_view word) {
  std::erase(tokens, std::string(word));
  tokens.emplace_back(word);
}

// Splits "X/Y" and maps both halves; annotations in braces make a half contribute nothing.
void UnitSuffixes(std::string_view unit, std::string* main, std::string* per) {
  size_t slash = unit.find('/');
  std::string_view m = Trim(unit.substr(0, slash));
  if (!m.empty() && m.find_first_of("{}") == std::string_view::npos) *main = CleanUnit(Lookup(kUnits, m));
  if (slash != std::string_view::npos) {
    std::string_view p = Trim(unit.substr(slash + 1));
    if (!p.empty() && p.find_first_of("{}") == std::string_view::npos) *per = CleanUnit(Lookup(kPerUnits, p));
  }
}

}  // namespace

std::string PrometheusMetricName(const OtlpMetric& metric, bool add_suffixes) {
  std::vector<std::string> tokens = Tokens(metric.name);
  if (add_suffixes) {
    std::string main, per;
    UnitSuffixes(metric.unit, &main, &per);
    if (!main.empty() && !Contains(tokens, main)) tokens.push_back(main);
    if (!per.empty() && !Contains(tokens, per)) {
      tokens.emplace_back("per");
      tokens.push_back(per);
    }
    if (metric.kind == OtlpMetricKind::kSum && metric.monotonic) MoveToEnd(tokens, "total");
    if (metric.kind == OtlpMetricKind::kGauge && Trim(metric.unit) == "1") MoveToEnd(tokens, "ratio");
  }
  std::string name = Join(tokens);
  if (!name.empty() && name[0] >= '0' && name[0] <= '9') name.insert(0, "_");
  return name;
}

std::string PrometheusLabelName(std::string_view key) {
  if (key.empty()) return {};
  std::string out(key);
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) c = '_';
  }
  if (out[0] >= '0' && out[0] <= '9') {
    out.insert(0, "key_");
  } else if (out[0] == '_' && (out.size() < 2 || out[1] != '_')) {
    out.insert(0, "key");
  }
  return out;
}

std::string PrometheusUnit(std::string_view unit) {
  std::string main, per;
  UnitSuffixes(unit, &main, &per);
  if (!per.empty()) return main.empty() ? "per_" + per : main + "_per_" + per;
  return main;
}

}  // namespace tidemark::ingest
