// Shared pieces of the integrations: the firing-only view and one HTTP exchange judged as
// Alertmanager's retrier does.
#include "notify/integration.h"

namespace tidemark::alerting {

Notification FiringOnly(const Notification& n) {
  Notification out = n;
  out.alerts.clear();
  out.resolved.clear();
  for (size_t i = 0; i < n.alerts.size(); ++i) {
    if (n.resolved[i]) continue;
    out.alerts.push_back(n.alerts[i]);
    out.resolved.push_back(false);
  }
  out.status = out.alerts.empty() ? "resolved" : "firing";
  out.common_labels = CommonLabels(out.alerts, false);
  out.common_annotations = CommonLabels(out.alerts, true);
  return out;
}

Status DoHttp(const httpclient::Client& client, const httpclient::Request& req, bool* retryable) {
  auto res = client.Do(req);
  if (!res.ok()) {
    // A malformed request never gets better; network and TLS errors may.
    *retryable = res.status().code() != StatusCode::kInvalidArgument;
    return res.status();
  }
  if (res->status >= 200 && res->status < 300) return Status::OK();
  *retryable = res->status >= 500 || res->status == 429;
  return Status::Unavailable("HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 256));
}

}  // namespace tidemark::alerting
