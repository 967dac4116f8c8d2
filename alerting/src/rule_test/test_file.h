// promtool's rule unit-test file (`promtool test rules`), parsed strictly as yaml.v2's
// UnmarshalStrict does: unknown or repeated keys are errors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/alerting/rule_file.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::alerting::ruletest {

struct InputSeries {
  std::string series;  // `metric{label="v"}`
  std::string values;  // expanding notation: `1+2x3 _ stale`
};

struct ExpAlert {
  StringPairs labels;
  StringPairs annotations;
};

struct AlertTest {
  int64_t eval_time_ms = 0;
  std::string alertname;
  std::vector<ExpAlert> exp_alerts;
};

struct ExpSample {
  std::string labels;  // a series description without values
  double value = 0;
};

struct PromqlTest {
  std::string expr;
  int64_t eval_time_ms = 0;
  std::vector<ExpSample> exp_samples;
};

struct TestGroup {
  int64_t interval_ms = 0;  // 0 = the file's evaluation_interval
  std::vector<InputSeries> input_series;
  std::vector<AlertTest> alert_tests;
  std::vector<PromqlTest> promql_tests;
  StringPairs external_labels;
  std::string external_url;
  std::string name;
};

struct TestFile {
  std::vector<std::string> rule_files;
  int64_t evaluation_interval_ms = 0;  // 0 = 1m
  std::vector<std::string> group_eval_order;
  std::vector<TestGroup> tests;
  bool fuzzy_compare = false;  // Prometheus 3.x: floats may differ in the last bit
};

Result<TestFile> ParseTestFile(std::string_view content);

}  // namespace tidemark::alerting::ruletest
