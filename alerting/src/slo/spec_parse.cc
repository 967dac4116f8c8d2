// Loading and validating Sloth `prometheus/v1` SLO specs (Sloth's validation rules, strict keys).
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "slo/shorthand.h"
#include "template/template.h"
#include "tidemark/alerting/slo.h"
#include "tidemark/query/ast.h"
#include "tidemark/storage/model/labels.h"
#include "yaml/load_all.h"

namespace tidemark::alerting {
namespace {

// Sloth's conventions.NameRegexp for service, SLO name and id.
bool IsValidSlothName(const std::string& s) {
  static const std::regex kName("^[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]$");
  return std::regex_match(s, kName);
}

// Labels the generator sets itself: a spec label with these names would break the series'
// identity, so they are refused rather than overriding Sloth's values.
const std::set<std::string>& ReservedLabels() {
  static const std::set<std::string> k = {"sloth_id", "sloth_service", "sloth_slo", "sloth_window"};
  return k;
}

// Errors name "<file>:<line>: <field path>: <reason>".
class Ctx {
 public:
  explicit Ctx(const std::string& file) : file_(file) {}
  Status Err(const YAML::Node& at, const std::string& field, const std::string& why) const {
    // An absent key's node has no position (callers pass the parent for those).
    const int line = at.IsDefined() && at.Mark().line >= 0 ? at.Mark().line + 1 : 0;
    return Status::InvalidArgument(file_ + ":" + std::to_string(line) + ": " + field + ": " + why);
  }
  const std::string& file() const { return file_; }

 private:
  const std::string& file_;
};

// `refused` keys are Sloth fields Tidemark does not implement: named as such, not as unknown.
Status CheckKeys(const Ctx& c, const YAML::Node& map, const std::string& path,
                 const std::set<std::string>& known,
                 const std::map<std::string, std::string>& refused = {}) {
  std::set<std::string> seen;
  for (const auto& kv : map) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    const std::string field = path.empty() ? key : path + "." + key;
    if (!seen.insert(key).second) return c.Err(kv.first, field, "key defined twice");
    if (auto it = refused.find(key); it != refused.end()) {
      return c.Err(kv.first, field, "not supported by Tidemark (" + it->second + ")");
    }
    if (known.count(key) == 0) return c.Err(kv.first, field, "unknown field");
  }
  return Status::OK();
}

Status RequireMap(const Ctx& c, const YAML::Node& n, const std::string& field) {
  if (!n.IsMap()) return c.Err(n, field, "must be a mapping");
  return Status::OK();
}

// A scalar (absent/null = empty string).
Result<std::string> GetString(const Ctx& c, const YAML::Node& n, const std::string& field) {
  if (!n || n.IsNull()) return std::string();
  if (!n.IsScalar()) return c.Err(n, field, "must be a string");
  return n.Scalar();
}

Result<SloLabelMap> GetStringMap(const Ctx& c, const YAML::Node& n, const std::string& field,
                                 bool labels) {
  SloLabelMap out;
  if (!n || n.IsNull()) return out;
  TM_RETURN_IF_ERROR(RequireMap(c, n, field));
  for (const auto& kv : n) {
    TM_ASSIGN_OR_RETURN(std::string k, GetString(c, kv.first, field));
    const std::string f = field + "." + k;
    TM_ASSIGN_OR_RETURN(std::string v, GetString(c, kv.second, f));
    if (!IsValidLabelName(k) || (labels && k == kMetricName)) {
      return c.Err(kv.first, f,
                   std::string("invalid ") + (labels ? "label" : "annotation") + " name");
    }
    if (v.empty()) return c.Err(kv.first, f, "value is required");
    if (!IsValidUtf8(v)) return c.Err(kv.second, f, "value is not valid UTF-8");
    // The generated alerts take labels and annotations as templates, which the rule file's
    // reader checks: a spec it would refuse is refused here, naming the field.
    if (Status s = CheckTemplateSyntax(v, f); !s.ok()) return c.Err(kv.second, f, s.message());
    if (!out.emplace(k, v).second) return c.Err(kv.first, f, "key defined twice");
  }
  return out;
}

// A required number: `parent[key]`; a missing key is reported at the parent's line.
Result<double> GetNumber(const Ctx& c, const YAML::Node& parent, const char* key,
                         const std::string& field) {
  const YAML::Node n = parent[key];
  if (!n || n.IsNull()) return c.Err(n ? n : parent, field, "is required");
  double v = 0;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v)) {
    return c.Err(n, field, "must be a number");
  }
  return v;
}

Result<bool> GetBool(const Ctx& c, const YAML::Node& n, const std::string& field) {
  if (!n || n.IsNull()) return false;
  bool v = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
    return c.Err(n, field, "must be true or false");
  }
  return v;
}

// Sloth's SLI query rules: present, holds {{.window}}, and parses as PromQL once substituted.
Status CheckSliQuery(const Ctx& c, const YAML::Node& at, const std::string& field,
                     const std::string& q) {
  if (q.empty()) return c.Err(at, field, "query is required");
  const std::string rendered = SloQueryForWindow(q, "1m");
  if (rendered == q) return c.Err(at, field, "query must contain the {{.window}} variable");
  if (rendered.find("{{") != std::string::npos) {
    return c.Err(at, field, "only the {{.window}} template variable is supported");
  }
  auto parsed = query::ParseExpr(rendered);
  if (!parsed.ok()) return c.Err(at, field, "invalid PromQL: " + parsed.status().message());
  return Status::OK();
}

Status ParseHistogram(const Ctx& c, const YAML::Node& n, const std::string& path, SloSli* sli) {
  TM_RETURN_IF_ERROR(RequireMap(c, n, path));
  TM_RETURN_IF_ERROR(CheckKeys(c, n, path, {"metric", "threshold_seconds", "filter"}));
  SloHistogramSli h;
  TM_ASSIGN_OR_RETURN(h.metric, GetString(c, n["metric"], path + ".metric"));
  if (!IsValidMetricName(h.metric)) {
    return c.Err(n["metric"] ? n["metric"] : n, path + ".metric",
                 h.metric.empty() ? "is required" : "invalid metric name");
  }
  TM_ASSIGN_OR_RETURN(h.threshold_seconds,
                      GetNumber(c, n, "threshold_seconds", path + ".threshold_seconds"));
  if (h.threshold_seconds <= 0) {
    return c.Err(n["threshold_seconds"], path + ".threshold_seconds", "must be > 0");
  }
  TM_ASSIGN_OR_RETURN(h.filter, GetString(c, n["filter"], path + ".filter"));
  if (!h.filter.empty()) {
    auto m = query::ParseMetricSelector("{" + h.filter + "}");
    if (!m.ok() || h.filter.find_first_of("{}") != std::string::npos) {
      return c.Err(n["filter"], path + ".filter",
                   "must be label matchers without braces, e.g. job=\"api\"" +
                       (m.ok() ? std::string() : ": " + m.status().message()));
    }
    for (const auto& matcher : *m) {
      if (matcher.name() == "le" || matcher.name() == kMetricName) {
        return c.Err(n["filter"], path + ".filter", "may not match on " + matcher.name());
      }
    }
  }
  sli->histogram = std::move(h);
  ExpandHistogramSli(sli);
  return Status::OK();
}

Status ParseAvailability(const Ctx& c, const YAML::Node& n, const std::string& path, SloSli* sli) {
  TM_RETURN_IF_ERROR(RequireMap(c, n, path));
  TM_RETURN_IF_ERROR(CheckKeys(c, n, path, {"query"}));
  SloAvailabilitySli a;
  TM_ASSIGN_OR_RETURN(a.query, GetString(c, n["query"], path + ".query"));
  if (a.query.empty()) return c.Err(n, path + ".query", "is required");
  if (a.query.find("{{") != std::string::npos) {
    return c.Err(n["query"], path + ".query", "takes no template variables");
  }
  auto parsed = query::ParseExpr(a.query);
  if (!parsed.ok()) {
    return c.Err(n["query"], path + ".query", "invalid PromQL: " + parsed.status().message());
  }
  if ((*parsed)->Type() != query::ValueKind::kVector) {
    return c.Err(n["query"], path + ".query", "must be an instant vector expression");
  }
  sli->availability = std::move(a);
  ExpandAvailabilitySli(sli);
  return Status::OK();
}

Status ParseSli(const Ctx& c, const YAML::Node& slo, const std::string& path, SloSli* sli) {
  const YAML::Node n = slo["sli"];
  if (!n || n.IsNull()) return c.Err(n ? n : slo, path, "is required");
  TM_RETURN_IF_ERROR(RequireMap(c, n, path));
  TM_RETURN_IF_ERROR(CheckKeys(c, n, path, {"events", "raw", "histogram", "availability"},
                               {{"plugin", "SLI plugins are Go code Sloth loads"}}));
  if (n.size() != 1) {
    return c.Err(
        n, path,
        n.size() == 0 ? "at least one SLI type is required" : "only one SLI type is allowed");
  }
  if (const YAML::Node e = n["events"]) {
    const std::string p = path + ".events";
    TM_RETURN_IF_ERROR(RequireMap(c, e, p));
    TM_RETURN_IF_ERROR(CheckKeys(c, e, p, {"error_query", "total_query"}));
    sli->kind = SloSli::Kind::kEvents;
    TM_ASSIGN_OR_RETURN(sli->error_query, GetString(c, e["error_query"], p + ".error_query"));
    TM_ASSIGN_OR_RETURN(sli->total_query, GetString(c, e["total_query"], p + ".total_query"));
    if (sli->error_query == sli->total_query && !sli->error_query.empty()) {
      return c.Err(e, p, "both error and total queries can't be the same");
    }
    TM_RETURN_IF_ERROR(CheckSliQuery(c, e["error_query"] ? e["error_query"] : e, p + ".error_query",
                                     sli->error_query));
    return CheckSliQuery(c, e["total_query"] ? e["total_query"] : e, p + ".total_query",
                         sli->total_query);
  }
  if (const YAML::Node r = n["raw"]) {
    const std::string p = path + ".raw";
    TM_RETURN_IF_ERROR(RequireMap(c, r, p));
    TM_RETURN_IF_ERROR(CheckKeys(c, r, p, {"error_ratio_query"}));
    sli->kind = SloSli::Kind::kRaw;
    TM_ASSIGN_OR_RETURN(sli->error_ratio_query,
                        GetString(c, r["error_ratio_query"], p + ".error_ratio_query"));
    return CheckSliQuery(c, r["error_ratio_query"] ? r["error_ratio_query"] : r,
                         p + ".error_ratio_query", sli->error_ratio_query);
  }
  if (const YAML::Node h = n["histogram"]) return ParseHistogram(c, h, path + ".histogram", sli);
  return ParseAvailability(c, n["availability"], path + ".availability", sli);
}

Status ParseAlert(const Ctx& c, const YAML::Node& n, const std::string& path, SloAlertSpec* a) {
  if (!n || n.IsNull()) return Status::OK();
  TM_RETURN_IF_ERROR(RequireMap(c, n, path));
  TM_RETURN_IF_ERROR(CheckKeys(c, n, path, {"disable", "labels", "annotations"}));
  TM_ASSIGN_OR_RETURN(a->disable, GetBool(c, n["disable"], path + ".disable"));
  TM_ASSIGN_OR_RETURN(a->labels, GetStringMap(c, n["labels"], path + ".labels", true));
  TM_ASSIGN_OR_RETURN(a->annotations,
                      GetStringMap(c, n["annotations"], path + ".annotations", false));
  return Status::OK();
}

Status ParseAlerting(const Ctx& c, const YAML::Node& slo, const std::string& path, SloAlerting* a) {
  const YAML::Node n = slo["alerting"];
  if (n && !n.IsNull()) {
    TM_RETURN_IF_ERROR(RequireMap(c, n, path));
    TM_RETURN_IF_ERROR(
        CheckKeys(c, n, path, {"name", "labels", "annotations", "page_alert", "ticket_alert"}));
    TM_ASSIGN_OR_RETURN(a->name, GetString(c, n["name"], path + ".name"));
    TM_ASSIGN_OR_RETURN(a->labels, GetStringMap(c, n["labels"], path + ".labels", true));
    TM_ASSIGN_OR_RETURN(a->annotations,
                        GetStringMap(c, n["annotations"], path + ".annotations", false));
    TM_RETURN_IF_ERROR(ParseAlert(c, n["page_alert"], path + ".page_alert", &a->page_alert));
    TM_RETURN_IF_ERROR(ParseAlert(c, n["ticket_alert"], path + ".ticket_alert", &a->ticket_alert));
  }
  // Sloth requires the alert name only when an alert is generated.
  const bool any = !a->page_alert.disable || !a->ticket_alert.disable;
  if (any && a->name.empty()) {
    return c.Err(n && n["name"] ? n["name"] : (n ? n : slo), path + ".name",
                 "alert name is required");
  }
  if (any && !IsValidMetricName(a->name)) {
    return c.Err(n["name"], path + ".name", "invalid alert name");
  }
  return Status::OK();
}

Result<SloSpec> ParseSlo(const Ctx& c, const YAML::Node& n, const std::string& path,
                         const std::string& service, const SloLabelMap& service_labels) {
  TM_RETURN_IF_ERROR(RequireMap(c, n, path));
  TM_RETURN_IF_ERROR(CheckKeys(c, n, path,
                               {"name", "description", "objective", "labels", "sli", "alerting"},
                               {{"plugins", "SLO plugins are Go code Sloth loads"}}));
  SloSpec s;
  s.file = c.file();
  s.line = n.Mark().line + 1;
  s.service = service;
  TM_ASSIGN_OR_RETURN(s.name, GetString(c, n["name"], path + ".name"));
  if (!IsValidSlothName(s.name)) {
    return c.Err(n["name"] ? n["name"] : n, path + ".name",
                 s.name.empty() ? "is required"
                                : "must start and end with an alphanumeric and can only contain "
                                  "alphanumeric, '.', '_', and '-'");
  }
  s.id = service + "-" + s.name;
  TM_ASSIGN_OR_RETURN(s.description, GetString(c, n["description"], path + ".description"));
  TM_ASSIGN_OR_RETURN(s.objective, GetNumber(c, n, "objective", path + ".objective"));
  if (s.objective <= 0 || s.objective > 100) {
    return c.Err(n["objective"], path + ".objective", "objective must be >0 and <=100");
  }
  TM_ASSIGN_OR_RETURN(SloLabelMap own, GetStringMap(c, n["labels"], path + ".labels", true));
  s.labels = service_labels;
  for (auto& [k, v] : own) s.labels[k] = std::move(v);
  for (const auto& [k, v] : s.labels) {
    if (ReservedLabels().count(k) != 0) {
      return c.Err(n["labels"] ? n["labels"] : n, path + ".labels." + k,
                   "label is set by the generator");
    }
  }
  TM_RETURN_IF_ERROR(ParseSli(c, n, path + ".sli", &s.sli));
  TM_RETURN_IF_ERROR(ParseAlerting(c, n, path + ".alerting", &s.alerting));
  return s;
}

Status ParseDocument(const Ctx& c, const YAML::Node& root, std::vector<SloSpec>* out) {
  TM_RETURN_IF_ERROR(RequireMap(c, root, "spec"));
  TM_RETURN_IF_ERROR(CheckKeys(c, root, "", {"version", "service", "labels", "slos"},
                               {{"slo_plugins", "SLO plugins are Go code Sloth loads"}}));
  TM_ASSIGN_OR_RETURN(std::string version, GetString(c, root["version"], "version"));
  if (version != "prometheus/v1") {
    return c.Err(root["version"] ? root["version"] : root, "version",
                 "invalid spec version, should be \"prometheus/v1\"");
  }
  TM_ASSIGN_OR_RETURN(std::string service, GetString(c, root["service"], "service"));
  if (!IsValidSlothName(service)) {
    return c.Err(root["service"] ? root["service"] : root, "service",
                 service.empty() ? "is required"
                                 : "must start and end with an alphanumeric and can only contain "
                                   "alphanumeric, '.', '_', and '-'");
  }
  TM_ASSIGN_OR_RETURN(SloLabelMap labels, GetStringMap(c, root["labels"], "labels", true));
  const YAML::Node slos = root["slos"];
  if (!slos || slos.IsNull() || (slos.IsSequence() && slos.size() == 0)) {
    return c.Err(slos ? slos : root, "slos", "at least one SLO is required");
  }
  if (!slos.IsSequence()) return c.Err(slos, "slos", "must be a list");
  for (size_t i = 0; i < slos.size(); ++i) {
    const std::string path = "slos[" + std::to_string(i) + "]";
    TM_ASSIGN_OR_RETURN(SloSpec s, ParseSlo(c, slos[i], path, service, labels));
    for (const SloSpec& prev : *out) {
      if (prev.id == s.id) {
        return c.Err(slos[i], path + ".name",
                     "SLO id " + s.id + " already defined at line " + std::to_string(prev.line));
      }
    }
    out->push_back(std::move(s));
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<SloSpec>> ParseSloText(std::string_view yaml, const std::string& file) {
  const Ctx c(file);
  std::vector<SloSpec> out;
  TM_ASSIGN_OR_RETURN(std::vector<YAML::Node> docs, LoadAllYaml(yaml, file));
  try {
    for (const YAML::Node& doc : docs) {
      if (!doc || doc.IsNull()) continue;  // empty document between `---` markers
      TM_RETURN_IF_ERROR(ParseDocument(c, doc, &out));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) +
                                   ": yaml: " + e.msg);
  }
  if (out.empty()) return Status::InvalidArgument(file + ": no SLO spec found");
  return out;
}

Result<std::vector<SloSpec>> ParseSloFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseSloText(ss.str(), path);
}

}  // namespace tidemark::alerting
