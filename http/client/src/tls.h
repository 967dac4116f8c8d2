// The OpenSSL client context for a TlsConfig, and per-connection SNI + host-name checks.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "tidemark/httpclient/config.h"
#include "tidemark/httpclient/openssl_errors.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::httpclient {

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// TLS 1.2+, peer verification against tls.ca_pem (only) or else the system store, and the
// client certificate when configured. Errors name the tls_config field at fault.
Result<SslCtxPtr> MakeSslContext(const TlsConfig& tls);

// Sets SNI (for names, not IP literals) and the RFC 2818 identity to check on `ssl`.
Status PrepareConnection(SSL* ssl, const TlsConfig& tls, const std::string& url_host);


}  // namespace tidemark::httpclient
