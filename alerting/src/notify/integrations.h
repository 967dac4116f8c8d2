// A receiver's integrations as the router sees them, whatever their kind: how to reach each one
// (a Delivery's transport fields) and how to render its payload from one notification's data.
// A new receiver kind plugs in by adding a case to IntegrationsOf.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "notify/http_sender.h"
#include "notify/router.h"

namespace tidemark::alerting {

// One notification of an aggregation group, before any integration renders it.
struct NotificationData {
  std::string receiver;
  std::string group_key;     // Alertmanager's groupKey
  std::string external_url;
  std::string status;        // firing | resolved
  std::vector<const NotifyAlert*> alerts;  // Alertmanager's order
  std::vector<bool> resolved;              // per alert
  Labels group_labels, common_labels, common_annotations;
  bool test = false;  // `notify test`: texts for humans carry a visible [TEST] mark
};

struct Integration {
  std::string kind;  // "webhook" | "slack" | …: metrics, logs and the notification log key
  size_t index = 0;  // position among the receiver's integrations of this kind
  bool send_resolved = false;
  Delivery target;   // transport fields only (client/url/timeout or transport)
  std::function<std::string(const NotificationData&)> render;  // the payload
};

// Every integration of `r`, in config order. `templates` (nullable) holds the named templates
// (Alertmanager's defaults and the `templates:` files) that text fields may call.
std::vector<Integration> IntegrationsOf(const Receiver& r, const Template* templates);

// An alert fingerprint as Alertmanager prints it: 16 lower-case hex digits.
std::string FingerprintHex(uint64_t fp);

// Alertmanager's template data (.Receiver, .Status, .Alerts, .GroupLabels, …).
TValue NotificationTemplateData(const NotificationData& n);

}  // namespace tidemark::alerting
