// Pushes alerts to external Alertmanagers with the API v2 (POST /api/v2/alerts).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "notify/http_sender.h"
#include "tidemark/alerting/manager.h"
#include "tidemark/alerting/notify.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::alerting {

// The Alertmanager v2 JSON array for `alerts` (labels, annotations, startsAt, endsAt,
// generatorURL).
std::string AlertmanagerV2Body(const std::vector<NotifyAlert>& alerts);

// Prometheus' relabelAlerts: adds each external label an alert lacks, runs `rules`, and removes
// the alerts they drop.
void RelabelAlerts(const Labels& external_labels, const relabel::Relabeler& rules,
                   std::vector<NotifyAlert>& alerts);

class AlertmanagerNotifier : public Notifier {
 public:
  // `sender` must outlive the notifier. Targets carry Alertmanager base URLs and their
  // http_config; a bad TLS setup is an error here.
  static Result<std::unique_ptr<AlertmanagerNotifier>> Create(
      const std::vector<AlertmanagerTarget>& targets, HttpSender& sender);
  void Notify(const std::vector<NotifyAlert>& alerts) override;

 private:
  struct Endpoint {
    std::string url;  // the push URL
    int64_t timeout_ms = 0;
    std::shared_ptr<const httpclient::Client> client;
    relabel::Relabeler alert_relabel;
  };
  AlertmanagerNotifier(std::vector<Endpoint> endpoints, HttpSender& sender)
      : endpoints_(std::move(endpoints)), sender_(sender) {}
  std::vector<Endpoint> endpoints_;
  HttpSender& sender_;
};

}  // namespace tidemark::alerting
