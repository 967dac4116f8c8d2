// Parsed form of a promql-test script: load/clear/eval commands, series lines, expectations.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::query::script {

// A series description with its expanded values; nullopt = no sample at that slot.
struct SeriesLine {
  Labels labels;
  std::vector<std::optional<double>> values;
  bool has_histogram = false;  // some item was a native histogram `{{...}}`
  bool start_timestamps = false;  // an `@st` line (start timestamps); not loaded
};

// One expected annotation: any (both empty), exact message, or regex.
struct AnnoPattern {
  std::string msg;
  std::string regex;
};

struct LoadCmd {
  int64_t interval_ms = 0;
  bool with_nhcb = false;
  std::vector<SeriesLine> series;
};

struct EvalCmd {
  std::string header;  // the command line
  std::string expr;
  bool is_range = false;
  Timestamp t = 0;  // instant time
  Timestamp start = 0, end = 0;
  int64_t step = 0;
  bool fail = false, ordered = false;
  bool warn = false, info = false;  // eval_warn / eval_info
  bool no_warn = false, no_info = false;
  std::optional<AnnoPattern> fail_pattern;
  std::vector<AnnoPattern> warn_patterns, info_patterns;
  bool expect_scalar = false;
  double scalar = 0;
  bool expect_range_vector = false;
  bool exclude_from_range = false;
  std::optional<std::string> expected_string;
  std::vector<SeriesLine> expected;
  bool has_histogram_text = false;  // the block spells out a native histogram
};

struct Command {
  enum Kind { kClear, kLoad, kEval, kError } kind = kError;
  int line = 0;  // 1-based
  LoadCmd load;
  EvalCmd eval;
  std::string error;  // kError: why the command could not be parsed
};

std::vector<Command> ParseScript(std::string_view text);

// Most values one series line may expand to (`0+1x1000000000` would otherwise take all memory);
// far above any real test's.
inline constexpr size_t kMaxSeriesLineValues = 1'000'000;
// Parses `name{a="b"} 1 2+3x4 _ stale`; values are expanded. Errors describe the problem.
Result<SeriesLine> ParseSeriesLine(std::string_view line);
Result<int64_t> ParseScriptDuration(std::string_view s);
// Go's strconv.ParseInt(s, 0, 64) then ParseFloat fallback.
std::optional<double> ParseNumber(std::string_view s);

}  // namespace tidemark::query::script
