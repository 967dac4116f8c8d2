// Runner for PromQL test scripts (the `.test` format of Prometheus' promqltest): load series,
// evaluate queries, compare with expectations. Used by `tidemark promql-test` and the tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::query {

enum class TestStore : uint8_t {
  kMem,   // NewMemStorage()
  kDisk,  // Storage::Open in a fresh temporary directory (removed afterwards)
};

struct PromqlTestOptions {
  TestStore store = TestStore::kMem;
  std::string temp_dir = "/tmp";  // parent of the temporary store directories (kDisk)
  size_t max_samples = 50'000'000;
};

enum class CaseOutcome : uint8_t { kPassed, kFailed, kSkipped };

// One `eval` command of a script.
struct CaseResult {
  int line = 0;             // 1-based line of the eval command
  std::string command;      // the eval line as written
  CaseOutcome outcome = CaseOutcome::kFailed;
  bool native_histogram = false;  // touches native histograms (counted as skipped)
  std::string message;      // why it failed (expected vs actual)
};

struct FileResult {
  std::string name;
  std::vector<CaseResult> cases;
  std::string error;  // a script-level problem (unparsable command); cases run so far are kept
  int passed() const;
  int failed() const;
  int skipped() const;
};

// A series description as a script's `load` reads it (`metric{l="v"} 1+2x3 _ stale`), for other
// test formats (promtool's rule unit tests): the labels and one value per interval, nullopt
// where the slot has no sample. Native histogram values are refused.
struct SeriesDescription {
  Labels labels;
  std::vector<std::optional<double>> values;
};
Result<SeriesDescription> ParseSeriesDescription(std::string_view text);

// Runs a script given as text; `name` is used in messages only.
FileResult RunPromqlTestScript(std::string_view name, std::string_view script,
                               const PromqlTestOptions& options);
// Reads and runs a file.
FileResult RunPromqlTestFile(const std::string& path, const PromqlTestOptions& options);

// Files of the upstream corpus that exercise experimental features; they do not count towards
// the "stable float" figure (nor does native_histograms.test).
bool IsExperimentalTestFile(std::string_view basename);
bool IsStableFloatTestFile(std::string_view basename);

}  // namespace tidemark::query
