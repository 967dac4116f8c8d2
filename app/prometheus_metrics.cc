// /metrics series under Prometheus' own names (prometheus_tsdb_*, prometheus_rule_*,
// prometheus_notifications_*) where Tidemark has the same quantity, so dashboards built for a
// Prometheus server (its mixin) read Tidemark unchanged; and tidemark_build_info.
#include <string>
#include <utility>
#include <vector>

#include "serve_wiring.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::app {

namespace {

// One family: HELP, TYPE, then a line per (inner label text, value).
void AppendFamily(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help, const std::vector<std::pair<std::string, double>>& lines) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  for (const auto& [labels, v] : lines) {
    out.append(name);
    if (!labels.empty()) out.append("{").append(labels).append("}");
    out.append(" ").append(FormatMetricValue(v)).append("\n");
  }
}

std::string Label(std::string_view name, std::string_view value) {
  return std::string(name) + "=\"" + EscapeLabelValue(value) + "\"";
}

void AppendSummary(std::string& out, std::string_view name, std::string_view help,
                   const Summary::Snapshot& s) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" summary\n");
  AppendSummarySamples(out, name, "", s);
}

void AppendRuleMetrics(std::string& out, alerting::RuleManager& rules) {
  const std::vector<alerting::GroupSnapshot> groups = rules.Groups();
  struct Family {
    const char* name;
    const char* type;
    const char* help;
    double (*value)(const alerting::GroupSnapshot&);
  };
  // Prometheus' help texts; rule_group is "<file>;<group name>" as Prometheus' GroupKey.
  static const Family kFamilies[] = {
      {"prometheus_rule_evaluations_total", "counter", "The total number of rule evaluations.",
       [](const alerting::GroupSnapshot& g) { return static_cast<double>(g.counters.evaluations); }},
      {"prometheus_rule_evaluation_failures_total", "counter",
       "The total number of rule evaluation failures.",
       [](const alerting::GroupSnapshot& g) { return static_cast<double>(g.counters.failures); }},
      {"prometheus_rule_group_iterations_total", "counter",
       "The total number of scheduled rule group evaluations, whether executed or missed.",
       [](const alerting::GroupSnapshot& g) { return static_cast<double>(g.counters.iterations); }},
      {"prometheus_rule_group_iterations_missed_total", "counter",
       "The total number of rule group evaluations missed due to slow rule group evaluation.",
       [](const alerting::GroupSnapshot& g) {
         return static_cast<double>(g.counters.iterations_missed);
       }},
      {"prometheus_rule_group_interval_seconds", "gauge",
       "The interval of a rule group.",
       [](const alerting::GroupSnapshot& g) { return static_cast<double>(g.interval_ms) / 1000.0; }},
      {"prometheus_rule_group_last_duration_seconds", "gauge",
       "The duration of the last rule group evaluation.",
       [](const alerting::GroupSnapshot& g) { return g.evaluation_time_s; }},
      {"prometheus_rule_group_last_evaluation_timestamp_seconds", "gauge",
       "The timestamp of the last rule group evaluation in seconds.",
       [](const alerting::GroupSnapshot& g) { return static_cast<double>(g.last_evaluation) / 1000.0; }},
      {"prometheus_rule_group_last_evaluation_samples", "gauge",
       "The number of samples returned during the last rule group evaluation.",
       [](const alerting::GroupSnapshot& g) { return static_cast<double>(g.counters.last_samples); }},
      {"prometheus_rule_group_rules", "gauge", "The number of rules.",
       [](const alerting::GroupSnapshot& g) { return static_cast<double>(g.rules.size()); }},
  };
  for (const Family& f : kFamilies) {
    std::vector<std::pair<std::string, double>> lines;
    for (const auto& g : groups) lines.emplace_back(Label("rule_group", g.file + ";" + g.name), f.value(g));
    AppendFamily(out, f.name, f.type, f.help, lines);
  }
  const alerting::ManagerMetrics m = rules.Metrics();
  AppendSummary(out, "prometheus_rule_evaluation_duration_seconds", "The duration for a rule to execute.",
                m.rule_evaluation_duration);
  AppendSummary(out, "prometheus_rule_group_duration_seconds", "The duration of rule group evaluations.",
                m.group_duration);

  // Notifications: Prometheus' notifier talks to Alertmanagers only, so the per-alertmanager
  // counters cover the "alertmanager" integration; each counts requests (batches of up to 64
  // alerts), not alerts. Queue and drops are the shared delivery queue's.
  std::vector<std::pair<std::string, double>> sent, errors;
  for (const auto& c : m.notifications_by_integration) {
    if (c.integration != "alertmanager") continue;
    sent.emplace_back(Label("alertmanager", c.receiver), static_cast<double>(c.total));
    errors.emplace_back(Label("alertmanager", c.receiver), static_cast<double>(c.failed));
  }
  AppendFamily(out, "prometheus_notifications_sent_total", "counter",
               "Total number of alerts sent.", sent);
  AppendFamily(out, "prometheus_notifications_errors_total", "counter",
               "Total number of sent alerts affected by errors.", errors);
  AppendFamily(out, "prometheus_notifications_dropped_total", "counter",
               "Total number of alerts dropped due to errors when sending to Alertmanager.",
               {{"", static_cast<double>(m.notifications_dropped_total)}});
  AppendFamily(out, "prometheus_notifications_queue_length", "gauge",
               "The number of alert notifications in the queue.",
               {{"", static_cast<double>(m.notifications_queue_length)}});
  AppendFamily(out, "prometheus_notifications_queue_capacity", "gauge",
               "The capacity of the alert notifications queue.",
               {{"", static_cast<double>(m.notifications_queue_capacity)}});
  AppendFamily(out, "prometheus_notifications_alertmanagers_discovered", "gauge",
               "The number of alertmanagers discovered and active.",
               {{"", static_cast<double>(m.alertmanagers)}});
}

}  // namespace

void RegisterPrometheusCompatMetrics(MetricsRegistry& metrics, Storage& storage,
                                     alerting::RuleManager& rules) {
  metrics.AddCollector([&storage](std::string& out) {
    const StorageStats s = storage.Stats();
    // The head is what the store keeps in memory: resident series (all of them for the
    // in-memory store, which does not count residency).
    AppendFamily(out, "prometheus_tsdb_head_series", "gauge", "Total number of series in the head block.",
                 {{"", static_cast<double>(s.resident_series ? s.resident_series : s.num_series)}});
    AppendFamily(out, "prometheus_tsdb_head_chunks", "gauge",
                 "Total number of chunks in the head block.", {{"", static_cast<double>(s.head_chunks)}});
    AppendFamily(out, "prometheus_tsdb_head_samples_appended_total", "counter",
                 "Total number of appended samples.",
                 {{Label("type", "float"), static_cast<double>(s.num_samples_appended)}});
  });
  metrics.AddCollector([&rules](std::string& out) { AppendRuleMetrics(out, rules); });
}

void RegisterBuildInfo(MetricsRegistry& metrics,
                       const std::vector<std::pair<std::string, std::string>>& labels) {
  std::string text;
  for (const auto& [k, v] : labels) text += (text.empty() ? "" : ",") + Label(k, v);
  metrics.AddCollector([text](std::string& out) {
    AppendFamily(out, "tidemark_build_info", "gauge",
                 "A metric with a constant '1' value labeled by the build Tidemark runs.", {{text, 1}});
  });
}

}  // namespace tidemark::app
