// Opsgenie requests as Alertmanager builds them (https://docs.opsgenie.com/docs/alert-api):
// POST v2/alerts to create, POST v2/alerts/{alias}/close to resolve, PUT .../message and
// .../description with update_alerts; "Authorization: GenieKey <key>".
#include "notify/opsgenie.h"

#include <re2/re2.h>

#include <cctype>

namespace tidemark::alerting {
namespace {

constexpr size_t kMaxMessageRunes = 130;

// Splits on `sep`, trimming the whole string first and dropping empty parts (safeSplit).
std::vector<std::string> SafeSplit(const std::string& s, char sep) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  std::vector<std::string> out;
  if (b == std::string::npos) return out;
  const std::string t = s.substr(b, e - b + 1);
  size_t start = 0;
  while (start <= t.size()) {
    size_t p = t.find(sep, start);
    if (p == std::string::npos) p = t.size();
    if (p > start) out.push_back(t.substr(start, p - start));
    start = p + 1;
  }
  return out;
}

}  // namespace

std::string OpsgenieIntegration::Render(const Notification& n) const {
  const TValue data = TemplateData(n);
  auto tmpl = [&](const std::string& t) { return Expand(t, data, n); };
  const std::string alias = GroupKeyHash(n.group_key);
  const std::string source = c_.source.empty() ? AlertmanagerUrl(n) : tmpl(c_.source);
  nlohmann::json reqs = nlohmann::json::array();
  auto req = [&](const char* method, const std::string& path, nlohmann::json body) {
    reqs.push_back({{"method", method}, {"path", path}, {"body", std::move(body)}});
  };
  if (n.status == "resolved") {
    req("POST", "v2/alerts/" + alias + "/close?identifierType=alias", {{"source", source}});
  } else {
    nlohmann::json details = LabelsJson(n.common_labels);
    for (const auto& [k, v] : c_.details) details[k] = tmpl(v);
    std::string description;
    if (c_.description.empty()) {
      // default.tmpl's opsgenie.default.description.
      for (const auto& a : n.common_annotations) description += (description.empty() ? "" : " ") + a.value;
      description += "\n";
      if (n.NumFiring() > 0) description += "Alerts Firing:\n" + TextAlertList(n, true, false);
      description += "\n";
      if (n.NumFiring() < n.alerts.size()) description += "Alerts Resolved:\n" + TextAlertList(n, false, false);
    } else {
      description = tmpl(c_.description);
    }
    nlohmann::json msg = {{"alias", alias},
                          {"message", TruncateRunes(TestMarked(n, c_.message.empty() ? DefaultSubject(n) : tmpl(c_.message)),
                                                    kMaxMessageRunes)},
                          {"details", details},
                          {"source", source}};
    if (!description.empty()) msg["description"] = description;
    nlohmann::json responders = nlohmann::json::array();
    for (const auto& r : c_.responders) {
      const std::string id = tmpl(r.id), name = tmpl(r.name), username = tmpl(r.username), type = tmpl(r.type);
      if (id.empty() && name.empty() && username.empty() && type.empty()) continue;
      if (type == "teams") {
        for (const auto& team : SafeSplit(name, ',')) responders.push_back({{"name", team}, {"type", "team"}});
        continue;
      }
      nlohmann::json j = {{"type", type}};
      if (!id.empty()) j["id"] = id;
      if (!name.empty()) j["name"] = name;
      if (!username.empty()) j["username"] = username;
      responders.push_back(std::move(j));
    }
    if (!responders.empty()) msg["responders"] = responders;
    if (auto tags = SafeSplit(tmpl(c_.tags), ','); !tags.empty()) msg["tags"] = tags;
    if (auto actions = SafeSplit(tmpl(c_.actions), ','); !actions.empty()) msg["actions"] = actions;
    for (const auto& [key, t] : {std::pair<const char*, const std::string*>{"note", &c_.note},
                                 {"priority", &c_.priority}, {"entity", &c_.entity}}) {
      if (std::string v = tmpl(*t); !v.empty()) msg[key] = v;
    }
    req("POST", "v2/alerts", msg);
    if (c_.update_alerts) {
      req("PUT", "v2/alerts/" + alias + "/message?identifierType=alias", {{"message", msg["message"]}});
      nlohmann::json d = nlohmann::json::object();
      if (!description.empty()) d["description"] = description;
      req("PUT", "v2/alerts/" + alias + "/description?identifierType=alias", d);
    }
  }
  return DumpJson({{"requests", reqs}});
}

Delivery OpsgenieIntegration::Target() const {
  Delivery d;
  d.url = c_.api_url;
  // The key is a template in Alertmanager; it is expanded without alert data here, since it is
  // not persisted with the pending notification.
  Delivery http;
  http.client = c_.http;
  http.headers = {{"Authorization", "GenieKey " + Expand(c_.api_key, TemplateData(Notification{}), Notification{})}};
  // Alertmanager sends the requests in order and stops at the first that is not accepted.
  d.transport = [http, base = c_.api_url](const std::string& body, int timeout_ms) -> Result<SendAnswer> {
    const auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j["requests"].is_array() || j["requests"].empty()) {
      return Status::InvalidArgument("malformed pending Opsgenie notification");
    }
    SendAnswer last;
    for (const auto& r : j["requests"]) {
      Delivery one = http;
      one.method = r.value("method", "POST");
      one.url = base + r.value("path", "");
      one.body = DumpJson(r["body"]);
      TM_ASSIGN_OR_RETURN(last, SendOnce(one, timeout_ms));
      if (!last.delivered) break;
    }
    return last;
  };
  return d;
}

Result<std::shared_ptr<const IntegrationKind>> ParseOpsgenie(const YAML::Node& n, const std::string& where,
                                                         const IntegrationDefaults& d) {
  TM_RETURN_IF_ERROR(KeysIn(n, {"send_resolved", "http_config", "api_key", "api_key_file", "api_url", "message",
                                "description", "source", "details", "entity", "responders", "actions", "tags",
                                "note", "priority", "update_alerts"},
                            "opsgenie_config"));
  OpsgenieConfig c;
  TM_ASSIGN_OR_RETURN(c.api_key, SecretOrFile(n, where, "api_key", d.base_dir));
  if (c.api_key.empty()) c.api_key = d.opsgenie_api_key;
  if (c.api_key.empty()) {
    return Status::InvalidArgument(where + ": no global OpsGenie API Key set either inline or in a file");
  }
  TM_ASSIGN_OR_RETURN(c.api_url, UrlOrFile(n, where, "api_url", "api_url_file", d.base_dir, d.opsgenie_api_url));
  if (c.api_url.back() != '/') c.api_url += '/';
  TM_ASSIGN_OR_RETURN(c.http, IntegrationClient(n, where, d.base_dir, d.http, d.http_client));
  c.send_resolved = BoolOr(n["send_resolved"], true);
  c.update_alerts = BoolOr(n["update_alerts"], false);
  c.message = StrOr(n["message"], "");
  c.description = StrOr(n["description"], "");
  c.source = StrOr(n["source"], "");
  c.entity = StrOr(n["entity"], "");
  c.actions = StrOr(n["actions"], "");
  c.tags = StrOr(n["tags"], "");
  c.note = StrOr(n["note"], "");
  c.priority = StrOr(n["priority"], "");
  TM_ASSIGN_OR_RETURN(c.details, StringMap(n["details"], where + ".details"));
  for (const auto& r : n["responders"]) {
    TM_RETURN_IF_ERROR(KeysIn(r, {"id", "name", "username", "type"}, "opsgenie responder"));
    OpsgenieConfig::Responder rs{StrOr(r["id"], ""), StrOr(r["name"], ""), StrOr(r["username"], ""),
                                 StrOr(r["type"], "")};
    if (rs.id.empty() && rs.name.empty() && rs.username.empty()) {
      return Status::InvalidArgument(where + ": responder has to have at least one of id, username or name specified");
    }
    if (rs.type.find("{{") != std::string::npos) {
      TM_RETURN_IF_ERROR(CheckTemplateSyntax(rs.type, "responder type"));
    } else {
      for (auto& ch : rs.type) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (!RE2::FullMatch(rs.type, "team|teams|user|escalation|schedule")) {
        return Status::InvalidArgument(where + ": responder type \"" + rs.type +
                                       "\" does not match valid options ^(team|teams|user|escalation|schedule)$");
      }
    }
    c.responders.push_back(std::move(rs));
  }
  return std::shared_ptr<const IntegrationKind>(std::make_shared<OpsgenieIntegration>(std::move(c)));
}

}  // namespace tidemark::alerting
