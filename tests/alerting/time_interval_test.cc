// Time intervals: Alertmanager's parsing rules and messages, membership (weekdays, negative
// days of month, months, years, 24:00, time zones from the system tzdata), and routes muted or
// active by them, on a fake clock.
#include <gtest/gtest.h>

#include <ctime>

#include "notify/router.h"
#include "notify/time_interval.h"
#include "support/status_matchers.h"

namespace tidemark::alerting {
namespace {

// Milliseconds of a UTC civil time, computed by libc (independent of the code under test).
Timestamp Utc(int y, int mo, int d, int h, int mi) {
  tm t{};
  t.tm_year = y - 1900;
  t.tm_mon = mo - 1;
  t.tm_mday = d;
  t.tm_hour = h;
  t.tm_min = mi;
  return static_cast<Timestamp>(timegm(&t)) * 1000;
}

TimeInterval Parse(const std::string& yaml) {
  auto ti = ParseTimeInterval(YAML::Load(yaml), "test");
  EXPECT_TRUE(ti.ok()) << ti.status().ToString();
  return ti.ok() ? *ti : TimeInterval{};
}

std::string ParseError(const std::string& yaml) {
  auto ti = ParseTimeInterval(YAML::Load(yaml), "test");
  return ti.ok() ? "" : ti.status().message();
}

TEST(TimeIntervalTest, ValidationMessagesFollowAlertmanager) {
  EXPECT_NE(ParseError("times: [{start_time: '09:00'}]").find("both start and end times must be provided"), std::string::npos);
  EXPECT_NE(ParseError("times: [{start_time: '9:00', end_time: '10:00'}]").find("couldn't parse timestamp 9:00"), std::string::npos);
  EXPECT_NE(ParseError("times: [{start_time: '10:00', end_time: '10:00'}]").find("start time cannot be equal or greater"), std::string::npos);
  EXPECT_NE(ParseError("times: [{start_time: '10:00', end_time: '24:01'}]").find("invalid format"), std::string::npos);
  EXPECT_NE(ParseError("weekdays: ['funday']").find("funday is not a valid weekday"), std::string::npos);
  EXPECT_NE(ParseError("weekdays: ['friday:monday']").find("start day cannot be before end day"), std::string::npos);
  EXPECT_NE(ParseError("days_of_month: ['0']").find("0 is not a valid day of the month: out of range"), std::string::npos);
  EXPECT_NE(ParseError("days_of_month: ['-3:5']").find("end day must be negative if start day is negative"), std::string::npos);
  EXPECT_NE(ParseError("days_of_month: ['10:-25']").find("end day -25 is always before start day 10"), std::string::npos);
  EXPECT_NE(ParseError("months: ['march:january']").find("end month january is before start month march"), std::string::npos);
  EXPECT_NE(ParseError("years: ['2025:2020']").find("end year 2020 is before start year 2025"), std::string::npos);
  EXPECT_NE(ParseError("location: 'Mars/Olympus'").find("unknown time zone Mars/Olympus"), std::string::npos);
  EXPECT_NE(ParseError("location: '../etc/passwd'").find("invalid location name"), std::string::npos);
  EXPECT_NE(ParseError("hours: ['1']").find("unknown field \"hours\""), std::string::npos);
}

TEST(TimeIntervalTest, TimesWeekdaysAndEndOfDay) {
  const TimeInterval ti = Parse("times: [{start_time: '09:00', end_time: '17:00'}, {start_time: '22:00', end_time: '24:00'}]\n"
                                "weekdays: ['Monday:Friday']\n");
  EXPECT_TRUE(ti.Contains(Utc(2024, 1, 8, 9, 0)));    // Monday 09:00, start inclusive
  EXPECT_FALSE(ti.Contains(Utc(2024, 1, 8, 17, 0)));  // end exclusive
  EXPECT_TRUE(ti.Contains(Utc(2024, 1, 12, 23, 59)));  // Friday, up to 24:00
  EXPECT_FALSE(ti.Contains(Utc(2024, 1, 13, 10, 0)));  // Saturday
  EXPECT_FALSE(ti.Contains(Utc(2024, 1, 8, 8, 59)));
}

TEST(TimeIntervalTest, NegativeDaysOfMonthMonthsAndYears) {
  const TimeInterval last = Parse("days_of_month: ['-1']");
  EXPECT_TRUE(last.Contains(Utc(2024, 2, 29, 12, 0)));   // leap year: the 29th is last
  EXPECT_FALSE(last.Contains(Utc(2024, 2, 28, 12, 0)));
  EXPECT_TRUE(last.Contains(Utc(2023, 2, 28, 12, 0)));
  EXPECT_TRUE(last.Contains(Utc(2023, 4, 30, 0, 0)));
  const TimeInterval tail = Parse("days_of_month: ['-7:-1']");
  EXPECT_TRUE(tail.Contains(Utc(2024, 1, 25, 0, 0)));
  EXPECT_FALSE(tail.Contains(Utc(2024, 1, 24, 23, 59)));
  // A day past the month's end never matches; a range reaching past it is clamped.
  const TimeInterval big = Parse("days_of_month: ['30:31']");
  EXPECT_FALSE(big.Contains(Utc(2023, 2, 28, 0, 0)));
  EXPECT_TRUE(big.Contains(Utc(2023, 4, 30, 0, 0)));
  const TimeInterval seasons = Parse("months: ['december:december', 'january:3']\nyears: ['2024:2025']");
  EXPECT_TRUE(seasons.Contains(Utc(2024, 3, 31, 0, 0)));
  EXPECT_TRUE(seasons.Contains(Utc(2025, 12, 1, 0, 0)));
  EXPECT_FALSE(seasons.Contains(Utc(2024, 4, 1, 0, 0)));
  EXPECT_FALSE(seasons.Contains(Utc(2026, 1, 1, 0, 0)));
}

TEST(TimeIntervalTest, LocationFromSystemTzdata) {
  // 09:00-10:00 in Berlin is 08:00 UTC in winter (CET) and 07:00 UTC in summer (CEST).
  const TimeInterval ti = Parse("times: [{start_time: '09:00', end_time: '10:00'}]\nlocation: Europe/Berlin");
  EXPECT_TRUE(ti.Contains(Utc(2024, 1, 15, 8, 30)));
  EXPECT_FALSE(ti.Contains(Utc(2024, 1, 15, 7, 30)));
  EXPECT_TRUE(ti.Contains(Utc(2024, 7, 15, 7, 30)));
  EXPECT_FALSE(ti.Contains(Utc(2024, 7, 15, 8, 30)));
  // The weekday is the local one: Monday 00:30 in Auckland is Sunday in UTC.
  const TimeInterval monday = Parse("weekdays: [monday]\nlocation: Pacific/Auckland");
  EXPECT_TRUE(monday.Contains(Utc(2024, 1, 14, 12, 30)));  // Sunday 12:30 UTC = Monday 01:30 NZDT
  EXPECT_FALSE(monday.Contains(Utc(2024, 1, 14, 10, 30)));  // = Sunday 23:30 NZDT
  EXPECT_TRUE(Parse("times: [{start_time: '00:00', end_time: '01:00'}]\nlocation: UTC").Contains(Utc(2024, 1, 1, 0, 5)));
}

constexpr const char* kMutedConfig = R"(
time_intervals:
  - name: weekends
    time_intervals: [{weekdays: ['saturday', 'sunday']}]
mute_time_intervals:
  - name: office
    time_intervals: [{times: [{start_time: '09:00', end_time: '17:00'}], weekdays: ['monday:friday']}]
route:
  receiver: default
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1m
  routes:
    - matchers: ['team="quiet"']
      receiver: default
      mute_time_intervals: [weekends]
      routes:
        - matchers: ['sub="x"']
    - matchers: ['team="office"']
      receiver: default
      active_time_intervals: [office]
receivers:
  - name: default
    webhook_configs: [{url: "http://127.0.0.1:1/hook"}]
)";

struct MuteRig {
  FakeClock clock;
  std::vector<OutgoingNotification> out;
  std::unique_ptr<Router> router;
  explicit MuteRig(Timestamp start) : clock(start) {
    auto rc = ParseRouterConfig(kMutedConfig);
    EXPECT_TRUE(rc.ok()) << rc.status().ToString();
    Router::Options o;
    o.clock = &clock;
    o.capture = [this](const OutgoingNotification& n) { out.push_back(n); };
    router = std::make_unique<Router>(std::move(rc).value(), std::move(o));
  }
  void Fire(Labels l) {
    NotifyAlert a;
    a.labels = std::move(l);
    a.starts_at = clock.Now();
    a.ends_at = clock.Now() + 3'600'000;
    router->Notify({a});
  }
};

TEST(TimeIntervalRouteTest, MuteIntervalHoldsNotificationsUntilItEnds) {
  MuteRig rig(Utc(2024, 1, 13, 12, 0));  // Saturday
  rig.Fire(Labels({{"alertname", "A"}, {"team", "quiet"}}));
  rig.router->Tick();
  EXPECT_TRUE(rig.out.empty());
  rig.clock.Set(Utc(2024, 1, 15, 0, 0));  // Monday: the next flush notifies
  rig.Fire(Labels({{"alertname", "A"}, {"team", "quiet"}}));  // the rule keeps it firing
  rig.router->Tick();
  ASSERT_EQ(rig.out.size(), 1u);
}

TEST(TimeIntervalRouteTest, ChildRoutesDoNotInheritMuteIntervals) {
  MuteRig rig(Utc(2024, 1, 13, 12, 0));  // Saturday
  rig.Fire(Labels({{"alertname", "B"}, {"team", "quiet"}, {"sub", "x"}}));
  rig.router->Tick();
  EXPECT_EQ(rig.out.size(), 1u);
}

TEST(TimeIntervalRouteTest, ActiveIntervalSendsOnlyInside) {
  MuteRig rig(Utc(2024, 1, 15, 18, 0));  // Monday evening, outside office hours
  rig.Fire(Labels({{"alertname", "C"}, {"team", "office"}}));
  rig.router->Tick();
  EXPECT_TRUE(rig.out.empty());
  rig.clock.Set(Utc(2024, 1, 16, 9, 30));
  rig.Fire(Labels({{"alertname", "C"}, {"team", "office"}}));
  rig.router->Tick();
  EXPECT_EQ(rig.out.size(), 1u);
}

TEST(TimeIntervalRouteTest, ConfigErrors) {
  auto err = [](const std::string& yaml) {
    auto rc = ParseRouterConfig(yaml);
    return rc.ok() ? std::string() : rc.status().message();
  };
  const std::string recv = "receivers: [{name: r, webhook_configs: [{url: 'http://127.0.0.1:1/'}]}]\n";
  EXPECT_NE(err("route: {receiver: r, mute_time_intervals: [x]}\ntime_intervals: [{name: x, time_intervals: []}]\n" + recv)
                .find("root route must not have any mute time intervals"),
            std::string::npos);
  EXPECT_NE(err("route: {receiver: r, routes: [{active_time_intervals: [nope]}]}\n" + recv)
                .find("undefined time interval \"nope\" used in route"),
            std::string::npos);
  EXPECT_NE(err("route: {receiver: r}\ntime_intervals: [{name: x}, {name: x}]\n" + recv).find("time interval \"x\" is not unique"),
            std::string::npos);
  EXPECT_NE(err("route: {receiver: r}\nmute_time_intervals: [{name: x}]\ntime_intervals: [{name: x}]\n" + recv)
                .find("is not unique"),
            std::string::npos);
  EXPECT_NE(err("route: {receiver: r}\ntime_intervals: [{name: x, time_intervals: [{weekdays: [noday]}]}]\n" + recv)
                .find("noday is not a valid weekday"),
            std::string::npos);
}

}  // namespace
}  // namespace tidemark::alerting
