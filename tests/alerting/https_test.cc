// Notifications over HTTPS with a private CA made by the `openssl` CLI, http_config (TLS, auth,
// *_file fields), failure logging and counting, and delivery semantics: the notification log
// records a notification only once a receiver answered 2xx.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "capture_server.h"
#include "test_pki.h"
#include "notify/alertmanager.h"
#include "notify/http_sender.h"
#include "notify/router.h"
#include "support/status_matchers.h"

namespace tidemark::alerting {
namespace {

namespace fs = std::filesystem;
constexpr Timestamp kT0 = 1'700'000'000'000;

void Write(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

NotifyAlert Firing(const std::string& name, Timestamp now) {
  NotifyAlert a;
  a.labels = Labels({{"alertname", name}});
  a.starts_at = now;
  a.ends_at = now + 4 * 60'000;
  return a;
}

// A router + sender pair with a captured log, on a fake clock.
struct Rig {
  FakeClock clock{kT0};
  std::mutex mu;
  std::vector<std::string> logs;
  std::unique_ptr<HttpSender> sender;
  std::unique_ptr<Router> router;

  Rig() {
    std::signal(SIGPIPE, SIG_IGN);
    HttpSender::Options so;
    so.initial_backoff_ms = 20;
    so.max_backoff_ms = 100;
    so.timeout_ms = 5'000;
    so.log = [this](LogLevel level, std::string_view msg, const LogFields& fields) {
      std::string line = std::string(level == LogLevel::kWarn ? "warn " : "other ") + std::string(msg);
      for (const auto& [k, v] : fields) line += " " + k + "=" + v;
      std::lock_guard<std::mutex> l(mu);
      logs.push_back(line);
    };
    sender = std::make_unique<HttpSender>(std::move(so));
  }

  // `receiver_yaml` is one receiver's integrations (indented by 2), group_interval 1s.
  Status Load(const std::string& receiver_yaml, const std::string& base_dir = "",
              const std::string& state_path = "", const std::string& global = "") {
    const std::string cfg = global +
                            "route: {receiver: r, group_by: [alertname], group_wait: 0s, "
                            "group_interval: 1s}\nreceivers:\n- name: r\n" +
                            receiver_yaml;
    auto rc = ParseRouterConfig(cfg, base_dir);
    if (!rc.ok()) return rc.status();
    Router::Options o;
    o.clock = &clock;
    o.sender = sender.get();
    o.state_path = state_path;
    router = std::make_unique<Router>(std::move(rc).value(), std::move(o));
    return Status::OK();
  }

  void Fire() {
    router->Notify({Firing("Down", clock.Now())});
    router->Tick();
  }

  std::vector<std::string> Logs() {
    std::lock_guard<std::mutex> l(mu);
    return logs;
  }

  IntegrationCounts Counts(const std::string& integration) {
    for (const auto& c : sender->PerIntegration()) {
      if (c.receiver == "r" && c.integration == integration) return c;
    }
    return {};
  }
};

std::string Webhook(const std::string& url, const std::string& http_config = "") {
  return "  webhook_configs:\n  - url: '" + url + "'\n" +
         (http_config.empty() ? "" : "    http_config:\n" + http_config);
}

TEST(HttpsTest, RightCaDelivers) {
  const Pki& pki = SharedPki();
  ASSERT_TRUE(pki.ok()) << "openssl CLI failed";
  CaptureServer server(200, pki.ServerContext());
  Rig s;
  ASSERT_OK(s.Load(Webhook(server.url("/hook"), "      tls_config: {ca_file: ca.crt}\n"), pki.dir()));
  s.Fire();
  ASSERT_EQ(server.WaitFor(1).size(), 1u);
  ASSERT_TRUE(s.sender->Drain(10'000));
  EXPECT_EQ(s.sender->sent(), 1u);
  EXPECT_EQ(s.Counts("webhook").total, 1u);
  EXPECT_EQ(s.Counts("webhook").failed, 0u);
}

TEST(HttpsTest, ServerNameSelectsTheCheckedIdentity) {
  const Pki& pki = SharedPki();
  ASSERT_TRUE(pki.ok());
  CaptureServer good(200, pki.ServerContext()), bad(200, pki.ServerContext());
  Rig s;
  // The certificate names localhost and 127.0.0.1, not other.example.
  ASSERT_OK(s.Load(Webhook(good.url("/a"), "      tls_config: {ca_file: " + pki.path("ca.crt") +
                                               ", server_name: localhost}\n") +
                   "  - url: '" + bad.url("/b") + "'\n    http_config:\n      tls_config: {ca_file: " +
                   pki.path("ca.crt") + ", server_name: other.example}\n"));
  s.Fire();
  ASSERT_EQ(good.WaitFor(1).size(), 1u);
  ASSERT_TRUE(s.sender->Drain(10'000));
  EXPECT_EQ(bad.requests().size(), 0u);
  EXPECT_GE(bad.tls_failures(), 1);
  EXPECT_EQ(s.Counts("webhook").failed, 1u);
}

TEST(HttpsTest, WrongCaIsLoggedCountedAndNotDelivered) {
  const Pki& pki = SharedPki();
  ASSERT_TRUE(pki.ok());
  CaptureServer server(200, pki.ServerContext());
  Rig s;
  ASSERT_OK(s.Load(Webhook(server.url("/secret-path"), "      tls_config: {ca_file: other.crt}\n"),
                   pki.dir()));
  s.Fire();
  ASSERT_TRUE(s.sender->Drain(10'000));  // retried until group_interval (1s), then given up
  EXPECT_EQ(server.requests().size(), 0u);
  EXPECT_GE(server.tls_failures(), 1);
  EXPECT_EQ(s.sender->sent(), 0u);
  EXPECT_EQ(s.Counts("webhook").total, 1u);
  EXPECT_EQ(s.Counts("webhook").failed, 1u);
  const auto logs = s.Logs();
  ASSERT_FALSE(logs.empty());
  const std::string& first = logs[0];
  EXPECT_EQ(first.rfind("warn ", 0), 0u) << first;
  EXPECT_NE(first.find("receiver=r"), std::string::npos) << first;
  EXPECT_NE(first.find("integration=webhook[0]"), std::string::npos) << first;
  EXPECT_NE(first.find("attempt=1"), std::string::npos) << first;
  EXPECT_NE(first.find("certificate verify failed"), std::string::npos) << first;
  for (const auto& l : logs) EXPECT_EQ(l.find("secret-path"), std::string::npos) << l;
}

TEST(HttpsTest, InsecureSkipVerifyDelivers) {
  const Pki& pki = SharedPki();
  ASSERT_TRUE(pki.ok());
  CaptureServer server(200, pki.ServerContext());
  Rig s;
  // Without a CA the system store is used, which does not know our private CA...
  ASSERT_OK(s.Load(Webhook(server.url("/x"))));
  s.Fire();
  ASSERT_TRUE(s.sender->Drain(10'000));
  EXPECT_EQ(server.requests().size(), 0u);
  // ...unless verification is off.
  ASSERT_OK(s.Load(Webhook(server.url("/x"), "      tls_config: {insecure_skip_verify: true}\n")));
  s.Fire();
  ASSERT_EQ(server.WaitFor(1).size(), 1u);
}

TEST(HttpsTest, AuthHeadersAndFileFields) {
  const Pki& pki = SharedPki();
  ASSERT_TRUE(pki.ok());
  CaptureServer server;
  Rig s;
  const std::string dir = pki.dir();
  Write(fs::path(dir) / "token", "s3cret-token\n");
  Write(fs::path(dir) / "password", "pa55\n");
  Write(fs::path(dir) / "slack_url", server.url("/from-file") + "\n");
  ASSERT_OK(s.Load("  webhook_configs:\n"
                   "  - url: '" + server.url("/bearer") + "'\n"
                   "    http_config: {bearer_token_file: token}\n"
                   "  - url: '" + server.url("/basic") + "'\n"
                   "    http_config: {basic_auth: {username: u, password_file: password}}\n"
                   "  - url: '" + server.url("/authz") + "'\n"
                   "    http_config: {authorization: {type: Token, credentials: abc}}\n"
                   "  slack_configs:\n  - api_url_file: slack_url\n",
                   dir));
  s.Fire();
  auto reqs = server.WaitFor(4);
  ASSERT_EQ(reqs.size(), 4u);
  std::map<std::string, std::string> headers;
  for (const auto& r : reqs) headers[r.target] = r.headers;
  EXPECT_NE(headers["/bearer"].find("Authorization: Bearer s3cret-token\r\n"), std::string::npos)
      << headers["/bearer"];
  // base64("u:pa55")
  EXPECT_NE(headers["/basic"].find("Authorization: Basic dTpwYTU1\r\n"), std::string::npos)
      << headers["/basic"];
  EXPECT_NE(headers["/authz"].find("Authorization: Token abc\r\n"), std::string::npos);
  EXPECT_EQ(headers.count("/from-file"), 1u);
  EXPECT_EQ(headers["/from-file"].find("Authorization"), std::string::npos);
}

TEST(HttpsTest, GlobalHttpConfigAndSlackUrlFile) {
  const Pki& pki = SharedPki();
  ASSERT_TRUE(pki.ok());
  CaptureServer server(200, pki.ServerContext());
  Rig s;
  Write(fs::path(pki.dir()) / "global_slack", server.url("/services/T0/B0/xyz"));
  ASSERT_OK(s.Load("  slack_configs: [{channel: '#a'}]\n", pki.dir(), "",
                   "global:\n  slack_api_url_file: global_slack\n"
                   "  http_config: {tls_config: {ca_file: ca.crt}, bearer_token: g}\n"));
  s.Fire();
  auto reqs = server.WaitFor(1);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target, "/services/T0/B0/xyz");
  EXPECT_NE(reqs[0].headers.find("Authorization: Bearer g\r\n"), std::string::npos);
}

std::string StateEntries(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  return nlohmann::json::parse(in)["entries"].dump();
}

TEST(DeliverySemanticsTest, RetriedAfter500AndLoggedOnlyAfter200) {
  CaptureServer server;
  server.set_script({500});
  const std::string state = (fs::temp_directory_path() / ("tm_nflog_ok_" + std::to_string(::getpid()))).string();
  fs::remove(state);
  Rig s;
  ASSERT_OK(s.Load(Webhook(server.url("/hook")), "", state));
  s.Fire();
  ASSERT_EQ(server.WaitFor(1).size(), 1u);
  ASSERT_TRUE(s.sender->Drain(10'000));
  EXPECT_EQ(server.hits(), 2);  // the 500, then the retry answered 200
  EXPECT_NE(StateEntries(state).find("webhook"), std::string::npos) << StateEntries(state);
  const auto logs = s.Logs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_NE(logs[0].find("status=500"), std::string::npos) << logs[0];
  EXPECT_NE(logs[0].find("body=ok"), std::string::npos) << logs[0];
  // Delivered: the next flush has nothing new to say.
  s.clock.Advance(1'000);
  s.router->Tick();
  ASSERT_TRUE(s.sender->Drain(10'000));
  EXPECT_EQ(server.hits(), 2);
  fs::remove(state);
}

TEST(DeliverySemanticsTest, RefusedNotificationIsNotLoggedAndSentAgainNextFlush) {
  CaptureServer server(400);
  const std::string state = (fs::temp_directory_path() / ("tm_nflog_bad_" + std::to_string(::getpid()))).string();
  fs::remove(state);
  Rig s;
  ASSERT_OK(s.Load(Webhook(server.url("/hook")), "", state));
  s.Fire();
  ASSERT_TRUE(s.sender->Drain(10'000));
  EXPECT_EQ(server.hits(), 1);  // a 4xx is final: no retry
  EXPECT_EQ(StateEntries(state).find("webhook"), std::string::npos);
  EXPECT_EQ(s.Counts("webhook").failed, 1u);
  server.set_status(200);
  s.clock.Advance(1'000);
  s.router->Tick();
  ASSERT_EQ(server.WaitFor(1).size(), 1u);
  ASSERT_TRUE(s.sender->Drain(10'000));
  EXPECT_EQ(server.hits(), 2);
  EXPECT_NE(StateEntries(state).find("webhook"), std::string::npos);
  fs::remove(state);
}

// A resolved notification that is refused leaves the alert in its group, so the next flush
// sends the resolution again instead of forgetting it.
TEST(DeliverySemanticsTest, UndeliveredResolutionIsSentAgainNextFlush) {
  CaptureServer server;
  Rig s;
  ASSERT_OK(s.Load(Webhook(server.url("/hook"))));
  s.Fire();
  ASSERT_TRUE(s.sender->Drain(10'000));
  ASSERT_EQ(server.hits(), 1);
  server.set_status(400);  // final: not retried by the sender
  NotifyAlert done = Firing("Down", kT0);
  done.resolved = true;
  done.ends_at = s.clock.Now();
  s.router->Notify({done});
  s.clock.Advance(1'000);
  s.router->Tick();
  ASSERT_TRUE(s.sender->Drain(10'000));
  ASSERT_EQ(server.hits(), 2);
  EXPECT_EQ(s.router->NumGroups(), 1u);  // still owed
  server.set_status(200);
  s.clock.Advance(1'000);
  s.router->Tick();
  ASSERT_TRUE(s.sender->Drain(10'000));
  EXPECT_EQ(server.hits(), 3);
  const auto reqs = server.requests();  // the 2xx-answered ones: firing, then resolved
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_NE(reqs[1].body.find("\"status\":\"resolved\""), std::string::npos) << reqs[1].body;
  // Delivered: the next flush drops it and says nothing more.
  s.clock.Advance(1'000);
  s.router->Tick();
  ASSERT_TRUE(s.sender->Drain(10'000));
  EXPECT_EQ(server.hits(), 3);
  EXPECT_EQ(s.router->NumGroups(), 0u);
}

TEST(AlertmanagerPushTest, HttpConfigApplies) {
  CaptureServer server;
  HttpSender sender({});
  AlertmanagerTarget t{server.url("/prefix/api/v2/alerts"), 5'000, {}, {}};
  t.http.basic_auth = true;
  t.http.username = "prom";
  t.http.password = "pw";
  auto n = AlertmanagerNotifier::Create({t}, sender);
  ASSERT_OK(n.status());
  (*n)->Notify({Firing("A", kT0)});
  auto reqs = server.WaitFor(1);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target, "/prefix/api/v2/alerts");
  EXPECT_NE(reqs[0].headers.find("Authorization: Basic cHJvbTpwdw==\r\n"), std::string::npos);  // prom:pw
}

TEST(DeliverySemanticsTest, FreshNotificationSupersedesStaleRetry) {
  HttpSender::Options so;
  so.initial_backoff_ms = 60'000;  // the first delivery waits in the queue for its retry
  std::atomic<int> failed_attempts{0};
  so.log = [&](LogLevel, std::string_view, const LogFields&) { ++failed_attempts; };
  HttpSender sender(so);
  auto client = httpclient::Client::Create({});
  ASSERT_OK(client.status());
  CaptureServer server(503);
  std::map<int, Status> outcomes;  // by delivery; callbacks may finish in either order
  std::mutex mu;
  auto delivery = [&](int id) {
    Delivery d;
    d.client = *client;
    d.url = server.url("/x");
    d.receiver = "r";
    d.integration = "webhook";
    d.key = "group/r/webhook/0";
    d.done = [&, id](const Status& st) {
      std::lock_guard<std::mutex> l(mu);
      outcomes[id] = st;
    };
    return d;
  };
  sender.Enqueue(delivery(1));
  // The first attempt got its 503 (and is queued for a retry a minute later).
  for (int i = 0; i < 1000 && failed_attempts < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(failed_attempts, 1);
  server.set_status(200);
  sender.Enqueue(delivery(2));
  ASSERT_TRUE(sender.Drain(10'000));
  std::lock_guard<std::mutex> l(mu);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[1].code(), StatusCode::kCanceled);
  EXPECT_TRUE(outcomes[2].ok());
  EXPECT_EQ(server.hits(), 2);
}

TEST(HttpConfigTest, UnsupportedOrConflictingFieldsAreLoadErrorsNamingTheField) {
  const Pki& pki = SharedPki();
  ASSERT_TRUE(pki.ok());
  Write(fs::path(pki.dir()) / "not_pem", "hello\n");
  const std::string hook = "  webhook_configs:\n  - url: 'https://127.0.0.1:1/x'\n";
  auto err = [&](const std::string& extra) {
    auto rc = ParseRouterConfig("route: {receiver: r}\nreceivers:\n- name: r\n" + hook + extra, pki.dir());
    return rc.ok() ? std::string("OK") : rc.status().message();
  };
  EXPECT_NE(err("    http_config: {foo: 1}\n").find("foo"), std::string::npos);
  EXPECT_NE(err("    http_config: {oauth2: {client_id: a}}\n").find("oauth2"), std::string::npos);
  EXPECT_NE(err("    http_config: {enable_http2: true}\n").find("enable_http2"), std::string::npos);
  EXPECT_EQ(err("    http_config: {enable_http2: false}\n"), "OK");
  EXPECT_NE(err("    http_config: {bearer_token: a, basic_auth: {username: u}}\n").find("basic_auth"),
            std::string::npos);
  EXPECT_NE(err("    http_config: {bearer_token: a, bearer_token_file: f}\n").find("bearer_token_file"),
            std::string::npos);
  EXPECT_NE(err("    http_config: {tls_config: {ca_file: missing.crt}}\n").find("ca_file"), std::string::npos);
  EXPECT_NE(err("    http_config: {tls_config: {ca_file: not_pem}}\n").find("ca_file"), std::string::npos);
  EXPECT_NE(err("    http_config: {tls_config: {min_version: TLS13}}\n").find("min_version"), std::string::npos);
  EXPECT_NE(err("    http_config: {tls_config: {ca_file: /dev/zero}}\n").find("larger than 4 MiB"),
            std::string::npos);
  EXPECT_NE(err("    http_config: {tls_config: {cert_file: server.crt}}\n").find("key_file"), std::string::npos);
  EXPECT_EQ(err("    http_config: {tls_config: {cert_file: server.crt, key_file: server.key}}\n"), "OK");
  EXPECT_NE(err("    http_config: {tls_config: {cert_file: server.crt, key_file: other.key}}\n").find("key_file"),
            std::string::npos);
  EXPECT_NE(err("    http_config: {authorization: {type: Basic, credentials: x}}\n").find("basic_auth"),
            std::string::npos);
  EXPECT_NE(err("    http_config: {proxy_url: 'socks5://p:1'}\n").find("proxy_url"), std::string::npos);
  EXPECT_NE(err("    url_file: x\n").find("url_file"), std::string::npos);  // both url and url_file
  // Secrets are not echoed in errors.
  EXPECT_EQ(err("    http_config: {bearer_token: hunter2, bearer_token_file: f}\n").find("hunter2"),
            std::string::npos);
  auto global = ParseRouterConfig("global: {wechat_api_url: 'http://x/'}\nroute: {receiver: r}\nreceivers: [{name: r}]\n");
  ASSERT_FALSE(global.ok());
  EXPECT_NE(global.status().message().find("wechat_api_url"), std::string::npos);
}

}  // namespace
}  // namespace tidemark::alerting
