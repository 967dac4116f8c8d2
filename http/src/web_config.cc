// Parsing of the web configuration file with exporter-toolkit's field names, defaults and checks;
// fields we do not implement are refused by name.
#include "tidemark/http/web_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "web_tls.h"

namespace tidemark::http {
namespace {

Status Bad(const std::string& what) { return Status::InvalidArgument(what); }

Status OnlyKeys(const YAML::Node& n, const std::string& where, const std::set<std::string>& known,
                const std::set<std::string>& unsupported) {
  if (!n.IsMap()) return Bad(where + ": expected a mapping");
  for (const auto& kv : n) {
    const std::string k = kv.first.Scalar();
    const std::string name = where.empty() ? k : where + "." + k;
    if (unsupported.count(k) != 0) return Bad(name + ": not supported by Tidemark");
    if (known.count(k) == 0) {
      return Bad("field " + name + " not found (line " + std::to_string(kv.first.Mark().line + 1) +
                 ")");
    }
  }
  return Status::OK();
}

Result<std::string> Str(const YAML::Node& n, const std::string& name) {
  if (!n || n.IsNull()) return std::string();
  if (!n.IsScalar()) return Bad(name + ": expected a string");
  return n.Scalar();
}

Result<std::vector<std::string>> Strings(const YAML::Node& n, const std::string& name) {
  std::vector<std::string> out;
  if (!n || n.IsNull()) return out;
  if (!n.IsSequence()) return Bad(name + ": expected a list");
  for (const auto& x : n) {
    if (!x.IsScalar()) return Bad(name + ": expected a list of strings");
    out.push_back(x.Scalar());
  }
  return out;
}

std::string Resolve(const std::string& path, const std::string& dir) {
  if (path.empty() || dir.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(dir) / path).string();
}

// Modular-crypt bcrypt, as Go's bcrypt.Cost accepts it: $2a$, $2b$ or $2y$, a two-digit cost in
// [4, 31], then 53 characters of bcrypt's base64 (22 of salt, 31 of hash).
bool IsBcryptHash(const std::string& h) {
  if (h.size() != 60 || h[0] != '$' || h[1] != '2' || h[3] != '$' || h[6] != '$') return false;
  if (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') return false;
  if (!std::isdigit(static_cast<unsigned char>(h[4])) ||
      !std::isdigit(static_cast<unsigned char>(h[5]))) {
    return false;
  }
  const int cost = (h[4] - '0') * 10 + (h[5] - '0');
  if (cost < 4 || cost > 31) return false;
  for (size_t i = 7; i < h.size(); ++i) {
    const char c = h[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '/') return false;
  }
  return true;
}

Status ParseTls(const YAML::Node& n, const std::string& dir, TlsServerConfig* t) {
  const std::string w = "tls_server_config";
  TM_RETURN_IF_ERROR(OnlyKeys(n, w,
                              {"cert_file", "key_file", "client_ca_file", "cert", "key",
                               "client_ca", "client_auth_type", "min_version", "max_version",
                               "cipher_suites", "prefer_server_cipher_suites", "curve_preferences"},
                              {"client_allowed_sans"}));
  TM_ASSIGN_OR_RETURN(t->cert_file, Str(n["cert_file"], w + ".cert_file"));
  TM_ASSIGN_OR_RETURN(t->key_file, Str(n["key_file"], w + ".key_file"));
  TM_ASSIGN_OR_RETURN(t->client_ca_file, Str(n["client_ca_file"], w + ".client_ca_file"));
  TM_ASSIGN_OR_RETURN(t->cert, Str(n["cert"], w + ".cert"));
  TM_ASSIGN_OR_RETURN(t->key, Str(n["key"], w + ".key"));
  TM_ASSIGN_OR_RETURN(t->client_ca, Str(n["client_ca"], w + ".client_ca"));
  t->cert_file = Resolve(t->cert_file, dir);
  t->key_file = Resolve(t->key_file, dir);
  t->client_ca_file = Resolve(t->client_ca_file, dir);
  TM_ASSIGN_OR_RETURN(t->client_auth_type, Str(n["client_auth_type"], w + ".client_auth_type"));
  for (const char* k : {"min_version", "max_version"}) {
    if (!n[k] || n[k].IsNull()) continue;
    TM_ASSIGN_OR_RETURN(std::string v, Str(n[k], w + "." + k));
    if (TlsVersionFromName(v) == 0) return Bad(w + "." + k + ": unknown TLS version: " + v);
    (std::string(k) == "min_version" ? t->min_version : t->max_version) = v;
  }
  TM_ASSIGN_OR_RETURN(t->cipher_suites, Strings(n["cipher_suites"], w + ".cipher_suites"));
  for (const auto& c : t->cipher_suites) {
    if (!IsKnownCipherSuite(c)) return Bad(w + ".cipher_suites: unknown cipher: " + c);
  }
  TM_ASSIGN_OR_RETURN(t->curve_preferences,
                      Strings(n["curve_preferences"], w + ".curve_preferences"));
  for (const auto& c : t->curve_preferences) {
    if (CurveGroupName(c).empty()) return Bad(w + ".curve_preferences: unknown curve: " + c);
  }
  if (auto p = n["prefer_server_cipher_suites"]; p && !p.IsNull()) {
    if (!YAML::convert<bool>::decode(p, t->prefer_server_cipher_suites)) {
      return Bad(w + ".prefer_server_cipher_suites: expected true or false");
    }
  }
  if (!t->enabled()) return Status::OK();
  // exporter-toolkit's checks, in its order and words.
  if (t->cert_file.empty() && t->cert.empty()) return Bad(w + ": missing one of cert or cert_file");
  if (t->key_file.empty() && t->key.empty()) return Bad(w + ": missing one of key or key_file");
  if (!t->cert_file.empty() && !t->cert.empty())
    return Bad(w + ": at most one of cert and cert_file");
  if (!t->key_file.empty() && !t->key.empty()) return Bad(w + ": at most one of key and key_file");
  if (!t->client_ca_file.empty() && !t->client_ca.empty()) {
    return Bad(w + ": at most one of client_ca and client_ca_file");
  }
  static const std::set<std::string> kAuthTypes = {"",
                                                   "NoClientCert",
                                                   "RequestClientCert",
                                                   "RequireAnyClientCert",
                                                   "RequireClientCert",
                                                   "VerifyClientCertIfGiven",
                                                   "RequireAndVerifyClientCert"};
  if (kAuthTypes.count(t->client_auth_type) == 0) {
    return Bad(w + ".client_auth_type: invalid ClientAuth: " + t->client_auth_type);
  }
  if ((!t->client_ca_file.empty() || !t->client_ca.empty()) &&
      (t->client_auth_type.empty() || t->client_auth_type == "NoClientCert")) {
    return Bad(w + ": client CA's have been configured without a Client Auth Policy");
  }
  if (TlsVersionFromName(t->min_version) > TlsVersionFromName(t->max_version)) {
    return Bad(w + ": min_version is above max_version");
  }
  return Status::OK();
}

Status ParseHttp(const YAML::Node& n, WebConfig* c) {
  const std::string w = "http_server_config";
  TM_RETURN_IF_ERROR(OnlyKeys(n, w, {"http2", "headers"}, {}));
  if (auto h2 = n["http2"]; h2 && !h2.IsNull()) {
    bool v = false;
    if (!YAML::convert<bool>::decode(h2, v)) return Bad(w + ".http2: expected true or false");
    if (v) return Bad(w + ".http2: HTTP/2 is not supported by Tidemark (set false or remove it)");
  }
  const YAML::Node h = n["headers"];
  if (!h || h.IsNull()) return Status::OK();
  if (!h.IsMap()) return Bad(w + ".headers: expected a mapping");
  // exporter-toolkit's allow-list; an empty list means any value.
  static const std::map<std::string, std::vector<std::string>> kAllowed = {
      {"Strict-Transport-Security", {}},
      {"X-Content-Type-Options", {"nosniff"}},
      {"X-Frame-Options", {"deny", "sameorigin"}},
      {"X-XSS-Protection", {}},
      {"Content-Security-Policy", {}}};
  for (const auto& kv : h) {
    const std::string k = kv.first.Scalar();
    TM_ASSIGN_OR_RETURN(std::string v, Str(kv.second, w + ".headers." + k));
    auto it = kAllowed.find(k);
    if (it == kAllowed.end())
      return Bad(w + ".headers: HTTP header \"" + k + "\" can not be configured");
    const auto& values = it->second;
    if (!values.empty() && std::find(values.begin(), values.end(), v) == values.end()) {
      std::string expected;
      for (const auto& a : values) expected += (expected.empty() ? "\"" : " \"") + a + "\"";
      return Bad(w + ".headers: invalid value for " + k + ". Expected one of: [" + expected +
                 "], but got: \"" + v + "\"");
    }
    if (!v.empty()) c->headers.emplace_back(k, v);  // "Unset if blank"
  }
  return Status::OK();
}

Status ParseUsers(const YAML::Node& n, WebConfig* c) {
  if (!n.IsMap()) return Bad("basic_auth_users: expected a mapping of user names to bcrypt hashes");
  for (const auto& kv : n) {
    const std::string user = kv.first.Scalar();
    TM_ASSIGN_OR_RETURN(std::string hash, Str(kv.second, "basic_auth_users." + user));
    // The hash is not echoed: a misplaced plain-text password must not reach the logs.
    if (!IsBcryptHash(hash)) {
      return Bad("basic_auth_users." + user + ": not a bcrypt hash ($2a$, $2b$ or $2y$)");
    }
    c->users[user] = hash;
  }
  return Status::OK();
}

}  // namespace

bool TlsServerConfig::enabled() const {
  return !cert_file.empty() || !cert.empty() || !key_file.empty() || !key.empty() ||
         !client_ca_file.empty() || !client_ca.empty() || !client_auth_type.empty();
}

Result<WebConfig> ParseWebConfig(const std::string& yaml, const std::string& dir) {
  WebConfig c;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return Bad(std::string("invalid YAML: ") + e.what());
  }
  if (!root || root.IsNull()) return c;
  try {
    TM_RETURN_IF_ERROR(OnlyKeys(
        root, "", {"tls_server_config", "http_server_config", "basic_auth_users"}, {"rate_limit"}));
    if (auto t = root["tls_server_config"]; t && !t.IsNull())
      TM_RETURN_IF_ERROR(ParseTls(t, dir, &c.tls));
    if (auto h = root["http_server_config"]; h && !h.IsNull()) TM_RETURN_IF_ERROR(ParseHttp(h, &c));
    if (auto u = root["basic_auth_users"]; u && !u.IsNull()) TM_RETURN_IF_ERROR(ParseUsers(u, &c));
  } catch (const YAML::Exception& e) {
    return Bad(std::string("invalid YAML: ") + e.what());
  }
  return c;
}

}  // namespace tidemark::http
