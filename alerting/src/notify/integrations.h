// A receiver's integrations as the router sees them, whatever their kind: how to reach each one
// (a Delivery's transport fields) and how to render its payload from one notification's data.
// A new receiver kind plugs in as an IntegrationKind (integration.h) parsed into Receiver::kinds.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "notify/http_sender.h"
#include "notify/notification.h"
#include "notify/router.h"

namespace tidemark::alerting {

struct Integration {
  std::string kind;  // "webhook" | "slack" | …: metrics, logs and the notification log key
  size_t index = 0;  // position among the receiver's integrations of this kind
  bool send_resolved = false;
  Delivery target;   // transport fields only (client/url/headers/timeout or transport)
  // The payload; it is also what a pending notification persists, so `target` must be able to
  // deliver it alone.
  std::function<std::string(const Notification&)> render;
};

// Every integration of `r`: webhooks, Slack, then Receiver::kinds (PagerDuty, e-mail, Teams,
// Opsgenie), each kind in config order. Text fields call the named templates of the rendered
// Notification's `templates`.
std::vector<Integration> IntegrationsOf(const Receiver& r);

}  // namespace tidemark::alerting
