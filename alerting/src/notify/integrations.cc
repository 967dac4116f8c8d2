// The integrations of a receiver: webhook (Alertmanager's payload version 4) and Slack
// (incoming-webhook JSON, texts from templates as in Alertmanager) rendered here, the other
// kinds by their own files (integration.h).
#include "notify/integrations.h"

#include <nlohmann/json.hpp>

#include <map>

#include "template/template.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::alerting {
namespace {

using json = nlohmann::json;

std::string WebhookBody(const WebhookConfig& wc, const Notification& n) {
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
  return DumpJson({{"receiver", n.receiver},
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

std::string SlackBody(const SlackConfig& sc, const Notification& n) {
  const TValue data = TemplateData(n);
  auto expand = [&](const std::string& t) { return Expand(t, data, n); };
  const std::string title = TestMarked(n, expand(sc.title)), fallback = TestMarked(n, expand(sc.fallback));
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
  return DumpJson(body);
}

}  // namespace

std::vector<Integration> IntegrationsOf(const Receiver& r) {
  std::vector<Integration> out;
  for (size_t i = 0; i < r.webhooks.size(); ++i) {
    const WebhookConfig& wc = r.webhooks[i];
    Integration in{"webhook", i, wc.send_resolved, {}, nullptr};
    in.target.client = wc.client;
    in.target.url = wc.url;
    in.target.timeout_ms = static_cast<int>(wc.timeout_ms);
    in.render = [&wc](const Notification& n) { return WebhookBody(wc, n); };
    out.push_back(std::move(in));
  }
  for (size_t i = 0; i < r.slacks.size(); ++i) {
    const SlackConfig& sc = r.slacks[i];
    Integration in{"slack", i, sc.send_resolved, {}, nullptr};
    in.target.client = sc.client;
    in.target.url = sc.api_url;
    in.render = [&sc](const Notification& n) { return SlackBody(sc, n); };
    out.push_back(std::move(in));
  }
  std::map<std::string, size_t> per_kind;  // an integration's index among its receiver's kind
  for (const auto& k : r.kinds) {
    Integration in{k->kind(), per_kind[k->kind()]++, k->send_resolved(), k->Target(), nullptr};
    in.render = [k = k.get()](const Notification& n) { return k->Render(k->send_resolved() ? n : FiringOnly(n)); };
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace tidemark::alerting
