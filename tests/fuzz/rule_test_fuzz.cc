// libFuzzer target: promtool rule unit-test files and the series notation they (and promql-test
// scripts) use. The first input byte picks the mode:
//   0: a test file (ParseTestFile), then every input series and expected sample it names as a
//      series description, which must stay within kMaxSeriesLineValues;
//   1: one series description: one that parses must print (labels quoted, values spelled out one
//      by one) to text that parses to the same labels and the same values;
//   2: a duration: one Prometheus' syntax accepts must mean the same to the scripts' parser.
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_modes.h"
#include "promqltest/script.h"
#include "rule_test/test_file.h"
#include "tidemark/query/promql_test.h"
#include "tidemark/storage/model/strconv.h"

namespace {

using namespace tidemark;

using tidemark::fuzz::Check;

void CheckDescription(const std::string& text) {
  auto d = query::ParseSeriesDescription(text);
  if (d.ok()) Check(d->values.size() <= query::script::kMaxSeriesLineValues);
}

void FuzzTestFile(std::string_view input) {
  auto file = alerting::ruletest::ParseTestFile(input);
  if (!file.ok()) return;
  for (const auto& g : file->tests) {
    Check(g.interval_ms >= 0);
    for (const auto& s : g.input_series) CheckDescription(s.series + " " + s.values);
    for (const auto& p : g.promql_tests) {
      for (const auto& e : p.exp_samples) CheckDescription(e.labels);
    }
  }
}

bool SameValue(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  if (std::isnan(*a) || std::isnan(*b)) {
    return std::isnan(*a) && std::isnan(*b) && IsStaleNaN(*a) == IsStaleNaN(*b);
  }
  return std::bit_cast<uint64_t>(*a) == std::bit_cast<uint64_t>(*b);
}

void FuzzDescription(std::string_view input) {
  auto d = query::ParseSeriesDescription(input);
  if (!d.ok()) return;
  Check(d->values.size() <= query::script::kMaxSeriesLineValues);
  if (d->values.size() > 10'000) return;  // the reprint would only be slow
  std::string text = "{";
  for (const auto& l : d->labels) {
    if (text.size() > 1) text += ", ";
    text += Quote(l.name) + "=" + Quote(l.value);
  }
  text += "}";
  for (const auto& v : d->values) {
    text += " ";
    text += !v ? "_" : IsStaleNaN(*v) ? "stale" : FormatFloat(*v, 'g', -1);
  }
  auto again = query::ParseSeriesDescription(text);
  Check(again.ok());
  Check(again->labels == d->labels);
  Check(again->values.size() == d->values.size());
  for (size_t i = 0; i < d->values.size(); ++i) Check(SameValue(d->values[i], again->values[i]));
}

void FuzzDuration(std::string_view input) {
  auto prom = ParseDuration(input);
  auto script = query::script::ParseScriptDuration(input);
  if (prom.ok()) Check(script.ok() && *script == *prom);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return tidemark::fuzz::RunMode(data, size, {FuzzTestFile, FuzzDescription, FuzzDuration});
}
