// Parsing helpers shared by the notification config (router_config.cc) and the integrations'
// own parsers: strict keys, *_file secrets, URLs and the per-integration HTTP client.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "tidemark/httpclient/client.h"
#include "tidemark/httpclient/config.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::alerting {

// Every key of mapping `n` is in `known`, else an error naming the field, its line and `what`.
Status KeysIn(const YAML::Node& n, const std::set<std::string>& known, const std::string& what);
bool BoolOr(const YAML::Node& n, bool def);
std::string StrOr(const YAML::Node& n, const std::string& def);

// `url` or `url_file` (exactly one unless `fallback` supplies the value); must be http(s).
Result<std::string> UrlOrFile(const YAML::Node& n, const std::string& where, const char* key,
                              const char* file_key, const std::string& base_dir,
                              const std::string& fallback);

// An integration's HTTP client: its own http_config, else global.http_config, whose client all
// such integrations share.
Result<std::shared_ptr<const httpclient::Client>> IntegrationClient(
    const YAML::Node& n, const std::string& where, const std::string& base_dir,
    const httpclient::ClientConfig& global, std::shared_ptr<const httpclient::Client>* global_client);

// What global: gives the integrations beyond webhook and Slack, and where files resolve.
struct IntegrationDefaults {
  std::string base_dir;
  httpclient::ClientConfig http;
  std::shared_ptr<const httpclient::Client>* http_client = nullptr;  // shared, created on use
  std::string pagerduty_url = "https://events.pagerduty.com/v2/enqueue";
  std::string opsgenie_api_url = "https://api.opsgenie.com/";
  std::string opsgenie_api_key;  // secret (from opsgenie_api_key or _file)
  std::string smtp_from, smtp_hello = "localhost", smtp_smarthost;
  std::string smtp_auth_username, smtp_auth_password, smtp_auth_identity;  // password secret
  bool smtp_require_tls = true;
};

// The keys of `global:` that IntegrationDefaults covers.
const std::set<std::string>& IntegrationGlobalKeys();
// Reads those keys of `g` into `d`.
Status ParseIntegrationGlobals(const YAML::Node& g, IntegrationDefaults* d);

// `key` or `key_file` (at most one); "" when neither is set.
Result<std::string> SecretOrFile(const YAML::Node& n, const std::string& where, const std::string& key,
                                 const std::string& base_dir);

// A string map (details, headers) in YAML order-independent form.
Result<std::map<std::string, std::string>> StringMap(const YAML::Node& n, const std::string& where);

}  // namespace tidemark::alerting
