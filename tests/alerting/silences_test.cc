// Silences: Alertmanager's matcher syntax, validation, states, update-by-id, expiry, retention
// and GC, persistence across reopen (through a StateStore), and the router muting silenced
// alerts and notifying again once the silence ends; plus the API view (status, receivers,
// groups, fingerprints).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "notify/router.h"
#include "support/status_matchers.h"
#include "tidemark/alerting/alertmanager_api.h"
#include "tidemark/alerting/silences.h"

namespace tidemark::alerting {
namespace {

constexpr Timestamp kT0 = 1'700'000'000'000;
constexpr int64_t kHour = 3'600'000;

TEST(AmMatcherTest, ParsesAlertmanagerSyntax) {
  struct Case {
    std::string in;
    MatchType type;
    std::string name, value;
  };
  for (const Case& c : std::vector<Case>{
           {"foo=bar", MatchType::kEqual, "foo", "bar"},
           {" foo = \"bar baz\" ", MatchType::kEqual, "foo", "bar baz"},
           {"foo!=bar", MatchType::kNotEqual, "foo", "bar"},
           {"foo=~b.*", MatchType::kRegexMatch, "foo", "b.*"},
           {"foo!~\"b|c\"", MatchType::kRegexNoMatch, "foo", "b|c"},
           {"foo=\"a\\\"b\\\\c\\nd\\x\"", MatchType::kEqual, "foo", "a\"b\\c\nd\\x"},
           {"foo=", MatchType::kEqual, "foo", ""},
           {"job:x=y", MatchType::kEqual, "job:x", "y"},
       }) {
    auto m = ParseAmMatcher(c.in);
    ASSERT_TRUE(m.ok()) << c.in << ": " << m.status().ToString();
    EXPECT_EQ(m->type(), c.type) << c.in;
    EXPECT_EQ(m->name(), c.name) << c.in;
    EXPECT_EQ(m->value(), c.value) << c.in;
  }
  EXPECT_EQ(ParseAmMatcher("foo").status().message(), "bad matcher format: foo");
  EXPECT_EQ(ParseAmMatcher("1a=b").status().message(), "bad matcher format: 1a=b");
  EXPECT_EQ(ParseAmMatcher("a=\"b").status().message(),
            "matcher value contains unescaped double quote: \"b");
  EXPECT_EQ(ParseAmMatcher("a=b\"c").status().message(),
            "matcher value contains unescaped double quote: b\"c");
  EXPECT_FALSE(ParseAmMatcher("a=~(").ok());

  ASSERT_OK_AND_ASSIGN(Matchers ms, ParseAmMatchers("{a=\"x,y\", b!~\"z\" ,c=d}"));
  ASSERT_EQ(ms.size(), 3u);
  EXPECT_EQ(ms[0].value(), "x,y");
  EXPECT_EQ(ms[1].type(), MatchType::kRegexNoMatch);
  EXPECT_EQ(ms[2].name(), "c");
  EXPECT_FALSE(ParseAmMatchers("a=b,,c=d").ok());
  EXPECT_EQ(ParseAmMatchers("{}")->size(), 0u);
}

TEST(AmApiHelpersTest, FingerprintAndFilter) {
  // Alertmanager's fingerprint of {} is FNV-1a's offset basis; of a label set, FNV-1a over
  // name 0xff value 0xff in name order (values checked against Alertmanager 0.25's output).
  EXPECT_EQ(FingerprintString(AlertFingerprint(Labels())), "cbf29ce484222325");
  EXPECT_EQ(AlertFingerprint(Labels({{"a", "1"}, {"b", "2"}})),
            AlertFingerprint(Labels({{"b", "2"}, {"a", "1"}})));
  EXPECT_NE(AlertFingerprint(Labels({{"a", "1"}})), AlertFingerprint(Labels({{"a", "2"}})));

  Labels l({{"alertname", "X"}, {"sev", "page"}});
  auto f = [](const char* s) { return ParseAmMatchers(s).value(); };
  EXPECT_TRUE(MatchesFilter(f("alertname=X"), l));
  EXPECT_FALSE(MatchesFilter(f("alertname=Y"), l));
  EXPECT_TRUE(MatchesFilter(f("team=\"\""), l));     // absent and empty: ignored
  EXPECT_TRUE(MatchesFilter(f("sev!=\"\""), l));     // present and != "": ignored
  EXPECT_FALSE(MatchesFilter(f("sev=\"\""), l));
  EXPECT_TRUE(MatchesFilter(f("sev=~p.*"), l));
  EXPECT_FALSE(MatchesFilter(f("sev!~p.*"), l));

  Silence s;
  s.matchers = {{"alertname", "X", false, true}, {"sev", "p.*", true, true}};
  EXPECT_TRUE(SilenceHasMatchers(s, f("alertname=X")));
  EXPECT_TRUE(SilenceHasMatchers(s, f("sev=~p.*")));
  EXPECT_FALSE(SilenceHasMatchers(s, f("sev=p.*")));  // same text, other type
  EXPECT_FALSE(SilenceHasMatchers(s, f("alertname=~X")));
}

class SilencesTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    sil_.reset();
    auto s = Silences::Open({.store = store_.get(), .clock = &clock_});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    sil_ = std::move(s).value();
  }
  Silence Make(std::vector<SilenceMatcher> m, Timestamp start, Timestamp end) {
    Silence s;
    s.matchers = std::move(m);
    s.starts_at = start;
    s.ends_at = end;
    s.created_by = "alice";
    s.comment = "maintenance";
    return s;
  }
  FakeClock clock_{kT0};
  std::unique_ptr<StateStore> store_ = NewMemStateStore();
  std::unique_ptr<Silences> sil_;
};

TEST_F(SilencesTest, StatesAndMuting) {
  ASSERT_OK_AND_ASSIGN(std::string id, sil_->Set(Make({{"alertname", "X", false, true}}, kT0, kT0 + kHour)));
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');  // a version-4 UUID
  ASSERT_OK_AND_ASSIGN(std::string later,
                       sil_->Set(Make({{"sev", "warn|info", true, true}}, kT0 + 2 * kHour, kT0 + 3 * kHour)));
  const Labels x({{"alertname", "X"}, {"sev", "page"}});
  const Labels y({{"alertname", "Y"}, {"sev", "info"}});
  EXPECT_EQ(sil_->MutedBy(x), std::vector<std::string>{id});
  EXPECT_TRUE(sil_->MutedBy(y).empty());  // its silence is pending
  EXPECT_EQ(SilenceStateAt(*sil_->Get(later), clock_.Now()), SilenceState::kPending);
  clock_.Advance(2 * kHour);
  EXPECT_TRUE(sil_->MutedBy(x).empty());  // expired
  EXPECT_EQ(SilenceStateAt(*sil_->Get(id), clock_.Now()), SilenceState::kExpired);
  EXPECT_EQ(sil_->MutedBy(y), std::vector<std::string>{later});
  // Negative matchers: != and !~ (with a label that must exist).
  ASSERT_OK_AND_ASSIGN(std::string neg, sil_->Set(Make({{"alertname", "", false, false},
                                                         {"sev", "page|crit", true, false}},
                                                        clock_.Now(), clock_.Now() + kHour)));
  EXPECT_EQ(sil_->MutedBy(y).size(), 2u);
  EXPECT_EQ(sil_->MutedBy(Labels({{"alertname", "Z"}, {"sev", "page"}})).size(), 0u);
  // Without alertname, alertname!="" fails: only the regex silence mutes it.
  EXPECT_EQ(sil_->MutedBy(Labels({{"sev", "info"}})), std::vector<std::string>{later});
  EXPECT_EQ(sil_->MutedBy(Labels({{"alertname", "Q"}, {"sev", "info"}})).size(), 2u);
  EXPECT_EQ(sil_->Get(neg)->matchers.size(), 2u);
}

TEST_F(SilencesTest, Validation) {
  auto err = [&](Silence s) { return sil_->Set(std::move(s)).status().message(); };
  EXPECT_EQ(err(Make({}, kT0, kT0 + kHour)), "silence invalid: at least one matcher required");
  EXPECT_EQ(err(Make({{"a", "", false, true}}, kT0, kT0 + kHour)),
            "silence invalid: at least one matcher must not match the empty string");
  EXPECT_EQ(err(Make({{"a", ".*", true, true}}, kT0, kT0 + kHour)),
            "silence invalid: at least one matcher must not match the empty string");
  EXPECT_EQ(err(Make({{"a-b", "x", false, true}}, kT0, kT0 + kHour)),
            "silence invalid: invalid label matcher 0: invalid label name \"a-b\"");
  EXPECT_NE(err(Make({{"a", "(", true, true}}, kT0, kT0 + kHour)).find("invalid regular expression"),
            std::string::npos);
  EXPECT_EQ(err(Make({{"a", "x", false, true}}, kT0 + kHour, kT0 + kHour)),
            "Failed to create silence: start time must be before end time");
  EXPECT_EQ(err(Make({{"a", "x", false, true}}, kT0 - 2 * kHour, kT0 - kHour)),
            "Failed to create silence: end time can't be in the past");
  Silence unknown = Make({{"a", "x", false, true}}, kT0, kT0 + kHour);
  unknown.id = "00000000-0000-4000-8000-000000000000";
  EXPECT_EQ(sil_->Set(unknown).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(sil_->Expire(unknown.id).code(), StatusCode::kNotFound);
  EXPECT_TRUE(sil_->List().empty());
}

TEST_F(SilencesTest, UpdateByIdAsAlertmanager) {
  const std::vector<SilenceMatcher> m = {{"alertname", "X", false, true}};
  ASSERT_OK_AND_ASSIGN(std::string id, sil_->Set(Make(m, kT0 - 1000, kT0 + kHour)));
  EXPECT_EQ(sil_->Get(id)->starts_at, kT0);  // a start in the past becomes now
  clock_.Advance(60'000);
  // Extending an active silence keeps its id.
  Silence ext = *sil_->Get(id);
  ext.ends_at = kT0 + 2 * kHour;
  ext.comment = "longer";
  ASSERT_OK_AND_ASSIGN(std::string same, sil_->Set(ext));
  EXPECT_EQ(same, id);
  EXPECT_EQ(sil_->Get(id)->comment, "longer");
  EXPECT_EQ(sil_->Get(id)->updated_at, kT0 + 60'000);
  EXPECT_EQ(sil_->List().size(), 1u);
  // Changing its matchers replaces it: the old one expires now, a new id is returned.
  Silence other = ext;
  other.matchers = {{"alertname", "Y", false, true}};
  ASSERT_OK_AND_ASSIGN(std::string fresh, sil_->Set(other));
  EXPECT_NE(fresh, id);
  EXPECT_EQ(SilenceStateAt(*sil_->Get(id), clock_.Now()), SilenceState::kExpired);
  EXPECT_EQ(sil_->Get(id)->ends_at, clock_.Now());
  EXPECT_EQ(sil_->List().size(), 2u);
  // Expiring a pending silence ends it before it starts.
  ASSERT_OK_AND_ASSIGN(std::string pending, sil_->Set(Make(m, kT0 + kHour, kT0 + 2 * kHour)));
  ASSERT_OK(sil_->Expire(pending));
  EXPECT_EQ(sil_->Get(pending)->starts_at, clock_.Now());
  EXPECT_EQ(sil_->Get(pending)->ends_at, clock_.Now());
  ASSERT_OK(sil_->Expire(pending));  // already expired: no-op
}

TEST_F(SilencesTest, PersistedAcrossReopenAndCollectedAfterRetention) {
  ASSERT_OK_AND_ASSIGN(std::string id, sil_->Set(Make({{"alertname", "X", false, true}}, kT0, kT0 + kHour)));
  ASSERT_OK_AND_ASSIGN(std::string gone, sil_->Set(Make({{"alertname", "Y", false, true}}, kT0, kT0 + kHour)));
  ASSERT_OK(sil_->Expire(gone));
  Reopen();
  ASSERT_TRUE(sil_->Get(id).has_value());
  EXPECT_EQ(sil_->Get(id)->created_by, "alice");
  EXPECT_EQ(sil_->Get(id)->matchers, (std::vector<SilenceMatcher>{{"alertname", "X", false, true}}));
  EXPECT_EQ(sil_->MutedBy(Labels({{"alertname", "X"}})), std::vector<std::string>{id});
  ASSERT_TRUE(sil_->Get(gone).has_value());  // expired, kept for the retention (120h)
  clock_.Set(kT0 + 120 * kHour - 1);
  EXPECT_TRUE(sil_->Get(gone).has_value());
  clock_.Set(kT0 + 120 * kHour + 1);
  EXPECT_FALSE(sil_->Get(gone).has_value());
  EXPECT_EQ(sil_->List().size(), 1u);
  ASSERT_OK(sil_->GarbageCollect());
  int stored = 0;
  ASSERT_OK(store_->Scan("silence/", [&](std::string_view, std::string_view) {
    ++stored;
    return Status::OK();
  }));
  EXPECT_EQ(stored, 1);
  clock_.Set(kT0 + 122 * kHour);
  Reopen();  // Open collects too
  EXPECT_TRUE(sil_->List().empty());
}

TEST_F(SilencesTest, ApiOrder) {
  ASSERT_OK_AND_ASSIGN(std::string a_long, sil_->Set(Make({{"a", "1", false, true}}, kT0, kT0 + 3 * kHour)));
  ASSERT_OK_AND_ASSIGN(std::string a_short, sil_->Set(Make({{"a", "2", false, true}}, kT0, kT0 + kHour)));
  ASSERT_OK_AND_ASSIGN(std::string pend, sil_->Set(Make({{"a", "3", false, true}}, kT0 + kHour, kT0 + 2 * kHour)));
  ASSERT_OK_AND_ASSIGN(std::string old, sil_->Set(Make({{"a", "4", false, true}}, kT0, kT0 + kHour)));
  ASSERT_OK(sil_->Expire(old));
  auto list = sil_->List();
  SortSilencesForApi(list, clock_.Now());
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].id, a_short);
  EXPECT_EQ(list[1].id, a_long);
  EXPECT_EQ(list[2].id, pend);
  EXPECT_EQ(list[3].id, old);
}

// The router consults the silences before notifying: a silenced alert is not notified, and
// once the silence ends the next flush notifies it (nothing was logged while it was muted).
TEST_F(SilencesTest, RouterMutesAndNotifiesAgainAfterExpiry) {
  auto rc = ParseRouterConfig(R"(
route: {receiver: hook, group_by: [alertname], group_wait: 10s, group_interval: 1m, repeat_interval: 1h}
receivers: [{name: hook, webhook_configs: [{url: "http://127.0.0.1:1/"}]}, {name: unused}]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
)");
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  std::vector<OutgoingNotification> out;
  Router::Options o;
  o.clock = &clock_;
  o.silences = sil_.get();
  o.capture = [&](const OutgoingNotification& n) { out.push_back(n); };
  Router router(std::move(rc).value(), std::move(o));
  const Labels x({{"alertname", "X"}, {"severity", "warning"}, {"instance", "a"}});
  auto fire = [&] {
    NotifyAlert a;
    a.labels = x;
    a.starts_at = kT0;
    a.ends_at = clock_.Now() + 4 * 60'000;
    router.Notify({a});
  };
  ASSERT_OK_AND_ASSIGN(std::string id,
                       sil_->Set(Make({{"alertname", "X", false, true}}, kT0, kT0 + 10 * 60'000)));
  fire();
  auto alerts = router.ApiAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].state, "suppressed");
  EXPECT_EQ(alerts[0].silenced_by, std::vector<std::string>{id});
  EXPECT_EQ(alerts[0].receivers, std::vector<std::string>{"hook"});
  EXPECT_EQ(alerts[0].fingerprint, FingerprintString(AlertFingerprint(x)));
  EXPECT_EQ(alerts[0].updated_at, kT0);
  for (int i = 0; i < 9; ++i) {  // 9 minutes, flushes every minute: all muted
    clock_.Advance(60'000);
    fire();
    router.Tick();
  }
  EXPECT_TRUE(out.empty());
  ASSERT_OK(sil_->Expire(id));
  EXPECT_EQ(router.ApiAlerts()[0].state, "active");
  clock_.Advance(60'000);
  fire();
  router.Tick();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(out[0].body)["alerts"][0]["labels"]["alertname"], "X");

  // Inhibition shows in the API as the source's fingerprint.
  const Labels crit({{"alertname", "C"}, {"severity", "critical"}});
  NotifyAlert c;
  c.labels = crit;
  c.starts_at = clock_.Now();
  c.ends_at = clock_.Now() + 4 * 60'000;
  router.Notify({c});
  fire();
  alerts = router.ApiAlerts();
  ASSERT_EQ(alerts.size(), 2u);
  const ApiAlert& xa = alerts[0].labels == x ? alerts[0] : alerts[1];
  EXPECT_EQ(xa.state, "suppressed");
  EXPECT_EQ(xa.inhibited_by, std::vector<std::string>{FingerprintString(AlertFingerprint(crit))});
  EXPECT_TRUE(xa.silenced_by.empty());

  auto groups = router.ApiAlertGroups([](const std::string&) { return true; },
                                      [](const ApiAlert&) { return true; });
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].labels, Labels({{"alertname", "C"}}));
  EXPECT_EQ(groups[1].labels, Labels({{"alertname", "X"}}));
  EXPECT_EQ(groups[1].receiver, "hook");
  EXPECT_TRUE(router.ApiAlertGroups([](const std::string& r) { return r == "unused"; },
                                    [](const ApiAlert&) { return true; })
                  .empty());
  EXPECT_EQ(router.ReceiverNames(), (std::vector<std::string>{"hook", "unused"}));
}

}  // namespace
}  // namespace tidemark::alerting
