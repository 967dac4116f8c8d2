// Pushes alerts to external Alertmanagers with the API v2 (POST /api/v2/alerts).
#pragma once

#include <string>
#include <vector>

#include "notify/http_sender.h"
#include "tidemark/alerting/manager.h"

namespace tidemark::alerting {

// RFC 3339 with millisecond precision in UTC, as Go's time.Time marshals to JSON.
std::string Rfc3339(Timestamp ms);

// The Alertmanager v2 JSON array for `alerts` (labels, annotations, startsAt, endsAt,
// generatorURL).
std::string AlertmanagerV2Body(const std::vector<NotifyAlert>& alerts);

class AlertmanagerNotifier : public Notifier {
 public:
  // `sender` must outlive the notifier. URLs are Alertmanager base URLs.
  AlertmanagerNotifier(std::vector<std::string> urls, HttpSender& sender)
      : urls_(std::move(urls)), sender_(sender) {}
  void Notify(const std::vector<NotifyAlert>& alerts) override;

 private:
  std::vector<std::string> urls_;
  HttpSender& sender_;
};

}  // namespace tidemark::alerting
