// Basic credentials: header decoding, bcrypt through libcrypt's crypt_rn, and the verdict cache.
#include "basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <strings.h>

#include <memory>
#include <vector>

namespace tidemark::http {
namespace {

// bcrypt (cost 10, as exporter-toolkit's) of a password nobody uses, for unknown user names.
constexpr const char* kDummyHash = "$2b$10$zYR5iDrXd/NRgencwW2xk.hA0YYIzT8oU4L0wpZpuBPCKPgyCwuQa";

std::optional<std::string> DecodeBase64(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0 || in.size() > 8192) return std::nullopt;
  std::vector<unsigned char> out(in.size() / 4 * 3 + 1);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  size_t len = static_cast<size_t>(n);
  // EVP_DecodeBlock counts the bytes '=' padding stands for.
  for (size_t i = in.size(); i > 0 && in[i - 1] == '=' && len > 0; --i) --len;
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

}  // namespace

std::optional<BasicCredentials> ParseBasicAuthorization(std::string_view header) {
  // Go's Request.BasicAuth: the scheme is case-insensitive, the rest is base64 of user:password.
  constexpr std::string_view kScheme = "Basic ";
  if (header.size() < kScheme.size() ||
      strncasecmp(header.data(), kScheme.data(), kScheme.size()) != 0) {
    return std::nullopt;
  }
  auto decoded = DecodeBase64(header.substr(kScheme.size()));
  if (!decoded) return std::nullopt;
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

bool BcryptMatches(const std::string& hash, const std::string& password) {
  // crypt takes C strings: a password with a NUL byte would be checked truncated.
  if (password.find('\0') != std::string::npos) return false;
  auto data = std::make_unique<crypt_data>();  // ~32 KiB: not on the stack
  const char* out = crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  if (out == nullptr || out[0] == '*') return false;  // libcrypt's failure token starts with '*'
  const std::string_view got(out);
  return got.size() == hash.size() && CRYPTO_memcmp(got.data(), hash.data(), hash.size()) == 0;
}

std::string BasicAuthVerifier::Key(const std::string& user, const std::string& hash,
                                   const std::string& pass) {
  // Length-prefixed fields, so no two different triples share an input.
  std::string in;
  for (const std::string* s : {&user, &hash, &pass}) {
    in += std::to_string(s->size()) + ":" + *s;
  }
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(in.data()), in.size(), md);
  OPENSSL_cleanse(in.data(), in.size());
  return std::string(reinterpret_cast<const char*>(md), sizeof(md));
}

std::optional<bool> BasicAuthVerifier::Cached(const Users& users, const BasicCredentials& c) {
  auto it = users.find(c.user);
  const std::string key = Key(c.user, it == users.end() ? kDummyHash : it->second, c.password);
  std::lock_guard<std::mutex> lock(mu_);
  auto hit = cache_.find(key);
  if (hit == cache_.end()) return std::nullopt;
  return hit->second && it != users.end();
}

bool BasicAuthVerifier::Verify(const Users& users, const BasicCredentials& c) {
  auto it = users.find(c.user);
  const bool known = it != users.end();
  const std::string& hash = known ? it->second : std::string(kDummyHash);
  bool ok;
  {
    std::lock_guard<std::mutex> lock(bcrypt_mu_);
    ok = BcryptMatches(hash, c.password);
  }
  Remember(Key(c.user, hash, c.password), ok);
  return ok && known;
}

void BasicAuthVerifier::Remember(std::string key, bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= kCacheSize) {
    // Random eviction of a tenth, as exporter-toolkit does, so a full cache is not trimmed on
    // every miss.
    for (size_t n = std::max<size_t>(cache_.size() / 10, 1); n > 0 && !cache_.empty(); --n) {
      auto victim = cache_.begin();
      std::advance(victim, static_cast<long>(rng_() % cache_.size()));
      cache_.erase(victim);
    }
  }
  cache_[std::move(key)] = ok;
}

}  // namespace tidemark::http
