// Opsgenie Alert API v2 (opsgenie_configs): create an alert per group (aliased by the hashed
// group key), close it on resolve, optionally update message and description.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "notify/config_util.h"
#include "notify/integration.h"

namespace tidemark::alerting {

struct OpsgenieConfig {
  std::string api_key;  // secret (template)
  std::string api_url;  // ends with '/'
  std::string message, description, source;  // templates; "" = Alertmanager's default texts
  std::string entity, actions, tags, note, priority;  // templates
  std::map<std::string, std::string> details;  // templates
  struct Responder {
    std::string id, name, username, type;  // templates
  };
  std::vector<Responder> responders;
  bool update_alerts = false;
  bool send_resolved = true;
  std::shared_ptr<const httpclient::Client> http;
};

class OpsgenieIntegration : public IntegrationKind {
 public:
  explicit OpsgenieIntegration(OpsgenieConfig c) : c_(std::move(c)) {}
  const char* kind() const override { return "opsgenie"; }
  bool send_resolved() const override { return c_.send_resolved; }
  Delivery Target() const override;
  // The body is JSON {"requests": [{"method", "path", "body"}]} (create or close, then with
  // update_alerts the message and description updates); the target sends them in order.
  std::string Render(const Notification& n) const override;

 private:
  OpsgenieConfig c_;
};

Result<std::shared_ptr<const IntegrationKind>> ParseOpsgenie(const YAML::Node& n, const std::string& where,
                                                         const IntegrationDefaults& d);

}  // namespace tidemark::alerting
