// What a running SLO looks like now (for /api/v1/slos): budget, burn rates, alert states and how
// much of the period the recorded data covers. Built by RuleManager::Slos() from Sloth's series.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tidemark/alerting/manager.h"

namespace tidemark::alerting {

struct SloAlertStatus {
  std::string name;
  std::optional<AlertState> state;  // nullopt = this alert is disabled in the spec
};

struct SloStatus {
  std::string id;       // sloth_id
  std::string service;  // sloth_service
  std::string name;     // sloth_slo
  std::string description;
  std::string file;     // the SLO file the rules came from
  double objective = 0;        // percent
  double objective_ratio = 0;  // objective / 100
  double period_days = 0;
  // Over the part of the period covered by data (Sloth's slo:sli_error:ratio_rate<period>);
  // nullopt while nothing has been recorded.
  std::optional<double> error_ratio;
  double budget_total_ratio = 0;  // 1 - objective_ratio
  double budget_total_minutes = 0;
  std::optional<double> budget_remaining_ratio;    // 1 - error_ratio / budget_total_ratio
  std::optional<double> budget_remaining_minutes;  // remaining_ratio * total_minutes
  // Window name ("5m" ... "3d", then the period, e.g. "30d") -> error ratio / budget.
  std::vector<std::pair<std::string, std::optional<double>>> burn_rates;
  SloAlertStatus page;
  SloAlertStatus ticket;
  // Oldest slo:sli_error:ratio_rate5m sample of this SLO within the period (nullopt = none).
  std::optional<Timestamp> coverage_since;
  double coverage_seconds = 0;
  double coverage_ratio = 0;  // covered / period, 1 once the data spans the period
  bool coverage_complete = false;
  // Things the caller should know, e.g. a histogram bucket not checked at load (no data yet).
  std::vector<std::string> warnings;
};

}  // namespace tidemark::alerting
