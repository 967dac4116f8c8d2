// A receiver integration configured by its own file (PagerDuty, e-mail, Microsoft Teams,
// Opsgenie): how to reach it and how to render a notification's payload. IntegrationsOf
// (integrations.h) lists it among the receiver's integrations like webhook and Slack.
#pragma once

#include <memory>
#include <string>

#include "notify/http_sender.h"
#include "notify/notification.h"

namespace tidemark::alerting {

// One rendered notification, before it becomes a request (exposed for tests).
struct OutgoingNotification {
  std::string receiver;
  std::string url;   // the integration's address (for SMTP "smtp://host:port"); a secret
  std::string body;  // what the sender delivers (and a pending notification persists)
  std::string kind;  // "webhook" | "slack" | "pagerduty" | "email" | "msteams" | "opsgenie"
};

class IntegrationKind {
 public:
  virtual ~IntegrationKind() = default;
  virtual const char* kind() const = 0;
  virtual bool send_resolved() const = 0;
  // The transport fields of a Delivery: client/url/headers, or a Transport that interprets
  // Render's body (SMTP, Opsgenie's request sequence).
  virtual Delivery Target() const = 0;
  // The payload: everything the target needs to deliver this notification, since a pending
  // notification is persisted as this text and resent after a restart. `n` holds resolved alerts
  // only when send_resolved() (as Alertmanager's retry stage).
  virtual std::string Render(const Notification& n) const = 0;
};

// `n` without its resolved alerts, with status and common labels recomputed.
Notification FiringOnly(const Notification& n);

}  // namespace tidemark::alerting
