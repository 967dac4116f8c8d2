// Prometheus' web configuration file (exporter-toolkit's --web.config.file): server TLS, basic
// auth users with bcrypt hashes and security response headers, and the watcher that re-reads it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tidemark/http/log.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::http {

// tls_server_config. Paths are resolved against the web config file's directory.
struct TlsServerConfig {
  std::string cert_file, key_file, client_ca_file;
  std::string cert, key, client_ca;  // inline PEM, the alternatives to the *_file fields
  std::string client_auth_type;  // "" (unset) acts as NoClientCert
  std::string min_version = "TLS12";
  std::string max_version = "TLS13";
  std::vector<std::string> cipher_suites;  // Go's names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
  bool prefer_server_cipher_suites = true;
  std::vector<std::string> curve_preferences;  // CurveP256, CurveP384, CurveP521, X25519
  std::vector<std::string> client_allowed_sans;
  // As exporter-toolkit: any certificate, key or client-CA field turns TLS on.
  bool enabled() const;
};

struct WebConfig {
  TlsServerConfig tls;
  std::vector<std::pair<std::string, std::string>> headers;  // http_server_config.headers
  std::map<std::string, std::string> users;                  // basic_auth_users: name -> bcrypt hash
};

// Parses the YAML text; unknown or unsupported keys are refused by name. `dir` resolves relative
// paths. Does not read the certificate files (LoadWebConfig does).
Result<WebConfig> ParseWebConfig(const std::string& yaml, const std::string& dir);

// Reads and parses `path`, then loads its certificates and keys as a server would (what
// `tidemark check web-config` and start-up run). Errors name the file and the field at fault.
Result<WebConfig> LoadWebConfig(const std::string& path);

struct WebSnapshot;  // a loaded configuration with its TLS context (server internals)
class BasicAuthVerifier;

// The web configuration in effect. As exporter-toolkit reads its file on every request and its
// certificates on every connection, Current() re-reads the file (and the certificate files when
// asked) and switches to a changed one that loads; a broken one is logged once and the previous
// configuration stays. Whether the server speaks TLS is fixed at start. Thread-safe.
class WebConfigWatcher {
 public:
  // `path` must load (the server refuses to start otherwise). `log` must outlive the watcher.
  static Result<std::unique_ptr<WebConfigWatcher>> Open(const std::string& path, Logger* log);
  ~WebConfigWatcher();

  bool tls() const { return tls_; }
  // `with_tls_files`: also compare the certificate, key and CA files (new connections).
  std::shared_ptr<const WebSnapshot> Current(bool with_tls_files);

 private:
  WebConfigWatcher(std::string path, Logger* log) : path_(std::move(path)), log_(log) {}
  void Report(const std::string& error);  // logs a failure once, under mu_

  const std::string path_;
  Logger* log_;
  bool tls_ = false;
  std::shared_ptr<BasicAuthVerifier> auth_;
  std::mutex mu_;
  std::shared_ptr<const WebSnapshot> current_;
  std::string last_error_;    // the last failure logged, so a broken file is reported once
  std::string last_bad_raw_;  // a text that failed, not re-parsed on every request
};

}  // namespace tidemark::http
