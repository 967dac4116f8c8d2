// Sloth's per-SLO rule groups (SLI recordings, meta recordings, page/ticket alerts) and their
// YAML rendering.
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <set>

#include "template/template.h"
#include "tidemark/alerting/slo.h"
#include "tidemark/query/ast.h"

namespace tidemark::alerting {
namespace {

constexpr std::string_view kSliErrorMetric = "slo:sli_error:ratio_rate";
constexpr std::string_view kErrorBudgetMetric = "slo:error_budget:ratio";
constexpr std::string_view kPeriodBurnRateMetric = "slo:period_burn_rate:ratio";
constexpr std::string_view kPeriodWindow = "30d";  // Sloth's default (and only) period here
// sloth_slo_info's provenance labels: Sloth's values for a CLI-generated prometheus/v1 spec,
// with Tidemark named as the generator version.
constexpr std::string_view kSlothMode = "cli-gen-prom";
constexpr std::string_view kSlothSpec = "prometheus/v1";
constexpr std::string_view kSlothVersion = "tidemark";

std::string SliMetric(std::string_view window) {
  return std::string(kSliErrorMetric) + std::string(window);
}

SloLabelMap IdLabels(const SloSpec& s) {
  return {{"sloth_id", s.id}, {"sloth_service", s.service}, {"sloth_slo", s.name}};
}

// Prometheus' LabelSet.String(): {a="x", b="y"} sorted by name.
std::string IdFilter(const SloSpec& s) {
  std::string out = "{";
  for (const auto& [k, v] : IdLabels(s)) {
    if (out.size() > 1) out += ", ";
    out += k + "=" + tidemark::Quote(v);
  }
  return out + "}";
}

// Later maps win, as Sloth's MergeLabels.
SloLabelMap Merge(std::initializer_list<const SloLabelMap*> maps) {
  SloLabelMap out;
  for (const SloLabelMap* m : maps) {
    for (const auto& [k, v] : *m) out[k] = v;
  }
  return out;
}

StringPairs Pairs(const SloLabelMap& m) { return StringPairs(m.begin(), m.end()); }

RuleSpec Record(std::string name, std::string expr, const SloLabelMap& labels) {
  RuleSpec r;
  r.type = RuleType::kRecording;
  r.name = std::move(name);
  r.expr = std::move(expr);
  r.labels = Pairs(labels);
  return r;
}

// A user's query in parentheses, as Sloth writes it; a query that may end in a PromQL comment
// gets the closing parenthesis on a line of its own, where the comment cannot swallow it.
std::string Parenthesized(std::string_view query, std::string_view window) {
  const std::string q = SloQueryForWindow(query, window);
  return q.find('#') == std::string::npos ? "(" + q + ")" : "(" + q + "\n)";
}

std::string SliExpr(const SloSpec& s, std::string_view window) {
  if (s.sli.kind == SloSli::Kind::kRaw) return Parenthesized(s.sli.error_ratio_query, window);
  return Parenthesized(s.sli.error_query, window) + "\n/\n" +
         Parenthesized(s.sli.total_query, window) + "\n";
}

GroupSpec SliGroup(const SloSpec& s) {
  GroupSpec g;
  g.name = "sloth-slo-sli-recordings-" + s.id;
  g.file = s.file;
  const SloLabelMap ids = IdLabels(s);
  for (const SloSliWindow& w : SloSliWindows()) {
    const SloLabelMap window{{"sloth_window", std::string(w.name)}};
    g.rules.push_back(
        Record(SliMetric(w.name), SliExpr(s, w.name), Merge({&ids, &window, &s.labels})));
  }
  // The period ratio averages the shortest window's ratios (sum/count) instead of querying 30d
  // of raw data, as Sloth's optimized generator does.
  const std::string base = SliMetric(SloSliWindows()[0].name) + IdFilter(s);
  const std::string period(kPeriodWindow);
  const SloLabelMap window{{"sloth_window", period}};
  g.rules.push_back(Record(SliMetric(period),
                           "sum_over_time(" + base + "[" + period +
                               "])\n/ ignoring (sloth_window)\n" + "count_over_time(" + base + "[" +
                               period + "])\n",
                           Merge({&ids, &window, &s.labels})));
  return g;
}

std::string BurnRateExpr(const SloSpec& s, std::string_view sli_window) {
  const std::string filter = IdFilter(s);
  return SliMetric(sli_window) + filter +
         "\n/ on(sloth_id, sloth_slo, sloth_service) group_left\n" +
         std::string(kErrorBudgetMetric) + filter + "\n";
}

GroupSpec MetaGroup(const SloSpec& s) {
  GroupSpec g;
  g.name = "sloth-slo-meta-recordings-" + s.id;
  g.file = s.file;
  const SloLabelMap ids = IdLabels(s);
  const SloLabelMap labels = Merge({&ids, &s.labels});
  const std::string ratio = FormatFloat(s.ObjectiveRatio(), 'g', -1);
  const double days = static_cast<double>(s.period_ms) / (24.0 * 3600 * 1000);
  g.rules.push_back(Record("slo:objective:ratio", "vector(" + ratio + ")", labels));
  g.rules.push_back(Record(std::string(kErrorBudgetMetric), "vector(1-" + ratio + ")", labels));
  g.rules.push_back(Record("slo:time_period:days", "vector(" + FormatFloat(days, 'g', -1) + ")", labels));
  g.rules.push_back(Record("slo:current_burn_rate:ratio",
                           BurnRateExpr(s, SloAlertWindows()[0].short_window), labels));
  g.rules.push_back(
      Record(std::string(kPeriodBurnRateMetric), BurnRateExpr(s, kPeriodWindow), labels));
  g.rules.push_back(Record("slo:period_error_budget_remaining:ratio",
                           "1 - " + std::string(kPeriodBurnRateMetric) + IdFilter(s), labels));
  const SloLabelMap info{{"sloth_version", std::string(kSlothVersion)},
                         {"sloth_mode", std::string(kSlothMode)},
                         {"sloth_spec", std::string(kSlothSpec)},
                         {"sloth_objective", FormatFloat(s.objective, 'f', -1)}};
  g.rules.push_back(Record("sloth_slo_info", "vector(1)", Merge({&labels, &info})));
  return g;
}

// One `max(<sli> > (factor * budget)) without (sloth_window)` term of the alert expression.
std::string BurnTerm(const SloSpec& s, std::string_view window, double factor) {
  const double budget = (100 - s.objective) / 100;
  return "max(" + SliMetric(window) + IdFilter(s) + " > (" + FormatFloat(factor, 'g', -1) + " * " +
         FormatFloat(budget, 'g', -1) + ")) without (sloth_window)";
}

// Sloth's two-condition alert: (quick short and quick long) or (slow short and slow long).
RuleSpec Alert(const SloSpec& s, const SloAlertSpec& alert, const SloAlertWindow& quick,
               const SloAlertWindow& slow) {
  auto pair = [&](const SloAlertWindow& w) {
    return "(\n    " + BurnTerm(s, w.short_window, w.burn_factor) + "\n    and\n    " +
           BurnTerm(s, w.long_window, w.burn_factor) + "\n)";
  };
  const std::string severity(quick.severity);
  RuleSpec r;
  r.type = RuleType::kAlerting;
  r.name = s.alerting.name;
  r.expr = pair(quick) + "\nor\n" + pair(slow) + "\n";
  const SloLabelMap own_labels{{"sloth_severity", severity}};
  r.labels = Pairs(Merge({&own_labels, &s.alerting.labels, &alert.labels}));
  const SloLabelMap own_annotations{
      {"title", "(" + severity +
                    ") {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn "
                    "rate is too fast."},
      {"summary",
       "{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is over "
       "expected."}};
  r.annotations = Pairs(Merge({&own_annotations, &s.alerting.annotations, &alert.annotations}));
  return r;
}

GroupSpec AlertGroup(const SloSpec& s) {
  GroupSpec g;
  g.name = "sloth-slo-alerts-" + s.id;
  g.file = s.file;
  const auto w = SloAlertWindows();
  if (!s.alerting.page_alert.disable)
    g.rules.push_back(Alert(s, s.alerting.page_alert, w[0], w[1]));
  if (!s.alerting.ticket_alert.disable) {
    g.rules.push_back(Alert(s, s.alerting.ticket_alert, w[2], w[3]));
  }
  return g;
}

// Characters YAML does not allow as they are (it reads a carriage return as a line break):
// only a double-quoted scalar, which escapes them, carries them through to a reader.
bool NeedsEscapes(std::string_view v) {
  for (char c : v) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return true;
  }
  return false;
}

// Values a YAML reader would resolve to a number, bool or null are quoted ("2", not 2), so every
// reader sees the string; so are values that need escapes.
void EmitString(YAML::Emitter& out, const std::string& v) {
  const YAML::Node plain = YAML::Node(v);
  double d = 0;
  bool b = false;
  if (v.empty() || v == "null" || v == "~" || YAML::convert<double>::decode(plain, d) ||
      YAML::convert<bool>::decode(plain, b) || NeedsEscapes(v)) {
    out << YAML::DoubleQuoted;
  }
  out << v;
}

void EmitMap(YAML::Emitter& out, const char* key, const StringPairs& m) {
  if (m.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginMap;
  for (const auto& [k, v] : m) {
    out << YAML::Key << k << YAML::Value;
    EmitString(out, v);
  }
  out << YAML::EndMap;
}

}  // namespace

std::vector<GroupSpec> GenerateRuleGroups(const std::vector<SloSpec>& slos) {
  std::vector<GroupSpec> groups;
  for (const SloSpec& s : slos) {
    groups.push_back(SliGroup(s));
    groups.push_back(MetaGroup(s));
    // Sloth leaves the alerts group out when both alerts are disabled (an empty group is
    // pointless to evaluate).
    GroupSpec alerts = AlertGroup(s);
    if (!alerts.rules.empty()) groups.push_back(std::move(alerts));
  }
  return groups;
}

Result<std::string> GenerateRuleFileYaml(const std::vector<SloSpec>& slos) {
  std::set<std::string> ids;
  for (const SloSpec& s : slos) {
    if (!ids.insert(s.id).second) {
      return Status::AlreadyExists(s.file + ":" + std::to_string(s.line) + ": SLO id " + s.id +
                                   " is defined more than once");
    }
  }
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
  for (const GroupSpec& g : GenerateRuleGroups(slos)) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << g.name;
    out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
    for (const RuleSpec& r : g.rules) {
      out << YAML::BeginMap;
      out << YAML::Key << (r.type == RuleType::kRecording ? "record" : "alert") << YAML::Value
          << r.name;
      out << YAML::Key << "expr" << YAML::Value;
      // Multi-line expressions as literal blocks, like Sloth's output; the block's own final
      // newline stands for the expression's.
      std::string_view expr = r.expr;
      if (expr.find('\n') != std::string_view::npos && !NeedsEscapes(expr)) {
        if (expr.back() == '\n') expr.remove_suffix(1);
        out << YAML::Literal << std::string(expr);
      } else {
        EmitString(out, r.expr);
      }
      EmitMap(out, "labels", r.labels);
      EmitMap(out, "annotations", r.annotations);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  if (!out.good()) return Status::Internal("emitting SLO rules: " + out.GetLastError());
  return "# Generated by Tidemark from Sloth SLO specs (`tidemark slo generate`). DO NOT EDIT.\n" +
         std::string(out.c_str(), out.size()) + "\n";
}

}  // namespace tidemark::alerting
