// The web configuration file: exporter-toolkit's fields, defaults and refusals, bcrypt through
// libcrypt (hashes made here with libcrypt itself), the verdict cache, and the watcher keeping
// the previous configuration when a changed file is broken.
#include <crypt.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "basic_auth.h"
#include "support/status_matchers.h"
#include "tidemark/http/web_config.h"
#include "web_snapshot.h"

namespace tidemark::http {
namespace {

namespace fs = std::filesystem;

// A bcrypt hash of `password` with `prefix` ("$2b$", "$2y$"...) at cost 4 (fast tests).
std::string Bcrypt(const std::string& password, const std::string& prefix = "$2b$") {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof(salt)), nullptr);
  std::string setting = prefix + std::string(salt).substr(4);
  crypt_data data{};
  const char* out = crypt_rn(password.c_str(), setting.c_str(), &data, sizeof(data));
  EXPECT_NE(out, nullptr);
  return out ? out : "";
}

std::string ErrorOf(const std::string& yaml) {
  auto c = ParseWebConfig(yaml, "/etc/tidemark");
  return c.ok() ? "" : c.status().message();
}

TEST(WebConfigTest, EmptyFileIsPlainAndOpen) {
  auto c = ParseWebConfig("", "");
  ASSERT_OK(c.status());
  EXPECT_FALSE(c->tls.enabled());
  EXPECT_TRUE(c->users.empty());
  EXPECT_TRUE(c->headers.empty());
}

TEST(WebConfigTest, FieldsAndDefaults) {
  const std::string hash = Bcrypt("secret");
  auto c = ParseWebConfig("tls_server_config:\n"
                          "  cert_file: server.crt\n"
                          "  key_file: /abs/server.key\n"
                          "  client_ca_file: ca.crt\n"
                          "  client_auth_type: RequireAndVerifyClientCert\n"
                          "  min_version: TLS13\n"
                          "  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n"
                          "  curve_preferences: [X25519, CurveP256]\n"
                          "  prefer_server_cipher_suites: false\n"
                          "http_server_config:\n"
                          "  http2: false\n"
                          "  headers:\n"
                          "    X-Frame-Options: deny\n"
                          "    Strict-Transport-Security: max-age=31536000\n"
                          "    Content-Security-Policy: \"\"\n"
                          "basic_auth_users:\n"
                          "  alice: " + hash + "\n",
                          "/etc/tidemark");
  ASSERT_OK(c.status());
  EXPECT_TRUE(c->tls.enabled());
  EXPECT_EQ(c->tls.cert_file, "/etc/tidemark/server.crt");
  EXPECT_EQ(c->tls.key_file, "/abs/server.key");
  EXPECT_EQ(c->tls.client_ca_file, "/etc/tidemark/ca.crt");
  EXPECT_EQ(c->tls.min_version, "TLS13");
  EXPECT_EQ(c->tls.max_version, "TLS13");  // exporter-toolkit's default
  EXPECT_FALSE(c->tls.prefer_server_cipher_suites);
  EXPECT_EQ(c->tls.curve_preferences, (std::vector<std::string>{"X25519", "CurveP256"}));
  // A blank header is unset.
  EXPECT_EQ(c->headers, (std::vector<std::pair<std::string, std::string>>{
                            {"X-Frame-Options", "deny"},
                            {"Strict-Transport-Security", "max-age=31536000"}}));
  EXPECT_EQ(c->users.at("alice"), hash);
}

TEST(WebConfigTest, RefusalsNameTheField) {
  EXPECT_NE(ErrorOf("bogus: 1\n").find("field bogus not found"), std::string::npos);
  EXPECT_NE(ErrorOf("rate_limit: {interval: 1s, burst: 2}\n").find("rate_limit: not supported"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tls_server_config: {cert_file: a, key_file: b, client_allowed_sans: [x]}\n")
                .find("tls_server_config.client_allowed_sans: not supported"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tls_server_config: {cert_file: a}\n").find("missing one of key or key_file"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tls_server_config: {key_file: a}\n").find("missing one of cert or cert_file"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tls_server_config: {cert_file: a, key_file: b, client_ca_file: c}\n")
                .find("client CA's have been configured without a Client Auth Policy"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tls_server_config: {cert_file: a, key_file: b, client_auth_type: Maybe}\n")
                .find("invalid ClientAuth: Maybe"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tls_server_config: {cert_file: a, key_file: b, min_version: TLS14}\n")
                .find("unknown TLS version: TLS14"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tls_server_config: {cert_file: a, key_file: b, cipher_suites: [RC4]}\n")
                .find("unknown cipher: RC4"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tls_server_config: {cert_file: a, key_file: b, curve_preferences: [P1]}\n")
                .find("unknown curve: P1"),
            std::string::npos);
  EXPECT_NE(ErrorOf("http_server_config: {http2: true}\n").find("http_server_config.http2"),
            std::string::npos);
  EXPECT_NE(ErrorOf("http_server_config: {headers: {Server: x}}\n")
                .find("HTTP header \"Server\" can not be configured"),
            std::string::npos);
  EXPECT_NE(ErrorOf("http_server_config: {headers: {X-Frame-Options: allow}}\n")
                .find("invalid value for X-Frame-Options"),
            std::string::npos);
  // A plain-text password where a hash belongs is refused without being echoed.
  const std::string err = ErrorOf("basic_auth_users: {bob: hunter2}\n");
  EXPECT_NE(err.find("basic_auth_users.bob: not a bcrypt hash"), std::string::npos);
  EXPECT_EQ(err.find("hunter2"), std::string::npos);
}

TEST(BasicAuthTest, BcryptVariantsThroughLibcrypt) {
  for (const std::string prefix : {"$2a$", "$2b$", "$2y$"}) {
    const std::string hash = Bcrypt("s3cret", prefix);
    ASSERT_EQ(hash.substr(0, 4), prefix);
    EXPECT_TRUE(BcryptMatches(hash, "s3cret")) << prefix;
    EXPECT_FALSE(BcryptMatches(hash, "s3cret ")) << prefix;
    EXPECT_FALSE(BcryptMatches(hash, "")) << prefix;
    EXPECT_FALSE(BcryptMatches(hash, std::string("s3cret\0x", 8))) << prefix;
    ASSERT_OK(ParseWebConfig("basic_auth_users: {u: \"" + hash + "\"}\n", "").status());
  }
  EXPECT_FALSE(BcryptMatches("$2b$04$short", "x"));
}

TEST(BasicAuthTest, AuthorizationHeader) {
  auto c = ParseBasicAuthorization("Basic YWxpY2U6cDpx");  // alice:p:q
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->user, "alice");
  EXPECT_EQ(c->password, "p:q");
  auto lower = ParseBasicAuthorization("basic Ym9iOg==");  // bob:
  ASSERT_TRUE(lower.has_value());
  EXPECT_EQ(lower->user, "bob");
  EXPECT_EQ(lower->password, "");
  EXPECT_FALSE(ParseBasicAuthorization("").has_value());
  EXPECT_FALSE(ParseBasicAuthorization("Bearer abc").has_value());
  EXPECT_FALSE(ParseBasicAuthorization("Basic !!!!").has_value());
  EXPECT_FALSE(ParseBasicAuthorization("Basic Ym9i").has_value());  // no colon
}

TEST(BasicAuthTest, VerdictsAreCachedPerUserHashAndPassword) {
  BasicAuthVerifier v;
  BasicAuthVerifier::Users users = {{"alice", Bcrypt("right")}};
  const BasicCredentials good{"alice", "right"}, bad{"alice", "wrong"}, ghost{"ghost", "right"};
  EXPECT_FALSE(v.Cached(users, good).has_value());
  EXPECT_TRUE(v.Verify(users, good));
  EXPECT_EQ(v.Cached(users, good), std::optional<bool>(true));
  EXPECT_FALSE(v.Verify(users, bad));
  EXPECT_EQ(v.Cached(users, bad), std::optional<bool>(false));
  EXPECT_FALSE(v.Verify(users, ghost));
  EXPECT_EQ(v.Cached(users, ghost), std::optional<bool>(false));
  // A new hash for the user (the file changed) does not reuse the old verdict.
  users["alice"] = Bcrypt("other");
  EXPECT_FALSE(v.Cached(users, good).has_value());
  EXPECT_FALSE(v.Verify(users, good));
  // The cache stays bounded.
  for (int i = 0; i < 2 * static_cast<int>(BasicAuthVerifier::kCacheSize); ++i) {
    v.Verify(users, {"alice", "guess" + std::to_string(i)});
  }
  EXPECT_TRUE(v.Verify(users, {"alice", "other"}));
}

class WatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tm_webcfg_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    path_ = (dir_ / "web.yml").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& text) { std::ofstream(path_, std::ios::trunc) << text; }
  std::string LogText() {
    std::fflush(log_file_);
    std::rewind(log_file_);
    std::string out;
    char buf[4096];
    while (size_t n = std::fread(buf, 1, sizeof(buf), log_file_)) out.append(buf, n);
    return out;
  }

  fs::path dir_;
  std::string path_;
  FILE* log_file_ = std::tmpfile();
  Logger log_{log_file_};
};

TEST_F(WatcherTest, FollowsChangesAndKeepsTheLastGoodFile) {
  Write("basic_auth_users: {alice: \"" + Bcrypt("a") + "\"}\n");
  auto w = WebConfigWatcher::Open(path_, &log_);
  ASSERT_OK(w.status());
  EXPECT_FALSE((*w)->tls());
  EXPECT_EQ((*w)->Current(false)->config.users.count("alice"), 1u);

  Write("basic_auth_users: {bob: \"" + Bcrypt("b") + "\"}\n");
  auto next = (*w)->Current(false);
  EXPECT_EQ(next->config.users.count("bob"), 1u);
  EXPECT_EQ(next->config.users.count("alice"), 0u);

  // Broken: the previous configuration stays, and the error is logged once.
  Write("basic_auth_users: {carol: plaintext}\n");
  EXPECT_EQ((*w)->Current(false)->config.users.count("bob"), 1u);
  EXPECT_EQ((*w)->Current(false)->config.users.count("bob"), 1u);
  const std::string log = LogText();
  EXPECT_NE(log.find("basic_auth_users.carol: not a bcrypt hash"), std::string::npos) << log;
  EXPECT_EQ(log.find("plaintext"), std::string::npos) << log;
  size_t first = log.find("cannot reload the web config");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(log.find("cannot reload the web config", first + 1), std::string::npos) << log;

  // Switching to TLS needs a restart: refused, the plain configuration stays.
  Write("tls_server_config: {cert_file: nope.crt, key_file: nope.key}\n");
  EXPECT_EQ((*w)->Current(true)->config.users.count("bob"), 1u);
  EXPECT_FALSE((*w)->Current(true)->config.tls.enabled());

  fs::remove(path_);
  EXPECT_EQ((*w)->Current(false)->config.users.count("bob"), 1u);
}

TEST_F(WatcherTest, StartRefusesABrokenFile) {
  EXPECT_FALSE(WebConfigWatcher::Open(path_, &log_).ok());  // missing
  Write("tls_server_config: {cert_file: missing.crt, key_file: missing.key}\n");
  auto w = WebConfigWatcher::Open(path_, &log_);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find(path_), std::string::npos);
  EXPECT_NE(w.status().message().find("cert_file"), std::string::npos);
}

}  // namespace
}  // namespace tidemark::http
