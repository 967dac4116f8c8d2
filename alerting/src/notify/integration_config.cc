// Config pieces the PagerDuty, e-mail, Teams and Opsgenie parsers share: global defaults,
// secrets from *_file fields, string maps.
#include "notify/config_util.h"

namespace tidemark::alerting {

const std::set<std::string>& IntegrationGlobalKeys() {
  static const std::set<std::string> kKeys = {
      "pagerduty_url", "opsgenie_api_url", "opsgenie_api_key", "opsgenie_api_key_file",
      "smtp_from", "smtp_hello", "smtp_smarthost", "smtp_auth_username", "smtp_auth_password",
      "smtp_auth_password_file", "smtp_auth_identity", "smtp_require_tls"};
  return kKeys;
}

Result<std::string> SecretOrFile(const YAML::Node& n, const std::string& where, const std::string& key,
                                 const std::string& base_dir) {
  const std::string file_key = key + "_file";
  const std::string v = StrOr(n[key], ""), file = StrOr(n[file_key], "");
  if (!v.empty() && !file.empty()) {
    return Status::InvalidArgument(where + ": at most one of " + key + " & " + file_key + " must be configured");
  }
  if (file.empty()) return v;
  return httpclient::ReadConfigFile(file, base_dir, where + "." + file_key);
}

Result<std::map<std::string, std::string>> StringMap(const YAML::Node& n, const std::string& where) {
  std::map<std::string, std::string> out;
  if (!n || n.IsNull()) return out;
  if (!n.IsMap()) return Status::InvalidArgument(where + ": expected a mapping of strings");
  for (const auto& kv : n) {
    if (!kv.second.IsScalar() && !kv.second.IsNull()) {
      return Status::InvalidArgument(where + "." + kv.first.Scalar() + ": expected a string");
    }
    out[kv.first.Scalar()] = kv.second.IsNull() ? "" : kv.second.Scalar();
  }
  return out;
}

Status ParseIntegrationGlobals(const YAML::Node& g, IntegrationDefaults* d) {
  if (g["pagerduty_url"]) {
    TM_ASSIGN_OR_RETURN(d->pagerduty_url, UrlOrFile(g, "global", "pagerduty_url", "pagerduty_url_file", d->base_dir, ""));
  }
  if (g["opsgenie_api_url"]) {
    TM_ASSIGN_OR_RETURN(d->opsgenie_api_url,
                        UrlOrFile(g, "global", "opsgenie_api_url", "opsgenie_api_url_file", d->base_dir, ""));
  }
  TM_ASSIGN_OR_RETURN(d->opsgenie_api_key, SecretOrFile(g, "global", "opsgenie_api_key", d->base_dir));
  d->smtp_from = StrOr(g["smtp_from"], d->smtp_from);
  d->smtp_hello = StrOr(g["smtp_hello"], d->smtp_hello);
  d->smtp_smarthost = StrOr(g["smtp_smarthost"], d->smtp_smarthost);
  d->smtp_auth_username = StrOr(g["smtp_auth_username"], "");
  d->smtp_auth_identity = StrOr(g["smtp_auth_identity"], "");
  TM_ASSIGN_OR_RETURN(d->smtp_auth_password, SecretOrFile(g, "global", "smtp_auth_password", d->base_dir));
  d->smtp_require_tls = BoolOr(g["smtp_require_tls"], d->smtp_require_tls);
  return Status::OK();
}

}  // namespace tidemark::alerting
