// The integrations of a receiver: webhook (Alertmanager's payload version 4) and Slack
// (incoming-webhook JSON, texts from templates as in Alertmanager).
#include "notify/integrations.h"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "template/template.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::alerting {
namespace {

using json = nlohmann::json;

json LabelsJson(const Labels& l) {
  json j = json::object();
  for (const auto& x : l) j[x.name] = x.value;
  return j;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string Expand(const std::string& text, const TValue& data, const NotificationData& n,
                   const Template* templates) {
  if (text.find("{{") == std::string::npos) return text;
  auto t = Template::Parse(text, "slack", templates);
  if (!t.ok()) return "<error expanding template: " + t.status().message() + ">";
  TemplateContext ctx;
  ctx.dot = data;
  ctx.external_url = n.external_url;
  auto r = (*t)->Execute(ctx);
  return r.ok() ? *r : "<error expanding template: " + r.status().message() + ">";
}

std::string WebhookBody(const WebhookConfig& wc, const NotificationData& n) {
  json alerts = json::array();
  size_t total = 0;
  for (size_t k = 0; k < n.alerts.size(); ++k) {
    if (n.resolved[k] && !wc.send_resolved) continue;
    ++total;
    if (wc.max_alerts > 0 && alerts.size() >= static_cast<size_t>(wc.max_alerts)) continue;
    const NotifyAlert& a = *n.alerts[k];
    alerts.push_back({{"status", n.resolved[k] ? "resolved" : "firing"},
                      {"labels", LabelsJson(a.labels)},
                      {"annotations", LabelsJson(a.annotations)},
                      {"startsAt", FormatGoTime(a.starts_at, Rfc3339Fraction::kMillis)},
                      {"endsAt", FormatGoTime(n.resolved[k] ? a.ends_at : 0, Rfc3339Fraction::kMillis)},
                      {"generatorURL", a.generator_url},
                      {"fingerprint", FingerprintHex(a.labels.Hash())}});
  }
  return Dump({{"receiver", n.receiver},
               {"status", n.status},
               {"alerts", alerts},
               {"groupLabels", LabelsJson(n.group_labels)},
               {"commonLabels", LabelsJson(n.common_labels)},
               {"commonAnnotations", LabelsJson(n.common_annotations)},
               {"externalURL", n.external_url},
               {"version", "4"},
               {"groupKey", n.group_key},
               {"truncatedAlerts", total - alerts.size()}});
}

std::string SlackBody(const SlackConfig& sc, const NotificationData& n, const Template* templates) {
  const TValue data = NotificationTemplateData(n);
  auto expand = [&](const std::string& t) { return Expand(t, data, n, templates); };
  std::string title = expand(sc.title), fallback = expand(sc.fallback);
  if (n.test) {
    title = "[TEST] " + title;
    fallback = "[TEST] " + fallback;
  }
  json att = {{"title", title},
              {"title_link", expand(sc.title_link)},
              {"text", expand(sc.text)},
              {"fallback", fallback},
              {"color", expand(sc.color)},
              {"mrkdwn_in", sc.mrkdwn_in}};
  // Empty strings are left out, as Alertmanager's omitempty JSON does.
  if (std::string s = expand(sc.pretext); !s.empty()) att["pretext"] = s;
  if (std::string s = expand(sc.footer); !s.empty()) att["footer"] = s;
  std::string runbook(n.common_annotations.Get("runbook_url"));
  if (runbook.empty() && !n.alerts.empty()) runbook = n.alerts[0]->annotations.Get("runbook_url");
  if (!runbook.empty()) {
    att["actions"] = json::array({{{"type", "button"}, {"text", "Runbook"}, {"url", runbook}}});
  }
  json body = {{"username", expand(sc.username)}, {"attachments", json::array({att})}};
  if (std::string s = expand(sc.channel); !s.empty()) body["channel"] = s;
  if (std::string s = expand(sc.icon_url); !s.empty()) body["icon_url"] = s;
  if (std::string s = expand(sc.icon_emoji); !s.empty()) body["icon_emoji"] = s;
  if (sc.link_names) body["link_names"] = true;
  return Dump(body);
}

}  // namespace

std::string FingerprintHex(uint64_t fp) {
  char b[20];
  std::snprintf(b, sizeof(b), "%016llx", static_cast<unsigned long long>(fp));
  return b;
}

TValue NotificationTemplateData(const NotificationData& n) {
  TList alerts;
  for (size_t i = 0; i < n.alerts.size(); ++i) {
    const NotifyAlert& a = *n.alerts[i];
    alerts.push_back(TValue::Struct(
        {{"Status", TValue::String(n.resolved[i] ? "resolved" : "firing")},
         {"Labels", TValue::FromLabels(a.labels)},
         {"Annotations", TValue::FromLabels(a.annotations)},
         {"StartsAt", TValue::String(FormatGoTime(a.starts_at, Rfc3339Fraction::kMillis))},
         {"EndsAt", TValue::String(FormatGoTime(n.resolved[i] ? a.ends_at : 0, Rfc3339Fraction::kMillis))},
         {"GeneratorURL", TValue::String(a.generator_url)},
         {"Fingerprint", TValue::String(FingerprintHex(a.labels.Hash()))}},
        "template.Alert"));
  }
  return TValue::Struct({{"Receiver", TValue::String(n.receiver)},
                         {"Status", TValue::String(n.status)},
                         {"Alerts", TValue::List(std::move(alerts))},
                         {"GroupLabels", TValue::FromLabels(n.group_labels)},
                         {"CommonLabels", TValue::FromLabels(n.common_labels)},
                         {"CommonAnnotations", TValue::FromLabels(n.common_annotations)},
                         {"ExternalURL", TValue::String(n.external_url)}},
                        "template.Data");
}

std::vector<Integration> IntegrationsOf(const Receiver& r, const Template* templates) {
  std::vector<Integration> out;
  for (size_t i = 0; i < r.webhooks.size(); ++i) {
    const WebhookConfig& wc = r.webhooks[i];
    Integration in{"webhook", i, wc.send_resolved, {}, nullptr};
    in.target.client = wc.client;
    in.target.url = wc.url;
    in.target.timeout_ms = static_cast<int>(wc.timeout_ms);
    in.render = [&wc](const NotificationData& n) { return WebhookBody(wc, n); };
    out.push_back(std::move(in));
  }
  for (size_t i = 0; i < r.slacks.size(); ++i) {
    const SlackConfig& sc = r.slacks[i];
    Integration in{"slack", i, sc.send_resolved, {}, nullptr};
    in.target.client = sc.client;
    in.target.url = sc.api_url;
    in.render = [&sc, templates](const NotificationData& n) { return SlackBody(sc, n, templates); };
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace tidemark::alerting
