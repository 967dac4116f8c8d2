// A receiver integration beyond webhook and Slack (PagerDuty, e-mail, Microsoft Teams, Opsgenie):
// it renders one flush's notification into what the sender delivers.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "notify/notification.h"
#include "tidemark/httpclient/client.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::alerting {

// One rendered notification, before it becomes a request (exposed for tests).
struct OutgoingNotification {
  std::string receiver;
  std::string url;   // where it goes (for SMTP "smtp://host:port"); a secret, logs show its host
  std::string body;  // JSON, or the e-mail message
  std::string kind;  // "webhook" | "slack" | "pagerduty" | "email" | "msteams" | "opsgenie"
  std::vector<std::pair<std::string, std::string>> headers;  // extra HTTP headers (secrets)
  // Set when delivery is not one HTTP POST of `body` to `url` (SMTP, Opsgenie's request
  // sequence): performs it, and says whether a failure is worth retrying.
  std::function<Status(bool* retryable)> send;
};

class Integration {
 public:
  virtual ~Integration() = default;
  virtual const char* kind() const = 0;
  virtual bool send_resolved() const = 0;
  // The HTTP client (from http_config or global.http_config); null for SMTP.
  virtual std::shared_ptr<const httpclient::Client> client() const = 0;
  // `n` holds resolved alerts only when send_resolved() (as Alertmanager's retry stage).
  virtual OutgoingNotification Render(const Notification& n) const = 0;
};

// `n` without its resolved alerts, with status and common labels recomputed.
Notification FiringOnly(const Notification& n);

// Does one HTTP request with Alertmanager's retry classification: 2xx is success, 5xx and 429
// are worth retrying, other answers are final.
Status DoHttp(const httpclient::Client& client, const httpclient::Request& req, bool* retryable);

}  // namespace tidemark::alerting
