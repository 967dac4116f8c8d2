// GET /api/v1/rules and /api/v1/alerts in Prometheus' shapes, rendered from the alerting
// module's rule and alert snapshots; /api/v1/rules filters by type, rule_name[], group_name[]
// and file[].
#include <set>

#include "api_common.h"
#include "tidemark/alerting/manager.h"

namespace tidemark::http::api {

namespace {

// Never-set times print as Go's zero time, as Prometheus does.
std::string Rfc3339(Timestamp ms) {
  if (ms == 0) return "0001-01-01T00:00:00Z";
  return FormatRfc3339(ms);
}

void AppendAlert(std::string& out, const alerting::AlertSnapshot& a) {
  out += "{\"labels\":";
  AppendLabelsJson(out, a.labels);
  out += ",\"annotations\":";
  AppendLabelsJson(out, a.annotations);
  out += ",\"state\":\"";
  out += alerting::AlertStateName(a.state);
  out += "\",\"activeAt\":\"" + Rfc3339(a.active_at) + "\"";
  if (a.keep_firing_since) out += ",\"keepFiringSince\":\"" + Rfc3339(a.keep_firing_since) + "\"";
  out += ",\"value\":";
  AppendJsonString(out, FormatFloat(a.value, 'e', -1));  // as Prometheus prints alert values
  // Ours, not Prometheus' (which knows no silences): only present on silenced alerts, so an
  // unsilenced alert's object is exactly Prometheus' (docs/http-api.md).
  if (!a.silenced_by.empty()) {
    out += ",\"silencedBy\":[";
    for (size_t i = 0; i < a.silenced_by.size(); ++i) {
      if (i) out += ',';
      AppendJsonString(out, a.silenced_by[i]);
    }
    out += ']';
  }
  out += '}';
}

struct RuleFilter {
  std::string type;  // "", "alert" or "record"
  std::set<std::string> names, groups, files;
  bool any() const { return !type.empty() || !names.empty() || !groups.empty() || !files.empty(); }
};

// One rule object, or nothing when the filter drops it.
void AppendRule(std::string& out, const alerting::RuleSnapshot& r, const RuleFilter& f) {
  const bool alert = r.type == alerting::RuleType::kAlerting;
  if (f.type == "alert" && !alert) return;
  if (f.type == "record" && alert) return;
  if (!f.names.empty() && !f.names.count(r.name)) return;
  if (!out.empty()) out += ',';
  out += '{';
  if (alert) out += "\"state\":\"" + std::string(alerting::AlertStateName(r.state)) + "\",";
  out += "\"name\":";
  AppendJsonString(out, r.name);
  out += ",\"query\":";
  AppendJsonString(out, r.query);
  if (alert) {
    out += ",\"duration\":" + FormatJsonFloat(static_cast<double>(r.for_ms) / 1000);
    out += ",\"keepFiringFor\":" +
           FormatJsonFloat(static_cast<double>(r.keep_firing_for_ms) / 1000);
  }
  // Prometheus omits empty labels on recording rules (omitempty) but not on alerting rules.
  if (alert || !r.labels.empty()) {
    out += ",\"labels\":";
    AppendLabelsJson(out, r.labels);
  }
  if (alert) {
    out += ",\"annotations\":";
    AppendLabelsJson(out, r.annotations);
    out += ",\"alerts\":[";
    for (size_t i = 0; i < r.alerts.size(); ++i) {
      if (i) out += ',';
      AppendAlert(out, r.alerts[i]);
    }
    out += ']';
  }
  out += ",\"health\":\"" + std::string(alerting::RuleHealthName(r.health)) + "\"";
  if (!r.last_error.empty()) {
    out += ",\"lastError\":";
    AppendJsonString(out, r.last_error);
  }
  out += ",\"evaluationTime\":" + FormatJsonFloat(r.evaluation_time_s);
  out += ",\"lastEvaluation\":\"" + Rfc3339(r.last_evaluation) + "\"";
  out += std::string(",\"type\":\"") + (alert ? "alerting" : "recording") + "\"}";
}

std::string RulesJson(const std::vector<alerting::GroupSnapshot>& groups, const RuleFilter& f) {
  std::string out = "{\"groups\":[";
  bool first_group = true;
  for (const auto& g : groups) {
    if (!f.groups.empty() && !f.groups.count(g.name)) continue;
    if (!f.files.empty() && !f.files.count(g.file)) continue;
    std::string rules;
    for (const auto& r : g.rules) AppendRule(rules, r, f);
    // A filtered request drops groups left without rules.
    if (f.any() && rules.empty()) continue;
    if (!first_group) out += ',';
    first_group = false;
    out += "{\"name\":";
    AppendJsonString(out, g.name);
    out += ",\"file\":";
    AppendJsonString(out, g.file);
    out += ",\"rules\":[" + rules + "]";
    out += ",\"interval\":" + FormatJsonFloat(static_cast<double>(g.interval_ms) / 1000);
    out += ",\"limit\":" + std::to_string(g.limit);
    out += ",\"evaluationTime\":" + FormatJsonFloat(g.evaluation_time_s);
    out += ",\"lastEvaluation\":\"" + Rfc3339(g.last_evaluation) + "\"}";
  }
  out += "]}";
  return out;
}

std::set<std::string> ParamSet(const HttpRequest& r, const std::string& name) {
  std::vector<std::string> v = r.ParamAll(name);
  return {v.begin(), v.end()};
}

HttpResponse Rules(Context& c, HttpRequest& r) {
  RuleFilter f;
  f.type = r.Param("type");
  if (!f.type.empty() && f.type != "alert" && f.type != "record") {
    return BadData("invalid query parameter type='" + f.type + "'");
  }
  f.names = ParamSet(r, "rule_name[]");
  f.groups = ParamSet(r, "group_name[]");
  f.files = ParamSet(r, "file[]");
  return Success(
      RulesJson(c.b.rules ? c.b.rules->Groups() : std::vector<alerting::GroupSnapshot>{}, f));
}

HttpResponse Alerts(Context& c, HttpRequest&) {
  std::string out = "{\"alerts\":[";
  if (c.b.rules) {
    bool first = true;
    for (const auto& a : c.b.rules->ActiveAlerts()) {
      if (!first) out += ',';
      first = false;
      AppendAlert(out, a);
    }
  }
  out += "]}";
  return Success(out);
}

}  // namespace

void RegisterRuleRoutes(Router& router, std::shared_ptr<Context> ctx) {
  router.Add({{"GET"}, "/api/v1/rules", "rules", Pool::kInline, false, [ctx](HttpRequest& r) {
                return Rules(*ctx, r);
              }});
  router.Add({{"GET"}, "/api/v1/alerts", "alerts", Pool::kInline, false, [ctx](HttpRequest& r) {
                return Alerts(*ctx, r);
              }});
}

}  // namespace tidemark::http::api
