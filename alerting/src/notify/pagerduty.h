// PagerDuty over the Events API v2 (pagerduty_configs): one trigger/resolve event per flush,
// deduplicated by the hashed group key, fields templated as Alertmanager does.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "notify/config_util.h"
#include "notify/integration.h"

namespace tidemark::alerting {

struct PagerdutyConfig {
  std::string routing_key;  // secret (template)
  std::string url;          // events endpoint
  std::string client, client_url, description, source, severity, clazz, component, group;  // templates
  std::map<std::string, std::string> details;  // templates; "" = Alertmanager's default texts
  struct Image {
    std::string src, alt, href;
  };
  struct Link {
    std::string href, text;
  };
  std::vector<Image> images;
  std::vector<Link> links;
  bool send_resolved = true;
  std::shared_ptr<const httpclient::Client> http;
};

class PagerdutyIntegration : public IntegrationKind {
 public:
  explicit PagerdutyIntegration(PagerdutyConfig c) : c_(std::move(c)) {}
  const char* kind() const override { return "pagerduty"; }
  bool send_resolved() const override { return c_.send_resolved; }
  Delivery Target() const override;
  std::string Render(const Notification& n) const override;

 private:
  PagerdutyConfig c_;
};

Result<std::shared_ptr<const IntegrationKind>> ParsePagerduty(const YAML::Node& n, const std::string& where,
                                                          const IntegrationDefaults& d);

}  // namespace tidemark::alerting
