// Router: config parsing, routing, grouping, repeat, resolve, dedup across restarts, and the
// webhook/Slack/Alertmanager payloads delivered over HTTP to a local capture server.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>

#include "capture_server.h"
#include "notify/alertmanager.h"
#include "notify/http_sender.h"
#include "notify/router.h"
#include "support/status_matchers.h"

namespace tidemark::alerting {
namespace {

using json = nlohmann::json;
constexpr Timestamp kT0 = 1'700'000'000'000;

NotifyAlert Firing(Labels labels, Timestamp starts, Timestamp now, Labels ann = {}) {
  NotifyAlert a;
  a.labels = std::move(labels);
  a.annotations = std::move(ann);
  a.starts_at = starts;
  a.ends_at = now + 4 * 60'000;
  a.generator_url = "http://tm/graph?g0.expr=up&g0.tab=1";
  return a;
}

std::shared_ptr<const httpclient::Client> PlainClient() {
  auto c = httpclient::Client::Create({});
  EXPECT_TRUE(c.ok());
  return c.ok() ? *c : nullptr;
}

NotifyAlert Resolved(NotifyAlert a, Timestamp at) {
  a.resolved = true;
  a.ends_at = at;
  return a;
}

const char* kConfig = R"(
route:
  receiver: default
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: ['severity="page"']
      receiver: pager
      group_by: ['alertname', 'cluster']
      continue: true
    - match_re: {team: "db|storage"}
      receiver: db
      group_by: ['...']
receivers:
  - name: default
    webhook_configs: [{url: "http://127.0.0.1:1/default"}]
  - name: pager
    webhook_configs: [{url: "http://127.0.0.1:1/pager"}]
  - name: db
    webhook_configs: [{url: "http://127.0.0.1:1/db", send_resolved: false}]
)";

struct Harness {
  FakeClock clock{kT0};
  std::vector<OutgoingNotification> out;
  std::unique_ptr<Router> router;
  explicit Harness(const char* cfg, std::string state_path = "") {
    auto rc = ParseRouterConfig(cfg);
    EXPECT_TRUE(rc.ok()) << rc.status().ToString();
    Router::Options o;
    o.clock = &clock;
    o.external_url = "http://tm";
    o.state_path = std::move(state_path);
    o.capture = [this](const OutgoingNotification& n) { out.push_back(n); };
    router = std::make_unique<Router>(std::move(rc).value(), std::move(o));
  }
  void Advance(int64_t ms) {
    clock.Advance(ms);
    router->Tick();
  }
};

TEST(RouterConfigTest, Errors) {
  EXPECT_NE(ParseRouterConfig("route: {receiver: x}\nreceivers:\n- name: x\n  pushover_configs: [{user_key: a}]\n")
                .status().message().find("unsupported receiver kind(s): pushover_configs"),
            std::string::npos);
  EXPECT_NE(ParseRouterConfig("route: {receiver: nope}\nreceivers:\n- name: x\n")
                .status().message().find("undefined receiver \"nope\""),
            std::string::npos);
  EXPECT_FALSE(ParseRouterConfig("route: {receiver: x, bogus: 1}\nreceivers: [{name: x}]\n").ok());
  EXPECT_FALSE(ParseRouterConfig("receivers: [{name: x}]\n").ok());
  EXPECT_TRUE(ParseRouterConfig(kConfig).ok());
  // Aliases that name 10^6 routes in a few lines are refused, not expanded.
  std::string tree = "&l0 {receiver: x}";
  for (int i = 1; i <= 6; ++i) {
    const std::string prev = "*l" + std::to_string(i - 1);
    std::string next = "&l" + std::to_string(i) + " {receiver: x, routes: [" + tree;
    for (int k = 1; k < 10; ++k) next += ", " + prev;
    tree = next + "]}";
  }
  const std::string bomb = "receivers: [{name: x}]\nroute: " + tree + "\n";
  auto refused = ParseRouterConfig(bomb);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("excessive aliasing"), std::string::npos)
      << refused.status().message();
}

// Alertmanager 0.25's ParseMatcher: \n \" \\ are escapes, other backslashes stay literal, quotes
// inside a value must be escaped; route keys print values OpenMetrics-escaped.
TEST(RouterConfigTest, MatcherValuesUnescapeAsAlertmanager) {
  struct Case {
    std::string matcher, value, key;
  } ok[] = {
      {R"(a="x\y")", R"(x\y)", R"({}/{a="x\\y"})"},
      {R"(a="1\\2")", R"(1\2)", R"({}/{a="1\\2"})"},
      {R"(a=new\nline)", "new\nline", R"({}/{a="new\nline"})"},
      {R"(a = "say \"hi\"" )", R"(say "hi")", R"({}/{a="say \"hi\""})"},
      {R"(a=trailing\)", R"(trailing\)", R"({}/{a="trailing\\"})"},
      {"a!=\"tab\there\"", "tab\there", "{}/{a!=\"tab\there\"}"},
      {R"(a="")", "", R"({}/{a=""})"},
  };
  for (const auto& c : ok) {
    const std::string cfg = "receivers: [{name: x}]\nroute:\n  receiver: x\n  routes:\n"
                            "  - matchers: ['" + c.matcher + "']\n";
    auto rc = ParseRouterConfig(cfg);
    ASSERT_TRUE(rc.ok()) << c.matcher << ": " << rc.status().ToString();
    const Route& r = rc->root.routes.at(0);
    EXPECT_EQ(r.matchers.at(0).value(), c.value) << c.matcher;
    EXPECT_EQ(r.key, c.key + "/0") << c.matcher;  // "/0": the first child of its parent
  }
  for (std::string bad : {R"(a="x"y")", R"(a="ends\")", R"(a=x")", R"(a="open)"}) {
    const std::string cfg = "receivers: [{name: x}]\nroute:\n  receiver: x\n  routes:\n"
                            "  - matchers: ['" + bad + "']\n";
    auto rc = ParseRouterConfig(cfg);
    ASSERT_FALSE(rc.ok()) << bad;
    EXPECT_NE(rc.status().message().find("matcher value contains unescaped double quote: "),
              std::string::npos)
        << rc.status().message();
  }
}

TEST(RouterTest, GroupWaitGroupingAndContinue) {
  Harness h(kConfig);
  Labels a1({{"alertname", "Down"}, {"severity", "page"}, {"instance", "a"}, {"cluster", "eu"}});
  Labels a2({{"alertname", "Down"}, {"severity", "page"}, {"instance", "b"}, {"cluster", "eu"}});
  Labels other({{"alertname", "Other"}, {"severity", "info"}});
  h.router->Notify({Firing(a1, kT0, kT0), Firing(other, kT0, kT0)});
  h.Advance(10'000);
  h.router->Notify({Firing(a2, kT0 + 10'000, kT0 + 10'000)});
  h.Advance(19'000);
  EXPECT_TRUE(h.out.empty());  // still inside group_wait
  h.Advance(1'000);
  // pager (continue: true) + default for Down (no child matched after pager? pager matched with
  // continue, so default is not used because a child matched) and default for Other.
  ASSERT_EQ(h.out.size(), 2u);
  std::map<std::string, json> by_recv;
  for (const auto& n : h.out) by_recv[n.receiver] = json::parse(n.body);
  ASSERT_TRUE(by_recv.count("pager"));
  ASSERT_TRUE(by_recv.count("default"));
  const json& p = by_recv["pager"];
  EXPECT_EQ(p["version"], "4");
  EXPECT_EQ(p["status"], "firing");
  EXPECT_EQ(p["receiver"], "pager");
  EXPECT_EQ(p["alerts"].size(), 2u);
  EXPECT_EQ(p["groupLabels"], json({{"alertname", "Down"}, {"cluster", "eu"}}));
  EXPECT_EQ(p["commonLabels"], json({{"alertname", "Down"}, {"cluster", "eu"}, {"severity", "page"}}));
  EXPECT_EQ(p["groupKey"], "{}/{severity=\"page\"}/0:{alertname=\"Down\", cluster=\"eu\"}");
  EXPECT_EQ(p["externalURL"], "http://tm");
  EXPECT_EQ(p["truncatedAlerts"], 0);
  const json& al = p["alerts"][0];
  EXPECT_EQ(al["status"], "firing");
  EXPECT_EQ(al["labels"]["instance"], "a");
  EXPECT_EQ(al["startsAt"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(al["endsAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(al["generatorURL"], "http://tm/graph?g0.expr=up&g0.tab=1");
  EXPECT_EQ(al["fingerprint"].get<std::string>().size(), 16u);
  EXPECT_EQ(by_recv["default"]["alerts"][0]["labels"]["alertname"], "Other");
}

TEST(RouterTest, RepeatIntervalAndResolve) {
  Harness h(kConfig);
  Labels a({{"alertname", "X"}});
  auto fire = [&] { h.router->Notify({Firing(a, kT0, h.clock.Now())}); };
  fire();
  h.Advance(30'000);
  ASSERT_EQ(h.out.size(), 1u);
  // Unchanged group (the rule manager resends every minute): nothing at each group_interval,
  // again once repeat_interval (4h) has passed.
  for (int i = 0; i < 235; ++i) {
    fire();
    h.Advance(60'000);
  }
  EXPECT_EQ(h.out.size(), 1u);
  for (int i = 0; i < 10; ++i) {
    fire();
    h.Advance(60'000);
  }
  EXPECT_EQ(h.out.size(), 2u);
  // Resolve: sent at the next group_interval with status resolved and endsAt.
  h.router->Notify({Resolved(Firing(a, kT0, h.clock.Now()), h.clock.Now())});
  h.Advance(5 * 60'000);
  ASSERT_EQ(h.out.size(), 3u);
  json r = json::parse(h.out.back().body);
  EXPECT_EQ(r["status"], "resolved");
  EXPECT_EQ(r["alerts"][0]["status"], "resolved");
  EXPECT_NE(r["alerts"][0]["endsAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(h.router->NumGroups(), 0u);
}

TEST(RouterTest, SendResolvedFalseSkipsResolved) {
  Harness h(kConfig);
  Labels a({{"alertname", "Y"}, {"team", "db"}});
  h.router->Notify({Firing(a, kT0, kT0)});
  h.Advance(30'000);
  ASSERT_EQ(h.out.size(), 1u);
  EXPECT_EQ(h.out[0].receiver, "db");
  h.router->Notify({Resolved(Firing(a, kT0, h.clock.Now()), h.clock.Now())});
  h.Advance(5 * 60'000);
  EXPECT_EQ(h.out.size(), 1u);
}

TEST(RouterTest, NotificationLogSurvivesRestart) {
  auto dir = std::filesystem::temp_directory_path() / ("tm-nflog-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "log.json").string();
  std::filesystem::remove(path);
  Labels a({{"alertname", "Z"}});
  {
    Harness h(kConfig, path);
    h.router->Notify({Firing(a, kT0, kT0)});
    h.Advance(30'000);
    ASSERT_EQ(h.out.size(), 1u);
  }
  Harness h2(kConfig, path);
  h2.clock.Set(kT0 + 120'000);
  h2.router->Notify({Firing(a, kT0, h2.clock.Now())});
  h2.Advance(30'000);
  EXPECT_TRUE(h2.out.empty());  // already notified before the restart
  std::filesystem::remove_all(dir);
}

TEST(RouterTest, InhibitRules) {
  Harness h(R"(
route: {receiver: r, group_by: [alertname]}
receivers: [{name: r, webhook_configs: [{url: "http://127.0.0.1:1/"}]}]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [cluster]
)");
  h.router->Notify({Firing(Labels({{"alertname", "Crit"}, {"severity", "critical"}, {"cluster", "a"}}), kT0, kT0),
                    Firing(Labels({{"alertname", "Warn"}, {"severity", "warning"}, {"cluster", "a"}}), kT0, kT0),
                    Firing(Labels({{"alertname", "Warn2"}, {"severity", "warning"}, {"cluster", "b"}}), kT0, kT0)});
  h.Advance(30'000);
  std::set<std::string> names;
  for (const auto& n : h.out) names.insert(json::parse(n.body)["alerts"][0]["labels"]["alertname"]);
  EXPECT_EQ(names, (std::set<std::string>{"Crit", "Warn2"}));
}

// match_re forms are anchored regexes combined with the other matchers; alerts matching both
// sides never inhibit each other (Alertmanager's two-sided rule); unknown keys are refused.
TEST(RouterTest, InhibitRulesWithRegexMatchers) {
  Harness h(R"yaml(
route: {receiver: r, group_by: [alertname]}
receivers: [{name: r, webhook_configs: [{url: "http://127.0.0.1:1/"}]}]
inhibit_rules:
  - source_match_re: {alertname: "Node(Down|Gone)"}
    source_match: {team: infra}
    target_match_re: {severity: "warn.*"}
    equal: [host]
  - source_matchers: ['tier=~"a|b"']
    target_matchers: ['tier=~"a|b"']
    equal: [zone]
)yaml");
  auto fire = [](Labels l) { return Firing(std::move(l), kT0, kT0); };
  h.router->Notify({fire(Labels({{"alertname", "NodeDown"}, {"team", "infra"}, {"host", "h1"}})),
                    fire(Labels({{"alertname", "NodeGone"}, {"team", "app"}, {"host", "h2"}})),
                    fire(Labels({{"alertname", "Disk"}, {"severity", "warning"}, {"host", "h1"}})),
                    fire(Labels({{"alertname", "Cpu"}, {"severity", "warning"}, {"host", "h2"}})),
                    fire(Labels({{"alertname", "Fan"}, {"severity", "prewarning"}, {"host", "h1"}})),
                    fire(Labels({{"alertname", "X"}, {"tier", "a"}, {"zone", "z"}})),
                    fire(Labels({{"alertname", "Y"}, {"tier", "b"}, {"zone", "z"}}))});
  h.Advance(30'000);
  std::set<std::string> names;
  for (const auto& n : h.out) names.insert(json::parse(n.body)["alerts"][0]["labels"]["alertname"]);
  EXPECT_EQ(names, (std::set<std::string>{"NodeDown", "NodeGone", "Cpu", "Fan", "X", "Y"}));
  auto bad = ParseRouterConfig("route: {receiver: r}\nreceivers: [{name: r}]\n"
                               "inhibit_rules: [{source_match_rx: {a: b}}]\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("source_match_rx"), std::string::npos);
  EXPECT_FALSE(ParseRouterConfig("route: {receiver: r}\nreceivers: [{name: r}]\n"
                                 "inhibit_rules: [{target_match_re: {a: '('}}]\n").ok());
}

// Every Slack field the config accepts reaches the payload, templated as Alertmanager does;
// unset ones keep Alertmanager's defaults (fallback "<title> | <link>", mrkdwn_in).
TEST(RouterTest, SlackOptionalFieldsReachThePayload) {
  Harness h(R"(
route: {receiver: s, group_by: [alertname], group_wait: 0s}
receivers:
- name: s
  slack_configs:
  - api_url: http://127.0.0.1:1/full
    channel: '#{{ .CommonLabels.team }}'
    username: 'tm-{{ .Receiver }}'
    pretext: 'pre {{ .CommonLabels.alertname }}'
    fallback: 'fb {{ .Status }}'
    footer: 'foot'
    icon_url: 'http://icons/{{ .CommonLabels.team }}.png'
    icon_emoji: ':fire:'
    link_names: true
    short_fields: true
    mrkdwn_in: [text]
  - api_url: http://127.0.0.1:1/plain
)");
  h.router->Notify({Firing(Labels({{"alertname", "Down"}, {"team", "db"}}), kT0, kT0)});
  h.Advance(0);
  ASSERT_EQ(h.out.size(), 2u);
  std::map<std::string, json> by_url;
  for (const auto& n : h.out) by_url[n.url] = json::parse(n.body);
  const json& full = by_url["http://127.0.0.1:1/full"];
  EXPECT_EQ(full["channel"], "#db");
  EXPECT_EQ(full["username"], "tm-s");
  EXPECT_EQ(full["icon_url"], "http://icons/db.png");
  EXPECT_EQ(full["icon_emoji"], ":fire:");
  EXPECT_EQ(full["link_names"], true);
  const json& fatt = full["attachments"][0];
  EXPECT_EQ(fatt["pretext"], "pre Down");
  EXPECT_EQ(fatt["fallback"], "fb firing");
  EXPECT_EQ(fatt["footer"], "foot");
  EXPECT_EQ(fatt["mrkdwn_in"], json::array({"text"}));
  const json& plain = by_url["http://127.0.0.1:1/plain"];
  EXPECT_FALSE(plain.contains("icon_url"));
  EXPECT_FALSE(plain.contains("link_names"));
  const json& patt = plain["attachments"][0];
  EXPECT_FALSE(patt.contains("pretext"));
  EXPECT_FALSE(patt.contains("footer"));
  EXPECT_EQ(patt["fallback"], patt["title"].get<std::string>() + " | " + patt["title_link"].get<std::string>());
  EXPECT_EQ(patt["mrkdwn_in"], json::array({"fallback", "pretext", "text"}));
  EXPECT_FALSE(ParseRouterConfig("route: {receiver: s}\nreceivers:\n- name: s\n  slack_configs:\n"
                                 "  - {api_url: 'http://127.0.0.1:1/', mrkdwn_in: text}\n")
                   .ok());
}

TEST(DeliveryTest, WebhookAndSlackOverHttp) {
  CaptureServer server;
  HttpSender sender({});
  FakeClock clock(kT0);
  std::string cfg = "route: {receiver: team, group_by: [alertname], group_wait: 0s}\n"
                    "receivers:\n- name: team\n  webhook_configs: [{url: '" + server.url("/hook") + "'}]\n"
                    "  slack_configs:\n  - api_url: '" + server.url("/slack") + "'\n"
                    "    channel: '#alerts'\n    send_resolved: true\n"
                    "    title: '{{ .Status | toUpper }}: {{ .CommonLabels.alertname }}'\n"
                    "    text: '{{ range .Alerts }}{{ .Annotations.summary }} {{ end }}'\n";
  auto rc = ParseRouterConfig(cfg);
  ASSERT_OK(rc.status());
  Router::Options o;
  o.clock = &clock;
  o.sender = &sender;
  o.external_url = "http://tm";
  Router router(std::move(rc).value(), o);
  router.Notify({Firing(Labels({{"alertname", "Down"}, {"instance", "a"}}), kT0, kT0,
                        Labels({{"summary", "a is down"}, {"runbook_url", "http://runbooks/down"}}))});
  router.Tick();
  auto reqs = server.WaitFor(2);
  ASSERT_EQ(reqs.size(), 2u);
  std::map<std::string, json> by_path;
  for (const auto& r : reqs) by_path[r.target] = json::parse(r.body);
  const json& hook = by_path["/hook"];
  EXPECT_EQ(hook["receiver"], "team");
  EXPECT_EQ(hook["alerts"][0]["annotations"]["summary"], "a is down");
  const json& slack = by_path["/slack"];
  EXPECT_EQ(slack["channel"], "#alerts");
  EXPECT_EQ(slack["username"], "Alertmanager");
  const json& att = slack["attachments"][0];
  EXPECT_EQ(att["color"], "danger");
  EXPECT_EQ(att["title"], "FIRING: Down");
  EXPECT_EQ(att["text"], "a is down ");
  EXPECT_EQ(att["title_link"], "http://tm/#/alerts?receiver=team");
  EXPECT_EQ(att["actions"][0]["url"], "http://runbooks/down");
  // The notification log records a notification once the answer is in; a resolve is only sent
  // for what was delivered.
  ASSERT_TRUE(sender.Drain(10'000));
  // Resolved: slack (send_resolved) gets colour "good".
  router.Notify({Resolved(Firing(Labels({{"alertname", "Down"}, {"instance", "a"}}), kT0, kT0,
                                 Labels({{"summary", "a is down"}})),
                          kT0 + 1000)});
  clock.Advance(5 * 60'000);
  router.Tick();
  reqs = server.WaitFor(4);
  ASSERT_EQ(reqs.size(), 4u);
  for (size_t i = 2; i < 4; ++i) {
    json j = json::parse(reqs[i].body);
    if (reqs[i].target == "/slack") {
      EXPECT_EQ(j["attachments"][0]["color"], "good");
      EXPECT_EQ(j["attachments"][0]["title"], "RESOLVED: Down");
    } else {
      EXPECT_EQ(j["status"], "resolved");
    }
  }
  // The receiver saw the request before the sender thread read the response and counted it.
  ASSERT_TRUE(sender.Drain(10'000));
  EXPECT_EQ(sender.sent(), 4u);
}

TEST(DeliveryTest, RetriesOn5xxThenCountsFailure) {
  CaptureServer server(503);
  HttpSender::Options so;
  so.max_attempts = 3;
  so.initial_backoff_ms = 10;
  HttpSender sender(so);
  Status outcome;
  std::atomic<bool> done{false};
  Delivery d;
  d.client = PlainClient();
  d.url = server.url("/x");
  d.body = "{}";
  d.done = [&](const Status& s) {
    outcome = s;
    done = true;
  };
  sender.Enqueue(std::move(d));
  ASSERT_TRUE(sender.Drain(10'000));
  for (int i = 0; i < 100 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(server.hits(), 3);
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(sender.failed(), 1u);
  EXPECT_EQ(sender.sent(), 0u);
}

TEST(DeliveryTest, UnreachableReceiverDoesNotBlockEnqueue) {
  HttpSender::Options so;
  so.max_queue = 5;
  so.max_concurrency = 1;  // one attempt in flight: the rest wait in the integration's queue
  so.initial_backoff_ms = 60'000;
  HttpSender sender(so);
  const auto client = PlainClient();
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    Delivery d;
    d.client = client;
    d.url = "http://127.0.0.1:1/dead";
    sender.Enqueue(std::move(d));
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(ms, 1000);
  EXPECT_GE(sender.dropped(), 14u);
  EXPECT_LE(sender.queue_length(), 6u);
}

TEST(AlertmanagerTest, V2Body) {
  NotifyAlert a;
  a.labels = Labels({{"alertname", "A"}});
  a.annotations = Labels({{"summary", "s"}});
  a.starts_at = kT0;
  a.ends_at = kT0 + 240'000;
  a.generator_url = "http://tm/graph";
  json j = json::parse(AlertmanagerV2Body({a}));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["labels"]["alertname"], "A");
  EXPECT_EQ(j[0]["annotations"]["summary"], "s");
  EXPECT_EQ(j[0]["startsAt"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(j[0]["endsAt"], "2023-11-14T22:17:20.000Z");
  EXPECT_EQ(j[0]["generatorURL"], "http://tm/graph");
}

TEST(AlertmanagerTest, PostsToApiV2) {
  CaptureServer server;
  HttpSender sender({});
  auto n = AlertmanagerNotifier::Create({{server.url("/api/v2/alerts"), 10'000, {}, {}}}, sender);
  ASSERT_OK(n.status());
  NotifyAlert a;
  a.labels = Labels({{"alertname", "A"}});
  (*n)->Notify({a});
  auto reqs = server.WaitFor(1);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target, "/api/v2/alerts");
  EXPECT_EQ(json::parse(reqs[0].body)[0]["labels"]["alertname"], "A");
}

// alertmanagers[].alert_relabel_configs: each set relabels (and drops) for its own
// Alertmanagers; the other set gets the alerts unchanged.
TEST(AlertmanagerTest, PerSetAlertRelabelling) {
  CaptureServer server;
  HttpSender sender({});
  relabel::Config tag;
  tag.target_label = "via";
  tag.replacement = "b";
  relabel::Config drop;
  drop.action = relabel::Action::kDrop;
  drop.source_labels = {"alertname"};
  drop.regex = "Quiet";
  auto rl = relabel::Relabeler::Compile({tag, drop});
  ASSERT_OK(rl.status());
  auto n = AlertmanagerNotifier::Create(
      {{server.url("/a/api/v2/alerts"), 10'000, {}, {}}, {server.url("/b/api/v2/alerts"), 10'000, {}, *rl}},
      sender);
  ASSERT_OK(n.status());
  NotifyAlert loud, quiet;
  loud.labels = Labels({{"alertname", "Loud"}});
  quiet.labels = Labels({{"alertname", "Quiet"}});
  (*n)->Notify({loud, quiet});
  auto reqs = server.WaitFor(2);
  ASSERT_EQ(reqs.size(), 2u);
  std::map<std::string, json> by_target;
  for (const auto& r : reqs) by_target[r.target] = json::parse(r.body);
  json a = by_target["/a/api/v2/alerts"], b = by_target["/b/api/v2/alerts"];
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0]["labels"], json({{"alertname", "Loud"}}));
  EXPECT_EQ(a[1]["labels"], json({{"alertname", "Quiet"}}));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0]["labels"], json({{"alertname", "Loud"}, {"via", "b"}}));
}

TEST(AlertmanagerTest, RelabelAlertsAddsMissingExternalLabelsThenRuns) {
  relabel::Config keep;
  keep.action = relabel::Action::kKeep;
  keep.source_labels = {"dc"};
  keep.regex = "eu";
  auto rl = relabel::Relabeler::Compile({keep});
  ASSERT_OK(rl.status());
  NotifyAlert own_dc, no_dc;
  own_dc.labels = Labels({{"alertname", "A"}, {"dc", "us"}});  // its own dc wins: dropped
  no_dc.labels = Labels({{"alertname", "B"}});                  // gets dc=eu: kept
  std::vector<NotifyAlert> alerts = {own_dc, no_dc};
  RelabelAlerts(Labels({{"dc", "eu"}}), *rl, alerts);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].labels, Labels({{"alertname", "B"}, {"dc", "eu"}}));
}

}  // namespace
}  // namespace tidemark::alerting
