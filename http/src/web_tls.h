// Server-side TLS from tls_server_config: the OpenSSL context a listener hands each connection,
// and the translations of Go's names (versions, cipher suites, curves) to OpenSSL's.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "tidemark/http/web_config.h"

namespace tidemark::http {

// "TLS10".."TLS13" -> OpenSSL's protocol version constant; 0 when unknown.
int TlsVersionFromName(const std::string& name);
// A suite of Go's tls.CipherSuites() (the list exporter-toolkit accepts).
bool IsKnownCipherSuite(const std::string& go_name);
// CurveP256 -> "P-256" ... X25519 -> "X25519"; "" when unknown.
std::string CurveGroupName(const std::string& go_name);

// The certificate, key and client-CA PEM text, read from their files or taken inline.
struct TlsMaterial {
  std::string cert, key, client_ca;
  bool operator==(const TlsMaterial&) const = default;
};
Result<TlsMaterial> ReadTlsMaterial(const TlsServerConfig& c);

// Errors name the field at fault and never include key material.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const TlsServerConfig& c,
                                                                        const TlsMaterial& m);

}  // namespace tidemark::http
