// The firing-only view of a notification, for integrations that do not send resolved alerts.
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

}  // namespace tidemark::alerting
