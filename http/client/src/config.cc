// http_config parsing and validation with prometheus/common's rules, and its masked echo.
#include "tidemark/httpclient/config.h"

#include <fstream>

#include "tidemark/httpclient/client.h"
#include "url.h"

namespace tidemark::httpclient {
namespace {

const std::set<std::string> kHttpConfigKeys = {
    "basic_auth", "authorization", "bearer_token", "bearer_token_file", "tls_config",
    "proxy_url", "follow_redirects", "enable_http2", "oauth2", "no_proxy",
    "proxy_from_environment", "proxy_connect_header", "http_headers"};
// Fields of prometheus/common we know but do not implement: refused by name.
const std::set<std::string> kUnsupported = {"oauth2", "no_proxy", "proxy_from_environment",
                                            "proxy_connect_header", "http_headers"};

Status Bad(const std::string& where, const std::string& field, const std::string& why) {
  return Status::InvalidArgument(where + "." + field + ": " + why);
}

Status OnlyKeys(const YAML::Node& n, const std::string& where, const std::set<std::string>& known) {
  if (!n.IsMap()) return Status::InvalidArgument(where + ": expected a mapping");
  for (const auto& kv : n) {
    const std::string k = kv.first.Scalar();
    if (known.count(k) == 0) {
      return Status::InvalidArgument(where + ": field " + k + " not found (line " +
                                     std::to_string(kv.first.Mark().line + 1) + ")");
    }
  }
  return Status::OK();
}

std::string Str(const YAML::Node& n) { return n && !n.IsNull() ? n.Scalar() : ""; }

Result<bool> Bool(const YAML::Node& n, const std::string& where, const std::string& field, bool def) {
  if (!n || n.IsNull()) return def;
  bool v;
  if (!YAML::convert<bool>::decode(n, v)) return Bad(where, field, "expected true or false");
  return v;
}

std::string Resolve(const std::string& path, const std::string& base_dir) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return base_dir + "/" + path;
}

// One of `value` / `file` (both is an error); returns the secret.
Result<std::string> SecretOrFile(const YAML::Node& n, const std::string& where,
                                 const std::string& value_key, const std::string& file_key,
                                 const std::string& base_dir, std::string* file_out) {
  const std::string value = Str(n[value_key]), file = Str(n[file_key]);
  if (!value.empty() && !file.empty()) {
    return Status::InvalidArgument(where + ": at most one of " + value_key + " & " + file_key +
                                   " must be configured");
  }
  *file_out = file;
  if (file.empty()) return value;
  return ReadConfigFile(file, base_dir, where + "." + file_key);
}

Status ParseTls(const YAML::Node& n, const std::string& where, const std::string& base_dir,
                TlsConfig* t) {
  TM_RETURN_IF_ERROR(OnlyKeys(n, where, {"ca_file", "cert_file", "key_file", "server_name",
                                         "insecure_skip_verify"}));
  t->ca_file = Str(n["ca_file"]);
  t->cert_file = Str(n["cert_file"]);
  t->key_file = Str(n["key_file"]);
  t->server_name = Str(n["server_name"]);
  TM_ASSIGN_OR_RETURN(t->insecure_skip_verify,
                      Bool(n["insecure_skip_verify"], where, "insecure_skip_verify", false));
  if (t->cert_file.empty() != t->key_file.empty()) {
    return Status::InvalidArgument(where + ": exactly one of key_file or cert_file must be configured "
                                   "when a client certificate is used (need both)");
  }
  if (!t->ca_file.empty()) {
    TM_ASSIGN_OR_RETURN(t->ca_pem, ReadConfigFile(t->ca_file, base_dir, where + ".ca_file"));
  }
  if (!t->cert_file.empty()) {
    TM_ASSIGN_OR_RETURN(t->cert_pem, ReadConfigFile(t->cert_file, base_dir, where + ".cert_file"));
    TM_ASSIGN_OR_RETURN(t->key_pem, ReadConfigFile(t->key_file, base_dir, where + ".key_file"));
  }
  return Status::OK();
}

}  // namespace

Result<std::string> ReadConfigFile(const std::string& path, const std::string& base_dir,
                                   const std::string& field) {
  // Secrets, certificates and CA bundles are small; the cap keeps a path such as /dev/zero
  // from hanging a config load.
  constexpr size_t kMaxConfigFileBytes = 4u << 20;
  std::ifstream in(Resolve(path, base_dir), std::ios::binary);
  if (!in) return Status::InvalidArgument(field + ": cannot read file " + path);
  // Read as it comes: a buffer of the cap's size costs milliseconds of page faults, and the web
  // config and its certificates are read for every request and connection.
  std::string s;
  char chunk[16384];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    s.append(chunk, static_cast<size_t>(in.gcount()));
    if (s.size() > kMaxConfigFileBytes) {
      return Status::InvalidArgument(field + ": file " + path + " is larger than 4 MiB");
    }
  }
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

Result<ClientConfig> ParseClientConfig(const YAML::Node& n, const std::string& where,
                                       const std::string& base_dir,
                                       const std::set<std::string>& other_keys) {
  ClientConfig c;
  if (!n || n.IsNull()) return c;
  std::set<std::string> known = kHttpConfigKeys;
  known.insert(other_keys.begin(), other_keys.end());
  TM_RETURN_IF_ERROR(OnlyKeys(n, where, known));
  for (const auto& k : kUnsupported) {
    if (n[k]) return Bad(where, k, "not supported by Tidemark");
  }
  TM_ASSIGN_OR_RETURN(bool http2, Bool(n["enable_http2"], where, "enable_http2", false));
  if (http2) return Bad(where, "enable_http2", "HTTP/2 is not supported (set false or remove it)");
  TM_ASSIGN_OR_RETURN(c.follow_redirects, Bool(n["follow_redirects"], where, "follow_redirects", true));

  const bool has_bearer = !Str(n["bearer_token"]).empty() || !Str(n["bearer_token_file"]).empty();
  const bool has_basic = n["basic_auth"] && !n["basic_auth"].IsNull();
  const bool has_authz = n["authorization"] && !n["authorization"].IsNull();
  if (has_bearer && has_basic) {
    return Status::InvalidArgument(where + ": at most one of basic_auth, oauth2, bearer_token & "
                                   "bearer_token_file must be configured");
  }
  if (has_authz && (has_bearer || has_basic)) {
    return Status::InvalidArgument(where + ": authorization is not compatible with " +
                                   (has_bearer ? "bearer_token & bearer_token_file" : "basic_auth"));
  }
  if (has_bearer) {
    c.auth_type = "Bearer";
    TM_ASSIGN_OR_RETURN(c.credentials, SecretOrFile(n, where, "bearer_token", "bearer_token_file",
                                                     base_dir, &c.credentials_file));
  }
  if (has_basic) {
    const YAML::Node b = n["basic_auth"];
    const std::string w = where + ".basic_auth";
    TM_RETURN_IF_ERROR(OnlyKeys(b, w, {"username", "username_file", "password", "password_file"}));
    std::string username_file;
    TM_ASSIGN_OR_RETURN(c.username, SecretOrFile(b, w, "username", "username_file", base_dir, &username_file));
    TM_ASSIGN_OR_RETURN(c.password, SecretOrFile(b, w, "password", "password_file", base_dir, &c.password_file));
    c.basic_auth = true;
  }
  if (has_authz) {
    const YAML::Node a = n["authorization"];
    const std::string w = where + ".authorization";
    TM_RETURN_IF_ERROR(OnlyKeys(a, w, {"type", "credentials", "credentials_file"}));
    c.auth_type = Str(a["type"]).empty() ? "Bearer" : Str(a["type"]);
    std::string lower = c.auth_type;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower == "basic") {
      return Bad(w, "type", "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
    }
    TM_ASSIGN_OR_RETURN(c.credentials, SecretOrFile(a, w, "credentials", "credentials_file",
                                                     base_dir, &c.credentials_file));
  }
  if (const auto t = n["tls_config"]; t && !t.IsNull()) {
    TM_RETURN_IF_ERROR(ParseTls(t, where + ".tls_config", base_dir, &c.tls));
  }
  c.proxy_url = Str(n["proxy_url"]);
  if (!c.proxy_url.empty()) {
    auto proxy = ParseUrl(c.proxy_url);
    if (!proxy.ok()) return Bad(where, "proxy_url", proxy.status().message());
    if (proxy->scheme != "http") return Bad(where, "proxy_url", "only http:// proxies are supported");
  }
  // Builds the TLS context once so bad PEM fails now, not at the first send.
  if (c.tls.ca_pem.empty() && c.tls.cert_pem.empty()) return c;
  if (auto client = Client::Create(c); !client.ok()) {
    return Status::InvalidArgument(where + "." + client.status().message());
  }
  return c;
}

void EmitClientConfig(YAML::Emitter& e, const ClientConfig& c) {
  constexpr const char* kSecret = "<secret>";
  if (c.basic_auth) {
    e << YAML::Key << "basic_auth" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "username" << YAML::Value << c.username;
    if (!c.password_file.empty()) {
      e << YAML::Key << "password_file" << YAML::Value << c.password_file;
    } else {
      e << YAML::Key << "password" << YAML::Value << kSecret;
    }
    e << YAML::EndMap;
  } else if (!c.auth_type.empty()) {
    e << YAML::Key << "authorization" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "type" << YAML::Value << c.auth_type;
    if (!c.credentials_file.empty()) {
      e << YAML::Key << "credentials_file" << YAML::Value << c.credentials_file;
    } else {
      e << YAML::Key << "credentials" << YAML::Value << kSecret;
    }
    e << YAML::EndMap;
  }
  const TlsConfig& t = c.tls;
  e << YAML::Key << "tls_config" << YAML::Value << YAML::BeginMap;
  if (!t.ca_file.empty()) e << YAML::Key << "ca_file" << YAML::Value << t.ca_file;
  if (!t.cert_file.empty()) e << YAML::Key << "cert_file" << YAML::Value << t.cert_file;
  if (!t.key_file.empty()) e << YAML::Key << "key_file" << YAML::Value << t.key_file;
  if (!t.server_name.empty()) e << YAML::Key << "server_name" << YAML::Value << t.server_name;
  e << YAML::Key << "insecure_skip_verify" << YAML::Value << t.insecure_skip_verify;
  e << YAML::EndMap;
  // A proxy URL may carry user:password; Prometheus shows it with the password masked.
  if (!c.proxy_url.empty()) {
    e << YAML::Key << "proxy_url" << YAML::Value << RedactUrlPassword(c.proxy_url);
  }
  e << YAML::Key << "follow_redirects" << YAML::Value << c.follow_redirects;
  e << YAML::Key << "enable_http2" << YAML::Value << false;
}

std::string RedactUrlPassword(const std::string& url) {
  std::string shown = url;
  const size_t scheme_end = shown.find("://");
  if (scheme_end == std::string::npos) return shown;
  const size_t authority = scheme_end + 3;
  // The userinfo ends at the last '@' before the path: a password may itself contain '@'.
  const size_t path = shown.find_first_of("/?#", authority);
  const size_t at = shown.rfind('@', path == std::string::npos ? std::string::npos : path);
  if (at == std::string::npos || at < authority) return shown;
  const size_t colon = shown.find(':', authority);
  if (colon != std::string::npos && colon < at) shown.replace(colon + 1, at - colon - 1, "xxxxx");
  return shown;
}

}  // namespace tidemark::httpclient
