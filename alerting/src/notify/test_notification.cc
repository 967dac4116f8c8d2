// SendTestNotification: Grafana's "Test contact point" for our receivers. The alert is rendered
// by each integration exactly as a real one, then sent once; answers are reported, not retried.
#include "notify/integrations.h"

namespace tidemark::alerting {

Result<std::vector<TestNotificationAnswer>> SendTestNotification(
    const std::string& notifications_yaml, const std::string& base_dir,
    const std::string& external_url, const TestNotificationRequest& req, Timestamp now) {
  TM_ASSIGN_OR_RETURN(RouterConfig cfg, ParseRouterConfig(notifications_yaml, base_dir));
  const Receiver* recv = cfg.FindReceiver(req.receiver);
  if (recv == nullptr) return Status::NotFound("no receiver named \"" + req.receiver + "\"");
  NotifyAlert alert;
  LabelsBuilder labels;
  labels.Set("alertname", "TestAlert").Set("instance", "tidemark");
  for (const auto& [k, v] : req.labels) labels.Set(k, v);
  alert.labels = labels.Build();
  LabelsBuilder annotations;
  annotations.Set("summary", "[TEST] Notification test")
      .Set("description", "A test notification sent by Tidemark to check receiver \"" + req.receiver +
                              "\"; no alert is firing.");
  for (const auto& [k, v] : req.annotations) annotations.Set(k, v);
  alert.annotations = annotations.Build();
  alert.starts_at = now;
  alert.ends_at = now + 5 * 60'000;
  alert.generator_url = external_url;

  Notification data;
  data.receiver = recv->name;
  data.external_url = external_url;
  data.status = "firing";
  data.alerts = {&alert};
  data.resolved = {false};
  data.group_labels = alert.labels.Keep(std::vector<std::string>{"alertname"});
  data.common_labels = alert.labels;
  data.common_annotations = alert.annotations;
  data.group_key = "{}/test:" + data.group_labels.ToString();
  data.test = true;
  data.now = now;
  data.templates = cfg.templates.get();

  std::vector<TestNotificationAnswer> out;
  for (Integration& in : IntegrationsOf(*recv)) {
    TestNotificationAnswer a;
    a.integration = in.kind + "[" + std::to_string(in.index) + "]";
    Delivery d = std::move(in.target);
    d.body = in.render(data);
    auto res = SendOnce(d, /*default_timeout_ms=*/10'000);
    if (!res.ok()) {
      a.error = res.status().message();
    } else {
      a.delivered = res->delivered;
      a.status_code = res->code;
      a.body = res->body.substr(0, 256);
      if (!a.delivered) a.error = "the receiver answered " + std::to_string(res->code);
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace tidemark::alerting
