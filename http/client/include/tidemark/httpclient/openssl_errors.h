// OpenSSL helpers shared by the client's and the server's TLS setup: the error queue as one line,
// and PEM text as a memory BIO.
#pragma once

#include <openssl/bio.h>

#include <memory>
#include <string>

namespace tidemark::httpclient {

// Drains the calling thread's OpenSSL error queue into "err; err" (or "unknown OpenSSL error").
std::string OpenSslErrors();

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// A read-only BIO over `pem`, which must outlive it.
inline BioPtr MemBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

}  // namespace tidemark::httpclient
