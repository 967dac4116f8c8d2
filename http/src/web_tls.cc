// OpenSSL server contexts for tls_server_config, with Go's crypto/tls semantics for the client
// authentication policies, versions, cipher suites and curves.
#include "web_tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <map>
#include <set>

#include "tidemark/httpclient/config.h"
#include "tidemark/httpclient/openssl_errors.h"

namespace tidemark::http {
namespace {

using httpclient::BioPtr;
using httpclient::MemBio;

// Go's tls.CipherSuites() as of the Go release Prometheus 2.42 was built with (IANA names).
const std::set<std::string>& GoCipherSuites() {
  static const std::set<std::string> kSuites = {"TLS_RSA_WITH_AES_128_CBC_SHA",
                                                "TLS_RSA_WITH_AES_256_CBC_SHA",
                                                "TLS_RSA_WITH_AES_128_GCM_SHA256",
                                                "TLS_RSA_WITH_AES_256_GCM_SHA384",
                                                "TLS_AES_128_GCM_SHA256",
                                                "TLS_AES_256_GCM_SHA384",
                                                "TLS_CHACHA20_POLY1305_SHA256",
                                                "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
                                                "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
                                                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                                                "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
                                                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                                                "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                                                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                                                "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                                                "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                                                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"};
  return kSuites;
}

// Go's RequestClientCert and RequireAnyClientCert take any certificate without verifying it.
int AcceptAnyCertificate(int, X509_STORE_CTX*) { return 1; }

Status UseCertificate(SSL_CTX* ctx, const TlsMaterial& m) {
  const std::string w = "tls_server_config: failed to load X509KeyPair: ";
  BioPtr bio = MemBio(m.cert);
  X509* leaf = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (leaf == nullptr) {
    ERR_clear_error();
    return Status::InvalidArgument(w + "no PEM certificate found in the certificate");
  }
  const int ok = SSL_CTX_use_certificate(ctx, leaf);
  X509_free(leaf);
  if (ok != 1) return Status::InvalidArgument(w + httpclient::OpenSslErrors());
  while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    const int added = SSL_CTX_add0_chain_cert(ctx, extra);  // takes ownership on success
    if (added != 1) {
      X509_free(extra);
      return Status::InvalidArgument(w + httpclient::OpenSslErrors());
    }
  }
  ERR_clear_error();  // the loop ends on "no start line"
  BioPtr kbio = MemBio(m.key);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(kbio.get(), nullptr, nullptr, nullptr);
  ERR_clear_error();  // never echo anything derived from the key
  if (key == nullptr) return Status::InvalidArgument(w + "no PEM private key found in the key");
  const int key_ok = SSL_CTX_use_PrivateKey(ctx, key);
  EVP_PKEY_free(key);
  const bool match = key_ok == 1 && SSL_CTX_check_private_key(ctx) == 1;
  ERR_clear_error();
  if (!match) return Status::InvalidArgument(w + "private key does not match public key");
  return Status::OK();
}

Status UseClientCas(SSL_CTX* ctx, const std::string& pem) {
  BioPtr bio = MemBio(pem);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    // The names go in the CertificateRequest, as Go sends its ClientCAs' subjects.
    const bool ok = X509_STORE_add_cert(store, ca) == 1 && SSL_CTX_add_client_CA(ctx, ca) == 1;
    X509_free(ca);
    if (!ok)
      return Status::InvalidArgument("tls_server_config.client_ca: " + httpclient::OpenSslErrors());
  }
  // Go's AppendCertsFromPEM skips what it cannot parse; an empty pool then verifies nobody.
  ERR_clear_error();
  return Status::OK();
}

}  // namespace

int TlsVersionFromName(const std::string& name) {
  static const std::map<std::string, int> kVersions = {{"TLS10", TLS1_VERSION},
                                                       {"TLS11", TLS1_1_VERSION},
                                                       {"TLS12", TLS1_2_VERSION},
                                                       {"TLS13", TLS1_3_VERSION}};
  auto it = kVersions.find(name);
  return it == kVersions.end() ? 0 : it->second;
}

bool IsKnownCipherSuite(const std::string& go_name) { return GoCipherSuites().count(go_name) != 0; }

std::string CurveGroupName(const std::string& go_name) {
  static const std::map<std::string, std::string> kCurves = {
      {"CurveP256", "P-256"}, {"CurveP384", "P-384"}, {"CurveP521", "P-521"}, {"X25519", "X25519"}};
  auto it = kCurves.find(go_name);
  return it == kCurves.end() ? "" : it->second;
}

Result<TlsMaterial> ReadTlsMaterial(const TlsServerConfig& c) {
  TlsMaterial m;
  const std::string w = "tls_server_config.";
  auto read = [&w](const std::string& file, const std::string& inline_pem, const char* field,
                   std::string* out) -> Status {
    if (file.empty()) {
      *out = inline_pem;
      return Status::OK();
    }
    auto text = httpclient::ReadConfigFile(file, "", w + field);
    if (!text.ok()) return text.status();
    *out = std::move(*text);
    return Status::OK();
  };
  TM_RETURN_IF_ERROR(read(c.cert_file, c.cert, "cert_file", &m.cert));
  TM_RETURN_IF_ERROR(read(c.key_file, c.key, "key_file", &m.key));
  TM_RETURN_IF_ERROR(read(c.client_ca_file, c.client_ca, "client_ca_file", &m.client_ca));
  return m;
}

Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const TlsServerConfig& c,
                                                                        const TlsMaterial& m) {
  namespace ssl = boost::asio::ssl;
  std::shared_ptr<ssl::context> holder;
  try {
    holder = std::make_shared<ssl::context>(ssl::context::tls_server);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("TLS context: ") + e.what());
  }
  SSL_CTX* ctx = holder->native_handle();
  const std::string w = "tls_server_config";
  int min_version = TlsVersionFromName(c.min_version);
  const int max_version = TlsVersionFromName(c.max_version);

  // Client-initiated renegotiation only costs the server CPU; Go refuses it too.
  uint64_t options = SSL_OP_NO_RENEGOTIATION;
  if (c.prefer_server_cipher_suites) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  SSL_CTX_set_options(ctx, options);

  // As in Go, cipher_suites governs TLS 1.0-1.2; TLS 1.3's suites are not configurable. A list
  // with no suite below TLS 1.3 leaves nothing for TLS 1.2, so only TLS 1.3 remains.
  if (!c.cipher_suites.empty()) {
    std::string list;
    for (const auto& name : c.cipher_suites) {
      const std::string ossl = OPENSSL_cipher_name(name.c_str());
      if (ossl == "(NONE)")
        return Status::InvalidArgument(w + ".cipher_suites: unknown cipher: " + name);
      if (name.starts_with("TLS_AES_") || name.starts_with("TLS_CHACHA20_")) continue;  // TLS 1.3
      list += (list.empty() ? "" : ":") + ossl;
    }
    if (list.empty()) {
      min_version = TLS1_3_VERSION;
    } else if (SSL_CTX_set_cipher_list(ctx, list.c_str()) != 1) {
      return Status::InvalidArgument(w + ".cipher_suites: " + httpclient::OpenSslErrors());
    }
  }
  if (SSL_CTX_set_min_proto_version(ctx, min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, max_version) != 1) {
    return Status::InvalidArgument(w + ".min_version/max_version: " + httpclient::OpenSslErrors());
  }
  if (!c.curve_preferences.empty()) {
    std::string groups;
    for (const auto& curve : c.curve_preferences) {
      groups += (groups.empty() ? "" : ":") + CurveGroupName(curve);
    }
    if (SSL_CTX_set1_groups_list(ctx, groups.c_str()) != 1) {
      return Status::InvalidArgument(w + ".curve_preferences: " + httpclient::OpenSslErrors());
    }
  }
  TM_RETURN_IF_ERROR(UseCertificate(ctx, m));

  const std::string& auth = c.client_auth_type;
  if (auth.empty() || auth == "NoClientCert") {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    return holder;
  }
  if (!m.client_ca.empty()) {
    TM_RETURN_IF_ERROR(UseClientCas(ctx, m.client_ca));
  } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {  // Go verifies against system roots
    return Status::InvalidArgument(
        w + ": cannot load the system CA store: " + httpclient::OpenSslErrors());
  }
  // Session resumption with client certificates needs a session id context.
  static constexpr unsigned char kSessionContext[] = "tidemark-web";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);
  if (auth == "RequestClientCert") {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, &AcceptAnyCertificate);
  } else if (auth == "RequireAnyClientCert" || auth == "RequireClientCert") {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       &AcceptAnyCertificate);
  } else if (auth == "VerifyClientCertIfGiven") {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  } else if (auth == "RequireAndVerifyClientCert") {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  } else {
    return Status::InvalidArgument(w + ".client_auth_type: invalid ClientAuth: " + auth);
  }
  return holder;
}

}  // namespace tidemark::http
