// GET/POST /api/v1/slos: every running SLO's budget, burn rates, alert states and data coverage,
// rendered from the alerting module's typed snapshot.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "api_common.h"
#include "tidemark/alerting/manager.h"
#include "tidemark/alerting/slo_status.h"

namespace tidemark::http::api {

namespace {

using Json = nlohmann::ordered_json;

// Display values: 12 significant digits, so 99.9/100 reads 0.999 rather than 0.9990000000000001;
// whole numbers print without a fraction (95, not 95.0), as Go's encoding/json writes them.
Json Number(double v) {
  if (!std::isfinite(v)) return Json(nullptr);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.12g", v);
  v = std::strtod(buf, nullptr);
  if (v == std::trunc(v) && std::fabs(v) < 1e15) return Json(static_cast<int64_t>(v));
  return Json(v);
}

Json OrNull(const std::optional<double>& v) { return v ? Number(*v) : Json(nullptr); }

Json AlertJson(const alerting::SloAlertStatus& a) {
  if (!a.state) return Json(nullptr);
  return Json{{"name", a.name}, {"state", std::string(alerting::AlertStateName(*a.state))}};
}

Json SloJson(const alerting::SloStatus& s) {
  Json burn = Json::object();
  for (const auto& [window, v] : s.burn_rates) burn[window] = OrNull(v);
  Json sli{{"errorRatio", OrNull(s.error_ratio)},
           {"successRatio", s.error_ratio ? Number(1 - *s.error_ratio) : Json(nullptr)}};
  Json budget{{"totalRatio", Number(s.budget_total_ratio)},
              {"remainingRatio", OrNull(s.budget_remaining_ratio)},
              {"totalMinutes", Number(s.budget_total_minutes)},
              {"remainingMinutes", OrNull(s.budget_remaining_minutes)}};
  Json coverage{
      {"since", s.coverage_since ? Json(FormatRfc3339(*s.coverage_since)) : Json(nullptr)},
      {"seconds", Number(s.coverage_seconds)},
      {"ratio", Number(s.coverage_ratio)},
      {"complete", s.coverage_complete}};
  return Json{{"id", s.id},
              {"service", s.service},
              {"name", s.name},
              {"description", s.description},
              {"file", s.file},
              {"objective", Number(s.objective)},
              {"objectiveRatio", Number(s.objective_ratio)},
              {"periodDays", Number(s.period_days)},
              {"sli", std::move(sli)},
              {"errorBudget", std::move(budget)},
              {"burnRates", std::move(burn)},
              {"alerts", Json{{"page", AlertJson(s.page)}, {"ticket", AlertJson(s.ticket)}}},
              {"coverage", std::move(coverage)}};
}

HttpResponse Slos(Context& c, HttpRequest&) {
  Json list = Json::array();
  std::vector<std::string> warnings;
  if (c.b.rules) {
    for (const auto& s : c.b.rules->Slos()) {
      list.push_back(SloJson(s));
      warnings.insert(warnings.end(), s.warnings.begin(), s.warnings.end());
    }
  }
  return Success(Json{{"slos", std::move(list)}}.dump(), warnings);
}

}  // namespace

void RegisterSloRoutes(Router& router, std::shared_ptr<Context> ctx) {
  router.Add({{"GET", "POST"}, "/api/v1/slos", "slos", Pool::kQuery, false,
              [ctx](HttpRequest& r) { return Slos(*ctx, r); }});
}

}  // namespace tidemark::http::api
