// PagerDuty Events API v2 payloads (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/)
// with Alertmanager's defaults: summary from the subject, client "Alertmanager", details listing
// the firing and resolved alerts.
#include "notify/pagerduty.h"

namespace tidemark::alerting {
namespace {

constexpr size_t kMaxEventBytes = 512'000;
constexpr size_t kMaxSummaryRunes = 1024;

}  // namespace

std::string PagerdutyIntegration::Render(const Notification& n) const {
  const TValue data = TemplateData(n);
  auto tmpl = [&](const std::string& t) { return Expand(t, data, n); };
  const std::string subject = DefaultSubject(n);
  const std::string client = c_.client.empty() ? "Alertmanager" : tmpl(c_.client);
  nlohmann::json details = nlohmann::json::object();
  details["firing"] = TextAlertList(n, true, false);
  details["resolved"] = TextAlertList(n, false, false);
  details["num_firing"] = std::to_string(n.NumFiring());
  details["num_resolved"] = std::to_string(n.alerts.size() - n.NumFiring());
  for (const auto& [k, v] : c_.details) details[k] = tmpl(v);
  nlohmann::json payload = {
      {"summary", TruncateRunes(TestMarked(n, c_.description.empty() ? subject : tmpl(c_.description)),
                                kMaxSummaryRunes)},
      {"source", c_.source.empty() ? client : tmpl(c_.source)},
      {"severity", c_.severity.empty() ? "error" : tmpl(c_.severity)},
      {"custom_details", details}};
  // Empty optional fields are left out, as Alertmanager's omitempty JSON does.
  for (const auto& [key, t] : {std::pair<const char*, const std::string*>{"class", &c_.clazz},
                               {"component", &c_.component}, {"group", &c_.group}}) {
    if (std::string v = tmpl(*t); !v.empty()) payload[key] = v;
  }
  nlohmann::json msg = {{"routing_key", tmpl(c_.routing_key)},
                        {"dedup_key", GroupKeyHash(n.group_key)},
                        {"event_action", n.status == "resolved" ? "resolve" : "trigger"},
                        {"payload", payload}};
  if (!client.empty()) msg["client"] = client;
  if (std::string u = c_.client_url.empty() ? AlertmanagerUrl(n) : tmpl(c_.client_url); !u.empty()) {
    msg["client_url"] = u;
  }
  nlohmann::json images = nlohmann::json::array(), links = nlohmann::json::array();
  for (const auto& im : c_.images) {
    nlohmann::json j = {{"src", tmpl(im.src)}, {"alt", tmpl(im.alt)}, {"href", tmpl(im.href)}};
    if (!j["src"].get<std::string>().empty()) images.push_back(std::move(j));
  }
  for (const auto& l : c_.links) {
    nlohmann::json j = {{"href", tmpl(l.href)}, {"text", tmpl(l.text)}};
    if (!j["href"].get<std::string>().empty()) links.push_back(std::move(j));
  }
  if (!images.empty()) msg["images"] = images;
  if (!links.empty()) msg["links"] = links;
  std::string body = DumpJson(msg);
  if (body.size() > kMaxEventBytes) {
    msg["payload"]["custom_details"] = {
        {"error", "Custom details have been removed because the original event exceeds the maximum size of 512kB"}};
    body = DumpJson(msg);
  }
  return body;
}

Delivery PagerdutyIntegration::Target() const {
  Delivery d;
  d.client = c_.http;
  d.url = c_.url;
  return d;
}

Result<std::shared_ptr<const IntegrationKind>> ParsePagerduty(const YAML::Node& n, const std::string& where,
                                                          const IntegrationDefaults& d) {
  TM_RETURN_IF_ERROR(KeysIn(n, {"send_resolved", "http_config", "routing_key", "routing_key_file", "url",
                                "client", "client_url", "description", "details", "images", "links",
                                "source", "severity", "class", "component", "group", "service_key",
                                "service_key_file"},
                            "pagerduty_config"));
  if (n["service_key"] || n["service_key_file"]) {
    return Status::InvalidArgument(where + ": service_key (Events API v1) is not supported; use routing_key");
  }
  PagerdutyConfig c;
  TM_ASSIGN_OR_RETURN(c.routing_key, SecretOrFile(n, where, "routing_key", d.base_dir));
  if (c.routing_key.empty()) return Status::InvalidArgument(where + ": missing service or routing key in PagerDuty config");
  TM_ASSIGN_OR_RETURN(c.url, UrlOrFile(n, where, "url", "url_file", d.base_dir, d.pagerduty_url));
  TM_ASSIGN_OR_RETURN(c.http, IntegrationClient(n, where, d.base_dir, d.http, d.http_client));
  c.send_resolved = BoolOr(n["send_resolved"], true);
  c.client = StrOr(n["client"], "");
  c.client_url = StrOr(n["client_url"], "");
  c.description = StrOr(n["description"], "");
  c.source = StrOr(n["source"], c.client);
  c.severity = StrOr(n["severity"], "");
  c.clazz = StrOr(n["class"], "");
  c.component = StrOr(n["component"], "");
  c.group = StrOr(n["group"], "");
  TM_ASSIGN_OR_RETURN(c.details, StringMap(n["details"], where + ".details"));
  for (const auto& im : n["images"]) {
    TM_RETURN_IF_ERROR(KeysIn(im, {"src", "alt", "href"}, "pagerduty image"));
    c.images.push_back({StrOr(im["src"], ""), StrOr(im["alt"], ""), StrOr(im["href"], "")});
  }
  for (const auto& l : n["links"]) {
    TM_RETURN_IF_ERROR(KeysIn(l, {"href", "text"}, "pagerduty link"));
    c.links.push_back({StrOr(l["href"], ""), StrOr(l["text"], "")});
  }
  return std::shared_ptr<const IntegrationKind>(std::make_shared<PagerdutyIntegration>(std::move(c)));
}

}  // namespace tidemark::alerting
