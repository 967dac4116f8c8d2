// An SLO's status from its recorded Sloth series: budget and SLI over the covered part of the
// period, burn rate per window, coverage, and the page/ticket alert states.
#include <algorithm>
#include <cmath>
#include <map>

#include "rules/rules.h"
#include "slo_runtime/slo_runtime.h"
#include "tidemark/query/ast.h"

namespace tidemark::alerting {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

// The sloth_window label of the period series ("30d").
std::string PeriodWindowName(int64_t period_ms) {
  if (period_ms % kDayMs == 0) return std::to_string(period_ms / kDayMs) + "d";
  return tidemark::FormatDuration(period_ms);
}

std::string SloMatchers(const SloSpec& s) {
  return "sloth_id=" + tidemark::Quote(s.id) + ",sloth_service=" +
         tidemark::Quote(s.service) + ",sloth_slo=" + tidemark::Quote(s.name);
}

std::optional<double> Finite(double v) {
  if (std::isnan(v) || std::isinf(v)) return std::nullopt;
  return v;
}

SloAlertStatus AlertStatus(const SloSpec& spec, const SloAlertSpec& alert,
                           std::string_view severity, const std::vector<GroupSnapshot>& groups) {
  SloAlertStatus st;
  st.name = spec.alerting.name;
  if (alert.disable) return st;
  st.state = AlertState::kInactive;
  const std::string group = "sloth-slo-alerts-" + spec.id;
  for (const auto& g : groups) {
    if (g.file != spec.file || g.name != group) continue;
    for (const auto& r : g.rules) {
      if (r.type == RuleType::kAlerting && r.labels.Get("sloth_severity") == severity) {
        st.name = r.name;
        st.state = r.state;
      }
    }
  }
  return st;
}

}  // namespace

SloStatus ComputeSloStatus(const LoadedSlo& slo, const QueryFn& query, Timestamp now,
                           const std::vector<GroupSnapshot>& groups) {
  const SloSpec& spec = slo.spec;
  SloStatus st;
  st.id = spec.id;
  st.service = spec.service;
  st.name = spec.name;
  st.description = spec.description;
  st.file = spec.file;
  st.objective = spec.objective;
  st.objective_ratio = spec.ObjectiveRatio();
  st.period_days = static_cast<double>(spec.period_ms) / kDayMs;
  st.budget_total_ratio = 1 - st.objective_ratio;
  st.budget_total_minutes = st.budget_total_ratio * static_cast<double>(spec.period_ms) / 60'000;
  st.warnings = slo.warnings;
  const std::string period = PeriodWindowName(spec.period_ms);
  const std::string sel = SloMatchers(spec);

  // Every slo:sli_error:ratio_rate<window> series of this SLO in one query.
  std::map<std::string, double> ratios;
  auto windows = QueryVector(query, "{__name__=~\"slo:sli_error:ratio_rate.+\"," + sel + "}", now);
  if (windows.ok()) {
    for (const auto& s : *windows) ratios[std::string(s.metric.Get("sloth_window"))] = s.v;
  } else {
    st.warnings.push_back("SLO \"" + spec.id + "\": " + windows.status().message());
  }
  auto burn = [&](const std::string& window) -> std::optional<double> {
    auto it = ratios.find(window);
    if (it == ratios.end() || st.budget_total_ratio <= 0) return std::nullopt;
    return Finite(it->second / st.budget_total_ratio);
  };
  for (const auto& w : SloSliWindows()) st.burn_rates.emplace_back(w.name, burn(std::string(w.name)));
  st.burn_rates.emplace_back(period, burn(period));

  if (auto it = ratios.find(period); it != ratios.end()) st.error_ratio = Finite(it->second);
  if (st.error_ratio && st.budget_total_ratio > 0) {
    st.budget_remaining_ratio = 1 - *st.error_ratio / st.budget_total_ratio;
    st.budget_remaining_minutes = *st.budget_remaining_ratio * st.budget_total_minutes;
  }

  // Coverage: the period as far back as the 5m SLI series reaches. A sample stands for one
  // evaluation interval, so data reaching within one interval of the period's start is complete.
  auto first = QueryVector(query,
                           "ts_of_first_over_time(slo:sli_error:ratio_rate5m{" + sel + "}[" +
                               tidemark::FormatDuration(spec.period_ms) + "])",
                           now);
  if (first.ok() && !first->empty()) {
    double since_s = (*first)[0].v;
    for (const auto& s : *first) since_s = std::min(since_s, s.v);
    st.coverage_since = static_cast<Timestamp>(std::llround(since_s * 1000));
    const double period_s = static_cast<double>(spec.period_ms) / 1000;
    int64_t interval_ms = 0;
    for (const auto& g : groups) {
      if (g.file == spec.file && g.name == "sloth-slo-sli-recordings-" + spec.id) interval_ms = g.interval_ms;
    }
    st.coverage_seconds = static_cast<double>(now - *st.coverage_since) / 1000;
    st.coverage_complete = st.coverage_seconds * 1000 + static_cast<double>(interval_ms) >=
                           static_cast<double>(spec.period_ms);
    st.coverage_ratio = st.coverage_complete ? 1.0 : st.coverage_seconds / period_s;
  } else if (!first.ok()) {
    st.warnings.push_back("SLO \"" + spec.id + "\": " + first.status().message());
  }

  st.page = AlertStatus(spec, spec.alerting.page_alert, "page", groups);
  st.ticket = AlertStatus(spec, spec.alerting.ticket_alert, "ticket", groups);
  return st;
}

}  // namespace tidemark::alerting
