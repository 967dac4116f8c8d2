// The Teams MessageCard Alertmanager sends: title, summary, markdown text and a theme colour
// by status (red firing, green resolved).
#include "notify/msteams.h"

namespace tidemark::alerting {

std::string MsTeamsIntegration::Render(const Notification& n) const {
  const TValue data = TemplateData(n);
  auto tmpl = [&](const std::string& t) { return Expand(t, data, n); };
  std::string text;
  if (c_.text.empty()) {
    // default.tmpl's msteams.default.text.
    text = "\n";
    if (n.NumFiring() > 0) text += "\n# Alerts Firing:\n" + TextAlertList(n, true, true) + "\n";
    text += "\n";
    if (n.NumFiring() < n.alerts.size()) text += "\n# Alerts Resolved:\n" + TextAlertList(n, false, true) + "\n";
    text += "\n";
  } else {
    text = tmpl(c_.text);
  }
  const nlohmann::json card = {{"@context", "http://schema.org/extensions"},
                               {"type", "MessageCard"},
                               {"title", TestMarked(n, c_.title.empty() ? DefaultSubject(n) : tmpl(c_.title))},
                               {"summary", TestMarked(n, c_.summary.empty() ? DefaultSubject(n) : tmpl(c_.summary))},
                               {"text", text},
                               {"themeColor", n.status == "resolved" ? "2DC72D" : "8C1A1A"}};
  return DumpJson(card);
}

Delivery MsTeamsIntegration::Target() const {
  Delivery d;
  d.client = c_.http;
  d.url = c_.webhook_url;
  return d;
}

Result<std::shared_ptr<const IntegrationKind>> ParseMsTeams(const YAML::Node& n, const std::string& where,
                                                        const IntegrationDefaults& d) {
  TM_RETURN_IF_ERROR(KeysIn(n, {"send_resolved", "http_config", "webhook_url", "webhook_url_file", "title",
                                "summary", "text"},
                            "msteams_config"));
  MsTeamsConfig c;
  TM_ASSIGN_OR_RETURN(c.webhook_url, UrlOrFile(n, where, "webhook_url", "webhook_url_file", d.base_dir, ""));
  TM_ASSIGN_OR_RETURN(c.http, IntegrationClient(n, where, d.base_dir, d.http, d.http_client));
  c.send_resolved = BoolOr(n["send_resolved"], true);
  c.title = StrOr(n["title"], "");
  c.summary = StrOr(n["summary"], "");
  c.text = StrOr(n["text"], "");
  return std::shared_ptr<const IntegrationKind>(std::make_shared<MsTeamsIntegration>(std::move(c)));
}

}  // namespace tidemark::alerting
