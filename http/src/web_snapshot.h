// One loaded web configuration as the server uses it: the parsed file, its TLS context and the
// bytes it was built from (to notice changes), and the shared basic-auth verifier.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "basic_auth.h"
#include "tidemark/http/web_config.h"
#include "web_tls.h"

namespace tidemark::http {

struct WebSnapshot {
  WebConfig config;
  std::string raw;        // the file's text
  TlsMaterial material;   // certificate, key and CA as loaded
  std::shared_ptr<boost::asio::ssl::context> ssl;  // null without TLS
  std::shared_ptr<BasicAuthVerifier> auth;         // the same for every snapshot of a watcher
};

// Builds a snapshot from the file's text (`path` names it in errors and resolves relative paths).
Result<std::shared_ptr<WebSnapshot>> BuildWebSnapshot(const std::string& path, std::string raw,
                                                      std::shared_ptr<BasicAuthVerifier> auth);

}  // namespace tidemark::http
