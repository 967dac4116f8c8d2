// Sloth `prometheus/v1` SLO specs (plus Tidemark's histogram/availability SLI shorthands) and the
// Sloth-named recording and alerting rules generated from them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/alerting/rule_file.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::alerting {

// Label/annotation maps are ordered by name, as Sloth (Go maps) writes them.
using SloLabelMap = std::map<std::string, std::string>;

// Tidemark shorthand: latency SLI from a classic histogram (good = observations <= threshold).
struct SloHistogramSli {
  std::string metric;            // base name; <metric>_bucket and <metric>_count are queried
  double threshold_seconds = 0;  // the `le` bucket that must exist
  std::string filter;            // label matchers without braces, e.g. job="api" (may be empty)
};

// Tidemark shorthand: availability SLI from a 0/1 series (1 = good).
struct SloAvailabilitySli {
  std::string query;
};

// The SLI as Sloth has it; the shorthands are already expanded into `events` or `raw`.
struct SloSli {
  enum class Kind : uint8_t { kEvents, kRaw };
  Kind kind = Kind::kEvents;
  std::string error_query;        // events: contains {{.window}}
  std::string total_query;        // events: contains {{.window}}
  std::string error_ratio_query;  // raw: contains {{.window}}
  // Set when the SLI came from a shorthand (the runtime checks the bucket; /api shows the source).
  std::optional<SloHistogramSli> histogram;
  std::optional<SloAvailabilitySli> availability;
};

struct SloAlertSpec {
  bool disable = false;
  SloLabelMap labels;
  SloLabelMap annotations;
};

struct SloAlerting {
  std::string name;  // alert name of both the page and the ticket alert
  SloLabelMap labels;
  SloLabelMap annotations;
  SloAlertSpec page_alert;
  SloAlertSpec ticket_alert;
};

struct SloSpec {
  std::string file;
  int line = 0;         // 1-based line of the SLO's entry in `file`
  std::string service;
  std::string name;
  std::string id;       // "<service>-<name>", Sloth's sloth_id
  std::string description;
  double objective = 0;  // percent, (0, 100], e.g. 99.9
  SloLabelMap labels;    // spec-level labels merged with the SLO's (the SLO's win)
  SloSli sli;
  SloAlerting alerting;
  int64_t period_ms = 30LL * 24 * 3600 * 1000;  // Sloth's default 30d period

  double ObjectiveRatio() const { return objective / 100; }
};

// One multi-window multi-burn-rate alert condition (SRE workbook, Sloth's 30d defaults):
// fires when both windows' error ratio exceeds burn_factor * error budget.
struct SloAlertWindow {
  std::string_view severity;  // "page" or "ticket" (label sloth_severity)
  std::string_view short_window;
  std::string_view long_window;
  int64_t short_ms;
  int64_t long_ms;
  double error_budget_percent;  // share of the period's budget the long window may consume
  double burn_factor;           // error_budget_percent/100 * period / long window
};
// Page quick (5m/1h x14.4), page slow (30m/6h x6), ticket quick (2h/1d x3), ticket slow (6h/3d x1).
std::span<const SloAlertWindow> SloAlertWindows();

// The windows of the slo:sli_error:ratio_rate<window> series computed from the SLI query
// (5m 30m 1h 2h 6h 1d 3d); the period series (ratio_rate30d) is derived from the 5m one.
struct SloSliWindow {
  std::string_view name;  // "5m"
  int64_t ms;
};
std::span<const SloSliWindow> SloSliWindows();

// Parses a Sloth prometheus/v1 spec (one or several `---` documents). Errors name the file, the
// line and the field; unknown keys and anything Sloth's validation refuses are errors.
Result<std::vector<SloSpec>> ParseSloText(std::string_view yaml, const std::string& file);
Result<std::vector<SloSpec>> ParseSloFile(const std::string& path);

// Replaces every {{.window}} (also {{ .window }}) in a Sloth SLI query with `window`.
std::string SloQueryForWindow(std::string_view query, std::string_view window);

// The three groups Sloth generates per SLO (sli recordings, meta recordings, alerts), in order;
// GroupSpec::file is the SLO's file.
std::vector<GroupSpec> GenerateRuleGroups(const std::vector<SloSpec>& slos);
// The same groups as a Prometheus rule file (YAML text).
Result<std::string> GenerateRuleFileYaml(const std::vector<SloSpec>& slos);

// For a histogram-shorthand SLO: OK when `le_values` (the `le` label values present for
// <metric>_bucket) hold the threshold (compared numerically); otherwise an error naming the
// buckets that exist. OK for any other SLO.
Status CheckHistogramBuckets(const SloSpec& slo, const std::vector<std::string>& le_values);

}  // namespace tidemark::alerting
