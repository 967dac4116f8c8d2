// Delivery that is never lost: per-integration senders (a slow receiver delays no other),
// pending notifications surviving a router restart, test notifications, notification config
// errors, and `templates:` files, against capture servers on 127.0.0.1.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "capture_server.h"
#include "smtp_sink.h"
#include "notify/http_sender.h"
#include "notify/integrations.h"
#include "notify/router.h"
#include "support/status_matchers.h"
#include "tidemark/alerting/config_check.h"

namespace tidemark::alerting {
namespace {

using json = nlohmann::json;
constexpr Timestamp kT0 = 1'700'000'000'000;

std::shared_ptr<const httpclient::Client> PlainClient() {
  auto c = httpclient::Client::Create({});
  EXPECT_TRUE(c.ok());
  return c.ok() ? *c : nullptr;
}

NotifyAlert FiringAlert(const std::string& name, Timestamp now) {
  NotifyAlert a;
  a.labels = Labels({{"alertname", name}, {"severity", "page"}});
  a.annotations = Labels({{"summary", name + " is firing"}});
  a.starts_at = now;
  a.ends_at = now + 4 * 60'000;
  return a;
}

std::filesystem::path TempDir(const std::string& tag) {
  auto dir = std::filesystem::temp_directory_path() / ("tm-" + tag + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(DeliveryTest, SlowIntegrationDoesNotDelayOthers) {
  CaptureServer slow, fast;
  slow.set_hold(true);
  HttpSender sender({});
  const auto client = PlainClient();
  auto delivery = [&](const std::string& receiver, const std::string& url) {
    Delivery d;
    d.client = client;
    d.url = url;
    d.body = "{}";
    d.receiver = receiver;
    d.integration = "webhook";
    return d;
  };
  sender.Enqueue(delivery("slow", slow.url("/s")));
  for (int i = 0; i < 1000 && slow.hits() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(slow.hits(), 1);  // its request is in flight, unanswered
  sender.Enqueue(delivery("fast", fast.url("/f")));
  // Delivered while the slow receiver still holds its answer: one sender per integration.
  EXPECT_EQ(fast.WaitFor(1).size(), 1u);
  EXPECT_EQ(slow.requests().size(), 0u);
  slow.set_hold(false);
  ASSERT_TRUE(sender.Drain(10'000));
  EXPECT_EQ(sender.sent(), 2u);
  EXPECT_EQ(slow.requests().size(), 1u);
}

TEST(DeliveryTest, TransportPlugsIn) {
  HttpSender sender({});
  std::string got;
  Status outcome = Status::Internal("not called");
  Delivery d;
  d.receiver = "mail";
  d.integration = "email";
  d.body = "Subject: hi";
  d.transport = [&](const std::string& body, int) -> Result<SendAnswer> {
    got = body;
    return SendAnswer{250, "OK", true, false};
  };
  d.done = [&](const Status& s) { outcome = s; };
  sender.Enqueue(std::move(d));
  ASSERT_TRUE(sender.Drain(10'000));
  EXPECT_EQ(got, "Subject: hi");
  EXPECT_OK(outcome);
}

std::string WebhookConfig(const CaptureServer& s) {
  return "route: {receiver: team, group_by: [alertname], group_wait: 10s, group_interval: 1m}\n"
         "receivers:\n- name: team\n  webhook_configs: [{url: '" + s.url("/hook") + "'}]\n";
}

// Fires one alert at a router whose receiver (`server`) refuses, until the sender retried; then
// the process "ends" (sender stopped) during the outage, leaving `state` behind.
void NotifyDuringOutage(const std::string& cfg, const CaptureServer& server, FakeClock& clock,
                        const std::string& state, const HttpSender::Options& so) {
  HttpSender sender(so);
  Router::Options o;
  o.clock = &clock;
  o.sender = &sender;
  o.state_path = state;
  Router router(std::move(ParseRouterConfig(cfg)).value(), o);
  router.Notify({FiringAlert("Down", kT0)});
  clock.Advance(10'000);
  router.Tick();
  EXPECT_EQ(router.NumPending(), 1u);
  for (int i = 0; i < 1000 && server.hits() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_GE(server.hits(), 2);  // refused and retried
  sender.Stop();
}

// A notification the receiver refused (5xx) is still owed after a restart: the new router sends
// it once the receiver is back, and a fresh flush of the same group does not send it again.
TEST(DeliveryTest, PendingNotificationSurvivesRestart) {
  CaptureServer server(503);
  const auto dir = TempDir("pending");
  const std::string state = (dir / "notification_log.json").string();
  FakeClock clock(kT0);
  HttpSender::Options so;
  so.initial_backoff_ms = 5;
  so.max_backoff_ms = 20;
  NotifyDuringOutage(WebhookConfig(server), server, clock, state, so);
  EXPECT_TRUE(server.requests().empty());
  {
    std::ifstream in(state);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("\"pending\":{\""), std::string::npos) << text.str();
  }
  server.set_status(200);
  HttpSender sender(so);
  Router::Options o;
  o.clock = &clock;
  o.sender = &sender;
  o.state_path = state;
  o.log = [](LogLevel, std::string_view msg, const LogFields& f) {
    ADD_FAILURE() << msg << " " << (f.empty() ? "" : f.back().second);
  };
  Router router(std::move(ParseRouterConfig(WebhookConfig(server))).value(), o);
  EXPECT_EQ(router.NumPending(), 1u);
  router.Tick();
  ASSERT_TRUE(sender.Drain(10'000));
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(json::parse(server.requests()[0].body)["alerts"][0]["labels"]["alertname"], "Down");
  EXPECT_EQ(router.NumPending(), 0u);
  // The rule still fires after the restart: the regrouped alert was already notified.
  router.Notify({FiringAlert("Down", kT0)});
  clock.Advance(10'000);
  router.Tick();
  ASSERT_TRUE(sender.Drain(10'000));
  EXPECT_EQ(server.requests().size(), 1u);
  std::filesystem::remove_all(dir);
}

// Opsgenie's pending notification is its request sequence (create, then with update_alerts the
// two updates): after a restart the whole sequence is sent, with the key from the config.
TEST(DeliveryTest, PendingOpsgenieSequenceSurvivesRestart) {
  CaptureServer server(503);
  const auto dir = TempDir("pending-og");
  const std::string state = (dir / "notification_log.json").string();
  const std::string cfg = "route: {receiver: team, group_by: [alertname], group_wait: 10s, group_interval: 1m}\n"
                          "receivers:\n- name: team\n  opsgenie_configs: [{api_key: K3Y, update_alerts: true, "
                          "api_url: '" + server.url("/og/") + "'}]\n";
  FakeClock clock(kT0);
  HttpSender::Options so;
  so.initial_backoff_ms = 5;
  so.max_backoff_ms = 20;
  NotifyDuringOutage(cfg, server, clock, state, so);  // the create request refused
  {
    std::ifstream in(state);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str().find("K3Y"), std::string::npos);  // the key is not persisted
  }
  server.set_status(202);
  HttpSender sender(so);
  Router::Options o;
  o.clock = &clock;
  o.sender = &sender;
  o.state_path = state;
  Router router(std::move(ParseRouterConfig(cfg)).value(), o);
  EXPECT_EQ(router.NumPending(), 1u);
  router.Tick();
  ASSERT_TRUE(sender.Drain(10'000));
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].target, "/og/v2/alerts");
  EXPECT_EQ(json::parse(reqs[0].body)["message"], "[FIRING:1] Down (page)");
  EXPECT_EQ(reqs[1].headers.rfind("PUT ", 0), 0u);
  EXPECT_NE(reqs[2].target.find("/description?identifierType=alias"), std::string::npos);
  for (const auto& r : reqs) EXPECT_NE(r.headers.find("Authorization: GenieKey K3Y\r\n"), std::string::npos);
  EXPECT_EQ(router.NumPending(), 0u);
  std::filesystem::remove_all(dir);
}

// A refused notification (4xx other than 429) is final: it stops being pending.
TEST(DeliveryTest, RefusedNotificationIsNotPending) {
  CaptureServer server(400);
  FakeClock clock(kT0);
  HttpSender sender({});
  Router::Options o;
  o.clock = &clock;
  o.sender = &sender;
  Router router(std::move(ParseRouterConfig(WebhookConfig(server))).value(), o);
  router.Notify({FiringAlert("Down", kT0)});
  clock.Advance(10'000);
  router.Tick();
  ASSERT_TRUE(sender.Drain(10'000));
  EXPECT_EQ(server.hits(), 1);
  EXPECT_EQ(router.NumPending(), 0u);
}

TEST(TestNotificationTest, SendsMarkedNotificationAndReportsAnswers) {
  CaptureServer ok, broken(500);
  const std::string cfg = "route: {receiver: team}\nreceivers:\n- name: team\n"
                          "  webhook_configs: [{url: '" + ok.url("/hook") + "'}, {url: '" + broken.url("/down") + "'}]\n"
                          "  slack_configs: [{api_url: '" + ok.url("/slack") + "', channel: '#ops'}]\n"
                          "- name: other\n  webhook_configs: [{url: 'http://127.0.0.1:1/x'}]\n";
  TestNotificationRequest req;
  req.receiver = "team";
  req.labels = {{"severity", "page"}};
  req.annotations = {{"runbook_url", "http://runbooks/test"}};
  auto answers = SendTestNotification(cfg, "", "http://tm", req, kT0);
  ASSERT_OK(answers.status());
  ASSERT_EQ(answers->size(), 3u);
  EXPECT_EQ((*answers)[0].integration, "webhook[0]");
  EXPECT_TRUE((*answers)[0].delivered);
  EXPECT_EQ((*answers)[0].status_code, 200);
  EXPECT_EQ((*answers)[0].body, "ok");
  EXPECT_EQ((*answers)[1].integration, "webhook[1]");
  EXPECT_FALSE((*answers)[1].delivered);
  EXPECT_EQ((*answers)[1].status_code, 500);
  EXPECT_EQ(broken.hits(), 1);  // one attempt, no retries
  EXPECT_EQ((*answers)[2].integration, "slack[0]");
  EXPECT_TRUE((*answers)[2].delivered);
  std::map<std::string, json> by_path;
  for (const auto& r : ok.requests()) by_path[r.target] = json::parse(r.body);
  const json& alert = by_path["/hook"]["alerts"][0];
  EXPECT_EQ(alert["labels"]["alertname"], "TestAlert");
  EXPECT_EQ(alert["labels"]["severity"], "page");
  EXPECT_EQ(alert["annotations"]["runbook_url"], "http://runbooks/test");
  const json& att = by_path["/slack"]["attachments"][0];
  EXPECT_EQ(att["title"], "[TEST] [FIRING:1] TestAlert (tidemark page)");
  EXPECT_EQ(by_path["/slack"]["channel"], "#ops");
  // Unknown receivers and a dead one.
  req.receiver = "nope";
  EXPECT_EQ(SendTestNotification(cfg, "", "http://tm", req, kT0).status().code(), StatusCode::kNotFound);
  req.receiver = "other";
  auto dead = SendTestNotification(cfg, "", "http://tm", req, kT0);
  ASSERT_OK(dead.status());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_FALSE((*dead)[0].delivered);
  EXPECT_EQ((*dead)[0].status_code, 0);
  EXPECT_FALSE((*dead)[0].error.empty());
}

// Every kind whose text a person reads carries the [TEST] mark in a test notification.
TEST(TestNotificationTest, MarksEveryKindForHumans) {
  CaptureServer ok;
  SmtpSink sink({.tls = nullptr, .auth = ""});
  const std::string cfg =
      "global: {smtp_smarthost: '127.0.0.1:" + std::to_string(sink.port()) + "', smtp_require_tls: false}\n"
      "route: {receiver: team}\nreceivers:\n- name: team\n"
      "  pagerduty_configs: [{routing_key: r, url: '" + ok.url("/pd") + "'}]\n"
      "  email_configs: [{to: ops@example.org, from: tm@example.org}]\n"
      "  msteams_configs: [{webhook_url: '" + ok.url("/teams") + "'}]\n"
      "  opsgenie_configs: [{api_key: k, api_url: '" + ok.url("/og/") + "'}]\n";
  TestNotificationRequest req;
  req.receiver = "team";
  auto answers = SendTestNotification(cfg, "", "http://tm", req, kT0);
  ASSERT_OK(answers.status());
  ASSERT_EQ(answers->size(), 4u);
  std::vector<std::string> names;
  for (const auto& a : *answers) {
    names.push_back(a.integration);
    EXPECT_TRUE(a.delivered) << a.integration << " " << a.error;
  }
  EXPECT_EQ(names, std::vector<std::string>({"pagerduty[0]", "email[0]", "msteams[0]", "opsgenie[0]"}));
  std::map<std::string, json> by_path;
  for (const auto& r : ok.requests()) by_path[r.target] = json::parse(r.body);
  const std::string subject = "[TEST] [FIRING:1] TestAlert (tidemark)";
  EXPECT_EQ(by_path["/pd"]["payload"]["summary"], subject);
  EXPECT_EQ(by_path["/teams"]["title"], subject);
  EXPECT_EQ(by_path["/teams"]["summary"], subject);
  EXPECT_EQ(by_path["/og/v2/alerts"]["message"], subject);
  const auto mails = sink.WaitFor(1);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].from, "tm@example.org");
  EXPECT_NE(mails[0].data.find("Subject: " + subject + "\r\n"), std::string::npos) << mails[0].data;
}

TEST(NotificationConfigTest, ErrorsNameLineAndClosestField) {
  struct Case {
    const char* yaml;
    const char* want;
  } cases[] = {
      {"route:\n  recevier: a\nreceivers: [{name: a}]\n",
       "line 2: unknown field \"recevier\" in route; did you mean \"receiver\"?"},
      {"route: {receiver: a}\nreceivers:\n- name: a\n  webhook_configs:\n  - url: http://x/\n    send_resolvd: true\n",
       "line 6: unknown field \"send_resolvd\" in webhook_config; did you mean \"send_resolved\"?"},
      {"route: {receiver: a}\nreceivers: [{name: a}]\ninhibit_rulez: []\n",
       "line 3: unknown field \"inhibit_rulez\" in notifications; did you mean \"inhibit_rules\"?"},
      {"route: {receiver: a}\nreceivers: [{name: a}]\nxyz: 1\n", "line 3: unknown field \"xyz\" in notifications"},
      {"route:\n  receiver: a\n  group_wait: 5x\nreceivers: [{name: a}]\n", "line 3: "},
  };
  for (const auto& c : cases) {
    Status s = CheckNotificationConfig(c.yaml, "");
    ASSERT_FALSE(s.ok()) << c.yaml;
    EXPECT_EQ(s.message().rfind(std::string("notifications: ") + c.want, 0), 0u) << s.message();
  }
  EXPECT_EQ(CheckNotificationConfig("route: {receiver: a}\nreceivers: [{name: a}]\nxyz: 1\n", "").message().find("did you mean"),
            std::string::npos);
}

// Alertmanager's default.tmpl outputs for the named templates receivers' defaults use.
TEST(NotificationConfigTest, DefaultTemplatesMatchAlertmanager) {
  auto set = Template::Parse(DefaultNotificationTemplates(), "default.tmpl");
  ASSERT_OK(set.status());
  NotifyAlert a = FiringAlert("Down", kT0), b = FiringAlert("Down", kT0);
  b.labels = Labels({{"alertname", "Down"}, {"instance", "x"}, {"severity", "page"}});
  struct Case {
    std::vector<std::string> group_by;
    bool resolved;
    std::string receiver;
    const char* name;
    const char* want;
  } cases[] = {
      {{"alertname"}, false, "team", "__subject", "[FIRING:2] Down (page)"},
      {{"alertname", "severity"}, false, "team", "__subject", "[FIRING:2] Down page "},
      {{}, false, "team", "__subject", "[FIRING:2]  (Down page)"},
      {{"alertname"}, true, "team", "slack.default.title", "[RESOLVED] Down (page)"},
      {{"alertname"}, false, "on call", "slack.default.titlelink", "http://am/#/alerts?receiver=on+call"},
      {{"alertname"}, false, "team", "slack.default.fallback", "[FIRING:2] Down (page) | http://am/#/alerts?receiver=team"},
      {{"alertname"}, false, "team", "slack.default.username", "Alertmanager"},
      {{"alertname"}, false, "team", "slack.default.text", ""},
  };
  for (const auto& c : cases) {
    Notification n;
    n.receiver = c.receiver;
    n.external_url = "http://am";
    n.status = c.resolved ? "resolved" : "firing";
    n.alerts = {&a, &b};
    n.resolved = {c.resolved, c.resolved};
    n.group_labels = a.labels.Keep(c.group_by);
    n.common_labels = Labels({{"alertname", "Down"}, {"severity", "page"}});
    TemplateContext ctx;
    ctx.dot = TemplateData(n);
    auto got = (*set)->ExecuteDefined(c.name, ctx);
    ASSERT_OK(got.status());
    EXPECT_EQ(*got, c.want) << c.name;
  }
}

TEST(NotificationConfigTest, TemplateFilesDefineAndOverrideDefaults) {
  CaptureServer server;
  const auto dir = TempDir("tmpl");
  std::filesystem::create_directories(dir / "templates");
  std::ofstream(dir / "templates" / "a.tmpl")
      << "{{ define \"team.text\" }}{{ range .Alerts }}* {{ .Labels.alertname }}: {{ .Annotations.summary }}\n"
         "{{ end }}{{ end }}\n";
  // Redefines Alertmanager's default title, which the Slack default calls.
  std::ofstream(dir / "templates" / "b.tmpl")
      << "{{ define \"slack.default.title\" }}{{ .Status }}/{{ .CommonLabels.severity }}{{ end }}";
  const std::string cfg = "templates: ['templates/*.tmpl']\nroute: {receiver: team, group_wait: 0s}\n"
                          "receivers:\n- name: team\n  slack_configs:\n  - api_url: '" + server.url("/slack") +
                          "'\n    text: '{{ template \"team.text\" . }}'\n";
  auto rc = ParseRouterConfig(cfg, dir.string());
  ASSERT_OK(rc.status());
  FakeClock clock(kT0);
  std::vector<OutgoingNotification> out;
  Router::Options o;
  o.clock = &clock;
  o.capture = [&](const OutgoingNotification& n) { out.push_back(n); };
  Router router(std::move(rc).value(), o);
  router.Notify({FiringAlert("Down", kT0)});
  router.Tick();
  ASSERT_EQ(out.size(), 1u);
  const json att = json::parse(out[0].body)["attachments"][0];
  EXPECT_EQ(att["text"], "* Down: Down is firing\n");
  EXPECT_EQ(att["title"], "firing/page");
  EXPECT_EQ(att["fallback"], "firing/page | /#/alerts?receiver=team");
  // A broken template file is a load error naming the file.
  std::ofstream(dir / "templates" / "c.tmpl") << "{{ define \"x\" }}{{ if }}{{ end }}";
  auto bad = ParseRouterConfig(cfg, dir.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("c.tmpl"), std::string::npos) << bad.status().message();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tidemark::alerting
