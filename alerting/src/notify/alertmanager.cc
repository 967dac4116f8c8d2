// Alertmanager API v2 payloads and delivery.
#include "notify/alertmanager.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace tidemark::alerting {

std::string AlertmanagerV2Body(const std::vector<NotifyAlert>& alerts) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& a : alerts) {
    nlohmann::json labels = nlohmann::json::object(), ann = nlohmann::json::object();
    for (const auto& l : a.labels) labels[l.name] = l.value;
    for (const auto& l : a.annotations) ann[l.name] = l.value;
    nlohmann::json j = {{"labels", labels}, {"annotations", ann},
                        {"generatorURL", a.generator_url}};
    if (a.starts_at != 0) j["startsAt"] = FormatGoTime(a.starts_at, Rfc3339Fraction::kMillis);
    if (a.ends_at != 0) j["endsAt"] = FormatGoTime(a.ends_at, Rfc3339Fraction::kMillis);
    arr.push_back(std::move(j));
  }
  return arr.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void RelabelAlerts(const Labels& external_labels, const relabel::Relabeler& rules,
                   std::vector<NotifyAlert>& alerts) {
  if (external_labels.empty() && rules.empty()) return;
  std::erase_if(alerts, [&](NotifyAlert& a) {
    LabelsBuilder b(a.labels);
    for (const auto& l : external_labels) {
      if (!a.labels.Has(l.name)) b.Set(l.name, l.value);
    }
    if (!rules.Apply(b)) return true;
    a.labels = b.Build();
    return false;
  });
}

Result<std::unique_ptr<AlertmanagerNotifier>> AlertmanagerNotifier::Create(
    const std::vector<AlertmanagerTarget>& targets, HttpSender& sender) {
  std::vector<Endpoint> endpoints;
  for (const auto& t : targets) {
    Endpoint e;
    e.url = t.url;
    e.timeout_ms = t.timeout_ms;
    e.alert_relabel = t.alert_relabel;
    TM_ASSIGN_OR_RETURN(e.client, httpclient::Client::Create(t.http));
    endpoints.push_back(std::move(e));
  }
  return std::unique_ptr<AlertmanagerNotifier>(new AlertmanagerNotifier(std::move(endpoints), sender));
}

namespace {

// Request bodies of at most 64 alerts each, as Prometheus' notifier batches by default.
std::vector<std::string> BatchBodies(const std::vector<NotifyAlert>& alerts) {
  constexpr size_t kBatch = 64;
  std::vector<std::string> bodies;
  for (size_t i = 0; i < alerts.size(); i += kBatch) {
    const auto end = std::min(alerts.size(), i + kBatch);
    bodies.push_back(AlertmanagerV2Body(std::vector<NotifyAlert>(
        alerts.begin() + static_cast<std::ptrdiff_t>(i), alerts.begin() + static_cast<std::ptrdiff_t>(end))));
  }
  return bodies;
}

}  // namespace

void AlertmanagerNotifier::Notify(const std::vector<NotifyAlert>& alerts) {
  if (alerts.empty()) return;
  const std::vector<std::string> shared = BatchBodies(alerts);
  for (size_t k = 0; k < endpoints_.size(); ++k) {
    const Endpoint& e = endpoints_[k];
    std::vector<std::string> own;  // this Alertmanager set's alert_relabel_configs applied
    if (!e.alert_relabel.empty()) {
      std::vector<NotifyAlert> relabelled = alerts;
      RelabelAlerts(Labels(), e.alert_relabel, relabelled);
      own = BatchBodies(relabelled);
    }
    for (const std::string& body : e.alert_relabel.empty() ? shared : own) {
      Delivery d;
      d.client = e.client;
      d.url = e.url;
      d.body = body;
      d.timeout_ms = static_cast<int>(e.timeout_ms);
      d.receiver = httpclient::UrlHostForLog(e.url);
      d.integration = "alertmanager";
      d.index = static_cast<int>(k);
      sender_.Enqueue(std::move(d));
    }
  }
}

}  // namespace tidemark::alerting
