// Alertmanager API v2 payloads and delivery.
#include "notify/alertmanager.h"

#include <nlohmann/json.hpp>


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

Result<std::unique_ptr<AlertmanagerNotifier>> AlertmanagerNotifier::Create(
    const std::vector<AlertmanagerTarget>& targets, HttpSender& sender) {
  std::vector<Endpoint> endpoints;
  for (const auto& t : targets) {
    Endpoint e;
    e.url = t.url;
    while (!e.url.empty() && e.url.back() == '/') e.url.pop_back();
    e.timeout_ms = t.timeout_ms;
    TM_ASSIGN_OR_RETURN(e.client, httpclient::Client::Create(t.http));
    endpoints.push_back(std::move(e));
  }
  return std::unique_ptr<AlertmanagerNotifier>(new AlertmanagerNotifier(std::move(endpoints), sender));
}

void AlertmanagerNotifier::Notify(const std::vector<NotifyAlert>& alerts) {
  if (alerts.empty()) return;
  // Batches of 64 alerts per request, as Prometheus' notifier does by default.
  constexpr size_t kBatch = 64;
  for (size_t i = 0; i < alerts.size(); i += kBatch) {
    std::vector<NotifyAlert> batch(alerts.begin() + static_cast<std::ptrdiff_t>(i),
                                   alerts.begin() + static_cast<std::ptrdiff_t>(std::min(alerts.size(), i + kBatch)));
    const std::string body = AlertmanagerV2Body(batch);
    for (size_t k = 0; k < endpoints_.size(); ++k) {
      const Endpoint& e = endpoints_[k];
      Delivery d;
      d.client = e.client;
      d.url = e.url + "/api/v2/alerts";
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
