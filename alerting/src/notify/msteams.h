// Microsoft Teams incoming webhooks (msteams_configs): Alertmanager's MessageCard payload.
#pragma once

#include <memory>
#include <string>

#include "notify/config_util.h"
#include "notify/integration.h"

namespace tidemark::alerting {

struct MsTeamsConfig {
  std::string webhook_url;  // secret
  std::string title, summary, text;  // templates; "" = Alertmanager's default texts
  bool send_resolved = true;
  std::shared_ptr<const httpclient::Client> http;
};

class MsTeamsIntegration : public IntegrationKind {
 public:
  explicit MsTeamsIntegration(MsTeamsConfig c) : c_(std::move(c)) {}
  const char* kind() const override { return "msteams"; }
  bool send_resolved() const override { return c_.send_resolved; }
  Delivery Target() const override;
  std::string Render(const Notification& n) const override;

 private:
  MsTeamsConfig c_;
};

Result<std::shared_ptr<const IntegrationKind>> ParseMsTeams(const YAML::Node& n, const std::string& where,
                                                        const IntegrationDefaults& d);

}  // namespace tidemark::alerting
