// Prometheus/Alertmanager `http_config` (prometheus/common HTTPClientConfig): TLS, auth, proxy,
// redirects. Parsed and validated at load, with every referenced file read then.
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "tidemark/storage/model/status.h"

namespace tidemark::httpclient {

struct TlsConfig {
  std::string ca_file, cert_file, key_file;  // as written (paths)
  std::string server_name;                   // overrides the URL host for SNI and verification
  bool insecure_skip_verify = false;
  // File contents read at load ("" = not configured; no CA means the system store).
  std::string ca_pem, cert_pem, key_pem;
};

struct ClientConfig {
  TlsConfig tls;
  // The Authorization header: "<type> <credentials>", from bearer_token(_file) or authorization.
  std::string auth_type;     // "" = none, else e.g. "Bearer"
  std::string credentials;   // secret
  std::string credentials_file;  // as written, for display
  bool basic_auth = false;
  std::string username;
  std::string password;       // secret
  std::string password_file;  // as written, for display
  std::string proxy_url;      // http://[user:pass@]host:port ("" = direct)
  bool follow_redirects = true;
};

// Parses the http_config fields of mapping `n` (a whole `http_config:` block, or a mapping where
// they sit inline next to `other_keys`, as in Prometheus' alerting.alertmanagers[]). Any other
// key, an unsupported field (oauth2, enable_http2: true, ...), conflicting fields, an unreadable
// file or bad PEM is an error naming `where`.<field>. Relative paths resolve against `base_dir`.
Result<ClientConfig> ParseClientConfig(const YAML::Node& n, const std::string& where,
                                       const std::string& base_dir,
                                       const std::set<std::string>& other_keys = {});

// Reads a secret or URL from a *_file field: whole file, one trailing newline trimmed.
Result<std::string> ReadConfigFile(const std::string& path, const std::string& base_dir,
                                   const std::string& field);

// Emits `c` as http_config fields into an open YAML map, secrets as "<secret>".
void EmitClientConfig(YAML::Emitter& e, const ClientConfig& c);

// A URL to show (status pages, logs): the password of any user:password@ masked as "xxxxx", as
// Go's url.Redacted does. Anything else is returned unchanged.
std::string RedactUrlPassword(const std::string& url);

}  // namespace tidemark::httpclient
