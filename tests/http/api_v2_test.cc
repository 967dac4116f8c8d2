// Alertmanager API v2 routes: exact JSON of alerts, groups, silences, status and receivers,
// the filter/active/silenced/inhibited/receiver parameters, silence POST/GET/DELETE with
// Alertmanager's status codes, and silencedBy on /api/v1/alerts.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http_test_util.h"
#include "tidemark/alerting/alertmanager_api.h"
#include "tidemark/alerting/manager.h"
#include "tidemark/alerting/slo_status.h"
#include "tidemark/storage/storage.h"

namespace tidemark::http {
namespace {

using json = nlohmann::json;
using testing::Get;
using testing::Request;

constexpr Timestamp kT0 = 1700000000000;  // 2023-11-14T22:13:20Z

// Fixed alerts and groups over real silences on a fake clock.
class FixedAlertmanager : public alerting::AlertmanagerApi {
 public:
  FixedAlertmanager() {
    silences = alerting::Silences::Open({.store = store.get(), .clock = &clock}).value();
  }
  Timestamp Now() const override { return clock.Now(); }
  std::vector<alerting::ApiAlert> Alerts() const override { return alerts; }
  std::vector<alerting::ApiAlertGroup> AlertGroups(
      const std::function<bool(const std::string&)>& receiver_ok,
      const std::function<bool(const alerting::ApiAlert&)>& alert_ok) const override {
    std::vector<alerting::ApiAlertGroup> out;
    for (auto g : groups) {
      if (!receiver_ok(g.receiver)) continue;
      std::erase_if(g.alerts, [&](const alerting::ApiAlert& a) { return !alert_ok(a); });
      if (!g.alerts.empty()) out.push_back(g);
    }
    return out;
  }
  std::vector<std::string> Receivers() const override { return {"hook", "pager"}; }
  std::vector<alerting::Silence> ListSilences() const override { return silences->List(); }
  std::optional<alerting::Silence> GetSilence(const std::string& id) const override {
    return silences->Get(id);
  }
  Result<std::string> SetSilence(alerting::Silence s) override { return silences->Set(std::move(s)); }
  Status ExpireSilence(const std::string& id) override { return silences->Expire(id); }

  alerting::FakeClock clock{kT0};
  std::unique_ptr<StateStore> store = NewMemStateStore();
  std::unique_ptr<alerting::Silences> silences;
  std::vector<alerting::ApiAlert> alerts;
  std::vector<alerting::ApiAlertGroup> groups;
};

alerting::ApiAlert Alert(const std::string& name, const std::string& state) {
  alerting::ApiAlert a;
  a.labels = Labels{{"alertname", name}, {"severity", "page"}};
  a.annotations = Labels{{"summary", "s"}};
  a.starts_at = kT0;
  a.ends_at = kT0 + 240'000;
  a.updated_at = kT0 + 1;
  a.generator_url = "http://tm/graph";
  a.fingerprint = alerting::FingerprintString(alerting::AlertFingerprint(a.labels));
  a.receivers = {"hook"};
  a.state = state;
  return a;
}

class ApiV2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    am_.alerts = {Alert("A", "active"), Alert("B", "suppressed"), Alert("C", "suppressed")};
    am_.alerts[1].silenced_by = {"s1"};
    am_.alerts[2].inhibited_by = {"0123456789abcdef"};
    am_.alerts[2].receivers = {"pager"};
    am_.groups = {{Labels{{"alertname", "A"}}, "hook", {am_.alerts[0]}},
                  {Labels{{"alertname", "C"}}, "pager", {am_.alerts[2]}}};
  }
  ApiBackends Backends() {
    ApiBackends b;
    b.storage = storage_.get();
    b.alertmanager = &am_;
    return b;
  }
  std::vector<std::string> Names(const std::string& target) {
    auto r = Get(server_->port(), target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    std::vector<std::string> out;
    for (const auto& a : json::parse(r.body)) out.push_back(a["labels"]["alertname"]);
    return out;
  }
  std::string PostSilence(const json& body, int want_status = 200) {
    auto r = Request(server_->port(), "POST", "/api/v2/silences", body.dump(),
                     {"Content-Type: application/json"});
    EXPECT_EQ(r.status, want_status) << r.body;
    if (r.status != 200) return r.body;
    return json::parse(r.body)["silenceID"];
  }
  std::unique_ptr<Storage> storage_ = NewMemStorage();
  FixedAlertmanager am_;
  std::unique_ptr<testing::TestServer> server_;
};

TEST_F(ApiV2Test, AlertJsonShape) {
  server_ = std::make_unique<testing::TestServer>(Backends());
  auto r = Get(server_->port(), "/api/v2/alerts?filter=alertname%3DA");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.body,
            "[{\"annotations\":{\"summary\":\"s\"},\"endsAt\":\"2023-11-14T22:17:20.000Z\","
            "\"fingerprint\":\"" + am_.alerts[0].fingerprint + "\","
            "\"receivers\":[{\"name\":\"hook\"}],\"startsAt\":\"2023-11-14T22:13:20.000Z\","
            "\"status\":{\"inhibitedBy\":[],\"silencedBy\":[],\"state\":\"active\"},"
            "\"updatedAt\":\"2023-11-14T22:13:20.001Z\",\"generatorURL\":\"http://tm/graph\","
            "\"labels\":{\"alertname\":\"A\",\"severity\":\"page\"}}]\n");
}

TEST_F(ApiV2Test, AlertFilters) {
  server_ = std::make_unique<testing::TestServer>(Backends());
  using V = std::vector<std::string>;
  EXPECT_EQ(Names("/api/v2/alerts"), (V{"A", "B", "C"}));
  // amtool's default query: active only, silenced and inhibited hidden.
  EXPECT_EQ(Names("/api/v2/alerts?active=true&silenced=false&inhibited=false&unprocessed=false"),
            (V{"A"}));
  EXPECT_EQ(Names("/api/v2/alerts?active=false"), (V{"B", "C"}));
  EXPECT_EQ(Names("/api/v2/alerts?inhibited=false"), (V{"A", "B"}));
  EXPECT_EQ(Names("/api/v2/alerts?receiver=pag.*"), (V{"C"}));
  EXPECT_EQ(Names("/api/v2/alerts?filter=alertname%3D~%22A%7CC%22&filter=severity%3Dpage"),
            (V{"A", "C"}));
  auto bad = Get(server_->port(), "/api/v2/alerts?filter=nonsense");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, "\"bad matcher format: nonsense\"\n");
  // Not a boolean: false, as go-openapi converts it.
  EXPECT_EQ(Names("/api/v2/alerts?active=maybe"), (V{"B", "C"}));
  EXPECT_EQ(Get(server_->port(), "/api/v2/alerts?receiver=(").status, 400);

  auto groups = json::parse(Get(server_->port(), "/api/v2/alerts/groups?inhibited=false").body);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0]["labels"], json({{"alertname", "A"}}));
  EXPECT_EQ(groups[0]["receiver"], json({{"name", "hook"}}));
  EXPECT_EQ(groups[0]["alerts"].size(), 1u);
  EXPECT_EQ(json::parse(Get(server_->port(), "/api/v2/alerts/groups?receiver=pager").body).size(), 1u);
}

TEST_F(ApiV2Test, SilenceLifecycle) {
  server_ = std::make_unique<testing::TestServer>(Backends());
  const json body = {{"matchers", {{{"name", "alertname"}, {"value", "A"}, {"isRegex", false}}}},
                     {"startsAt", "2023-11-14T22:13:20.000Z"},
                     {"endsAt", "2023-11-14T23:13:20.000Z"},
                     {"createdBy", "alice"},
                     {"comment", "maint"}};
  const std::string id = PostSilence(body);
  ASSERT_EQ(id.size(), 36u);
  auto one = Get(server_->port(), "/api/v2/silence/" + id);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body, "{\"id\":\"" + id +
                          "\",\"status\":{\"state\":\"active\"},\"updatedAt\":\"2023-11-14T22:13:20.000Z\","
                          "\"comment\":\"maint\",\"createdBy\":\"alice\",\"endsAt\":\"2023-11-14T23:13:20.000Z\","
                          "\"matchers\":[{\"isEqual\":true,\"isRegex\":false,\"name\":\"alertname\","
                          "\"value\":\"A\"}],\"startsAt\":\"2023-11-14T22:13:20.000Z\"}\n");
  EXPECT_EQ(json::parse(Get(server_->port(), "/api/v2/silences").body).size(), 1u);
  EXPECT_EQ(json::parse(Get(server_->port(), "/api/v2/silences?filter=alertname%3DA").body).size(), 1u);
  EXPECT_EQ(json::parse(Get(server_->port(), "/api/v2/silences?filter=alertname%3D~A").body).size(), 0u);

  // Updating by id (a longer end) keeps the id.
  json upd = body;
  upd["id"] = id;
  upd["endsAt"] = "2023-11-15T00:13:20.000Z";
  EXPECT_EQ(PostSilence(upd), id);

  // Errors as Alertmanager answers them.
  json no_author = body;
  no_author.erase("createdBy");
  EXPECT_EQ(PostSilence(no_author, 422), "{\"code\":602,\"message\":\"createdBy in body is required\"}");
  json past = body;
  past["endsAt"] = "2023-11-14T22:00:00.000Z";
  past["startsAt"] = "2023-11-14T21:00:00.000Z";
  EXPECT_EQ(PostSilence(past, 400), "\"Failed to create silence: end time can't be in the past\"\n");
  json empty_match = body;
  empty_match["matchers"][0]["value"] = "";
  EXPECT_EQ(PostSilence(empty_match, 400),
            "\"silence invalid: at least one matcher must not match the empty string\"\n");
  json unknown = body;
  unknown["id"] = "00000000-0000-4000-8000-000000000000";
  EXPECT_EQ(PostSilence(unknown, 404), "\"silence not found\"\n");
  EXPECT_EQ(Get(server_->port(), "/api/v2/silence/00000000-0000-4000-8000-000000000000").status, 404);
  EXPECT_EQ(Get(server_->port(), "/api/v2/silence/nope").status, 422);

  // DELETE expires it; it stays listed as expired.
  am_.clock.Advance(1000);
  auto del = Request(server_->port(), "DELETE", "/api/v2/silence/" + id);
  EXPECT_EQ(del.status, 200);
  auto listed = json::parse(Get(server_->port(), "/api/v2/silences").body);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["status"]["state"], "expired");
  EXPECT_EQ(listed[0]["endsAt"], "2023-11-14T22:13:21.000Z");
  auto del_unknown =
      Request(server_->port(), "DELETE", "/api/v2/silence/00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(del_unknown.status, 500);  // as Alertmanager 0.25
  EXPECT_EQ(del_unknown.body, "\"silence not found\"\n");
}

TEST_F(ApiV2Test, StatusAndReceivers) {
  server_ = std::make_unique<testing::TestServer>(Backends());
  EXPECT_EQ(Get(server_->port(), "/api/v2/receivers").body, "[{\"name\":\"hook\"},{\"name\":\"pager\"}]\n");
  auto st = json::parse(Get(server_->port(), "/api/v2/status").body);
  EXPECT_EQ(st["cluster"], json({{"peers", json::array()}, {"status", "disabled"}}));
  EXPECT_EQ(st["versionInfo"]["version"], "0.25.0");
  EXPECT_TRUE(st["config"].contains("original"));
  EXPECT_TRUE(st.contains("uptime"));
}

TEST_F(ApiV2Test, NoAlertmanagerBackend) {
  ApiBackends b = Backends();
  b.alertmanager = nullptr;
  server_ = std::make_unique<testing::TestServer>(b);
  EXPECT_EQ(Get(server_->port(), "/api/v2/alerts").status, 503);
  EXPECT_EQ(Get(server_->port(), "/api/v2/receivers").body, "[]\n");
}

// /api/v1/alerts marks silenced alerts with silencedBy; others keep Prometheus' exact shape.
class SilencedRules : public alerting::RulesReader {
 public:
  std::vector<alerting::GroupSnapshot> Groups() const override { return {}; }
  std::vector<alerting::AlertSnapshot> ActiveAlerts() const override {
    alerting::AlertSnapshot a;
    a.labels = Labels{{"alertname", "X"}};
    a.state = alerting::AlertState::kFiring;
    a.active_at = kT0;
    a.value = 1;
    alerting::AlertSnapshot b = a;
    b.labels = Labels{{"alertname", "Y"}};
    b.silenced_by = {"id-1"};
    return {a, b};
  }
  std::vector<alerting::SloStatus> Slos() const override { return {}; }
};

TEST(ApiV1SilencedTest, SilencedByOnlyWhenSilenced) {
  std::unique_ptr<Storage> storage = NewMemStorage();
  SilencedRules rules;
  ApiBackends b;
  b.storage = storage.get();
  b.rules = &rules;
  testing::TestServer s(b);
  EXPECT_EQ(Get(s.port(), "/api/v1/alerts").body,
            "{\"status\":\"success\",\"data\":{\"alerts\":["
            "{\"labels\":{\"alertname\":\"X\"},\"annotations\":{},\"state\":\"firing\","
            "\"activeAt\":\"2023-11-14T22:13:20Z\",\"value\":\"1e+00\"},"
            "{\"labels\":{\"alertname\":\"Y\"},\"annotations\":{},\"state\":\"firing\","
            "\"activeAt\":\"2023-11-14T22:13:20Z\",\"value\":\"1e+00\",\"silencedBy\":[\"id-1\"]}]}}");
}

}  // namespace
}  // namespace tidemark::http
