// HTTP Basic authentication against basic_auth_users' bcrypt hashes (verified by libcrypt), with
// exporter-toolkit's cache of verdicts so a client pays bcrypt's cost once, not per request.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tidemark::http {

struct BasicCredentials {
  std::string user, password;
};
// Decodes "Basic base64(user:password)"; nullopt when the header is absent or malformed.
std::optional<BasicCredentials> ParseBasicAuthorization(std::string_view header);

// Whether `password` hashes to `hash` (modular-crypt bcrypt), compared in constant time.
bool BcryptMatches(const std::string& hash, const std::string& password);

// Thread-safe. Verdicts are cached under a digest of (user, hash, password): a changed hash never
// hits an old entry, and the cache holds no plain-text password.
class BasicAuthVerifier {
 public:
  using Users = std::map<std::string, std::string>;
  // The cached verdict, or nullopt when bcrypt has to run (slow: use Verify off the I/O threads).
  std::optional<bool> Cached(const Users& users, const BasicCredentials& c);
  // Runs bcrypt (one at a time, as exporter-toolkit does) and caches the verdict. An unknown user
  // is checked against a fixed hash so the answer takes as long as for a known one.
  bool Verify(const Users& users, const BasicCredentials& c);

  static constexpr size_t kCacheSize = 100;  // exporter-toolkit's

 private:
  static std::string Key(const std::string& user, const std::string& hash, const std::string& pass);
  void Remember(std::string key, bool ok);

  std::mutex mu_;
  std::unordered_map<std::string, bool> cache_;
  std::minstd_rand rng_{std::random_device{}()};
  std::mutex bcrypt_mu_;
};

}  // namespace tidemark::http
