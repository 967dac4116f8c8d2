// Streaming parser of the Prometheus text format 0.0.4 and OpenMetrics 1.0 text, with Prometheus
// 3.x's textparse semantics: one entry at a time, views into the body, labels decoded on demand.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/storage/model/status.h"

namespace tidemark::ingest::scrape {

enum class ExpoFormat { kPrometheusText, kOpenMetrics };

enum class ExpoEntry { kSeries, kType, kHelp, kUnit, kEnd };

struct ExpoLabel {
  std::string_view name;
  std::string_view value;
};

class ExpositionParser {
 public:
  ExpositionParser(std::string_view body, ExpoFormat format);

  // The next entry, kEnd after the last one. Errors (InvalidArgument) name the line; after an
  // error the parser must not be used again. Comments (and, in OpenMetrics, exemplars) are
  // checked and skipped.
  Result<ExpoEntry> Next();

  // kSeries: the series as written (metric name and label set, byte for byte), which is what a
  // scrape cache keys on; the value; the timestamp (milliseconds) when the line has one.
  std::string_view series() const { return series_; }
  double value() const { return value_; }
  bool has_timestamp() const { return has_ts_; }
  int64_t timestamp_ms() const { return ts_ms_; }
  // Decodes the current series' metric name and labels (views valid until the next call of
  // Next). `le` of histograms and `quantile` of summaries are normalized to OpenMetrics' float
  // spelling ("1" -> "1.0"), as Prometheus 3.x stores them.
  Status Labels(std::string_view* name, std::vector<ExpoLabel>* labels);

  // kType, kHelp, kUnit: the metric family and its type name (lowercase as written), help text
  // (unescaped) or unit.
  std::string_view meta_metric() const { return meta_metric_; }
  std::string_view meta_text() const { return meta_text_; }

 private:
  Status Error(std::string_view what) const;
  Result<ExpoEntry> ParseComment();
  Status ParseSeriesLine();
  Status ScanSeries();
  Status ParseExemplar();
  // A double-quoted string at pos_ (escapes allowed); returns its contents (still escaped).
  Result<std::string_view> ScanQuoted();
  std::string_view Unescape(std::string_view raw, bool label_value);
  bool AtLineEnd() const { return pos_ >= body_.size() || body_[pos_] == '\n'; }
  void SkipBlanks();
  std::string_view Token();  // up to a space, tab or newline

  std::string_view body_;
  ExpoFormat format_;
  size_t pos_ = 0;
  size_t line_ = 0;  // 1-based number of the current line
  bool saw_eof_ = false;
  enum class Kind { kOther, kHistogram, kGaugeHistogram, kSummary } kind_ = Kind::kOther;

  std::string_view series_;
  double value_ = 0;
  bool has_ts_ = false;
  int64_t ts_ms_ = 0;
  std::string_view meta_metric_;
  std::string_view meta_text_;

  std::deque<std::string> scratch_;  // unescaped strings; a deque keeps views stable
  size_t scratch_used_ = 0;
};

}  // namespace tidemark::ingest::scrape
