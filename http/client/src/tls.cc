// OpenSSL setup for the client: CA pool, client certificate, host-name verification.
#include "tls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace tidemark::httpclient {
namespace {

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

Status AddCaCerts(SSL_CTX* ctx, const std::string& pem) {
  BioPtr bio = MemBio(pem);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    const int ok = X509_STORE_add_cert(store, cert);
    X509_free(cert);
    if (ok != 1) return Status::InvalidArgument("tls_config.ca_file: " + OpenSslErrors());
    ++added;
  }
  ERR_clear_error();  // the loop ends on "no start line"
  if (added == 0) return Status::InvalidArgument("tls_config.ca_file: no PEM certificate found");
  return Status::OK();
}

Status UseClientCert(SSL_CTX* ctx, const TlsConfig& tls) {
  BioPtr cert_bio = MemBio(tls.cert_pem);
  X509* cert = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr);
  if (cert == nullptr) return Status::InvalidArgument("tls_config.cert_file: no PEM certificate found");
  const int ok = SSL_CTX_use_certificate(ctx, cert);
  X509_free(cert);
  if (ok != 1) return Status::InvalidArgument("tls_config.cert_file: " + OpenSslErrors());
  // Intermediate certificates following the leaf.
  while (X509* extra = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add_extra_chain_cert(ctx, extra) != 1) {
      X509_free(extra);
      return Status::InvalidArgument("tls_config.cert_file: " + OpenSslErrors());
    }
  }
  ERR_clear_error();
  BioPtr key_bio = MemBio(tls.key_pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    ERR_clear_error();  // never echo anything derived from the key
    return Status::InvalidArgument("tls_config.key_file: no PEM private key found");
  }
  const int key_ok = SSL_CTX_use_PrivateKey(ctx, key);
  EVP_PKEY_free(key);
  if (key_ok != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("tls_config.key_file: private key does not match cert_file");
  }
  return Status::OK();
}

}  // namespace

std::string OpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

Result<SslCtxPtr> MakeSslContext(const TlsConfig& tls) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return Status::Internal("SSL_CTX_new: " + OpenSslErrors());
  // Prometheus' default min_version is TLS 1.2.
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  if (!tls.ca_pem.empty()) {
    TM_RETURN_IF_ERROR(AddCaCerts(ctx.get(), tls.ca_pem));
  } else if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
    return Status::Internal("loading the system CA store: " + OpenSslErrors());
  }
  if (!tls.cert_pem.empty()) TM_RETURN_IF_ERROR(UseClientCert(ctx.get(), tls));
  SSL_CTX_set_verify(ctx.get(), tls.insecure_skip_verify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);
  return ctx;
}

Status PrepareConnection(SSL* ssl, const TlsConfig& tls, const std::string& url_host) {
  const std::string& name = tls.server_name.empty() ? url_host : tls.server_name;
  const bool ip = IsIpLiteral(name);
  // RFC 6066: SNI carries host names only.
  if (!ip && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
    return Status::InvalidArgument("cannot set TLS server name " + name);
  }
  if (tls.insecure_skip_verify) return Status::OK();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                    : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
  if (ok != 1) return Status::InvalidArgument("cannot verify against TLS server name " + name);
  return Status::OK();
}

}  // namespace tidemark::httpclient
