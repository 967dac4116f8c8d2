// Alert lifecycle, recording rules, ALERTS series, restore and notification timing on fake time.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>

#include "support/status_matchers.h"
#include "tidemark/alerting/manager.h"
#include "tidemark/storage/storage.h"

namespace tidemark::alerting {
namespace {

constexpr Timestamp kStart = 1'700'000'000'000;  // a round-ish epoch ms

std::string WriteRules(const std::string& body) {
  static std::atomic<int> n{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("tm-alerting-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  std::filesystem::create_directories(dir);
  auto path = dir / "rules.yml";
  std::ofstream(path) << body;
  return path.string();
}

// A scripted query function: each expression maps to a function of time.
class FakeQueries {
 public:
  using Fn = std::function<query::Vector(Timestamp)>;
  void Set(const std::string& expr, Fn fn) { fns_[expr] = std::move(fn); }
  QueryFn AsQueryFn() {
    return [this](std::string_view expr, Timestamp t) -> Result<query::QueryValue> {
      auto it = fns_.find(std::string(expr));
      if (it == fns_.end()) return Status::InvalidArgument("unknown expr " + std::string(expr));
      query::QueryValue v;
      v.kind = query::ValueKind::kVector;
      v.vector = it->second(t);
      return v;
    };
  }

 private:
  std::map<std::string, Fn> fns_;
};

class Capture : public Notifier {
 public:
  explicit Capture(Clock& c) : clock_(c) {}
  void Notify(const std::vector<NotifyAlert>& alerts) override {
    for (const auto& a : alerts) sent.push_back({clock_.Now(), a});
  }
  std::vector<std::pair<Timestamp, NotifyAlert>> sent;

 private:
  Clock& clock_;
};

AlertState StateOf(const RuleManager& m, const std::string& alertname) {
  for (const auto& a : m.ActiveAlerts()) {
    if (a.labels.Get("alertname") == alertname) return a.state;
  }
  return AlertState::kInactive;
}

// Samples of a series selected by metric name and alertstate (empty = any).
std::vector<Sample> SeriesSamples(Storage& s, const std::string& name, const std::string& state) {
  auto q = s.NewQuerier(kMinTimestamp, kMaxTimestamp);
  Matchers ms{*Matcher::Make(MatchType::kEqual, "__name__", name)};
  if (!state.empty()) ms.push_back(*Matcher::Make(MatchType::kEqual, "alertstate", state));
  auto set = (*q)->Select(true, nullptr, ms);
  auto data = MaterializeSeriesSet(**set);
  std::vector<Sample> out;
  if (!data.ok()) return out;
  for (const auto& sd : data.value()) out.insert(out.end(), sd.samples.begin(), sd.samples.end());
  return out;
}

TEST(LifecycleTest, PendingFiringResolvedWithinGuarantee) {
  FakeClock clock(kStart);
  auto store = NewMemStorage();
  FakeQueries fq;
  Timestamp true_from = kStart + 95'000, true_until = kStart + 600'000;
  fq.Set("cond", [&](Timestamp t) {
    query::Vector v;
    if (t >= true_from && t < true_until) v.push_back({Labels({{"instance", "a"}}), t, 42});
    return v;
  });
  Capture cap(clock);
  RuleManager::Options o;
  o.rule_files = {WriteRules("groups:\n- name: g\n  interval: 30s\n  rules:\n"
                             "  - alert: Down\n    expr: cond\n    for: 1m\n"
                             "    labels: {severity: page}\n"
                             "    annotations: {summary: '{{ $labels.instance }} is {{ $value }}'}\n")};
  o.extra_notifiers = {&cap};
  o.external_url = "http://tm";
  RuleManager m(fq.AsQueryFn(), *store, clock, o);
  ASSERT_OK(m.Reload());

  Timestamp pending_at = 0, firing_at = 0;
  for (Timestamp t = kStart; t <= kStart + 1'800'000; t += 1000) {
    clock.Set(t);
    m.RunDue();
    AlertState s = StateOf(m, "Down");
    if (s == AlertState::kPending && pending_at == 0) pending_at = t;
    if (s == AlertState::kFiring && firing_at == 0) firing_at = t;
  }
  ASSERT_NE(pending_at, 0);
  ASSERT_NE(firing_at, 0);
  EXPECT_LE(pending_at, true_from + 30'000);
  EXPECT_LE(firing_at, true_from + 30'000 + 60'000);  // t + interval + for
  EXPECT_GT(firing_at, true_from + 60'000 - 1);

  // Notifications: first at firing, resent every resend delay (1m), then resolved.
  ASSERT_FALSE(cap.sent.empty());
  EXPECT_EQ(cap.sent[0].first, firing_at);
  const NotifyAlert& first = cap.sent[0].second;
  EXPECT_EQ(first.labels.Get("alertname"), "Down");
  EXPECT_EQ(first.labels.Get("severity"), "page");
  EXPECT_EQ(first.annotations.Get("summary"), "a is 42");
  EXPECT_FALSE(first.resolved);
  EXPECT_EQ(first.ends_at - first.starts_at, 4 * 60'000);  // now + 4 x max(interval, resend)
  EXPECT_LE(first.starts_at, firing_at);
  EXPECT_GT(first.starts_at, firing_at - 1000);
  EXPECT_EQ(first.generator_url, "http://tm/graph?g0.expr=cond&g0.tab=1");
  int resolved = 0, firing = 0;
  for (const auto& [t, a] : cap.sent) (a.resolved ? resolved : firing)++;
  EXPECT_GE(firing, 5);   // ~8 minutes of firing with a 1m resend delay
  EXPECT_GE(resolved, 1);
  auto it = std::find_if(cap.sent.begin(), cap.sent.end(), [](auto& p) { return p.second.resolved; });
  EXPECT_LE(it->second.ends_at, true_until + 30'000);
  EXPECT_EQ(StateOf(m, "Down"), AlertState::kInactive);

  // ALERTS series: pending and firing samples, each ended by a stale marker.
  auto pending = SeriesSamples(*store, "ALERTS", "pending");
  auto firing_s = SeriesSamples(*store, "ALERTS", "firing");
  ASSERT_FALSE(pending.empty());
  ASSERT_FALSE(firing_s.empty());
  EXPECT_TRUE(IsStaleNaN(pending.back().v));
  EXPECT_TRUE(IsStaleNaN(firing_s.back().v));
  EXPECT_EQ(firing_s.front().v, 1.0);
  auto for_state = SeriesSamples(*store, "ALERTS_FOR_STATE", "");
  ASSERT_FALSE(for_state.empty());
  EXPECT_NEAR(for_state.front().v, static_cast<double>(pending_at / 1000), 1.0);
}

// alerting.alert_relabel_configs: run after external labels are added, and an alert the rules
// drop is never notified.
TEST(LifecycleTest, AlertRelabelConfigsRewriteAndDropAlerts) {
  FakeClock clock(kStart);
  auto store = NewMemStorage();
  FakeQueries fq;
  fq.Set("up_cond", [](Timestamp t) { return query::Vector{{Labels({{"instance", "a:9100"}}), t, 1}}; });
  Capture cap(clock);
  RuleManager::Options o;
  o.rule_files = {WriteRules("groups:\n- name: g\n  rules:\n"
                             "  - alert: Keep\n    expr: up_cond\n    labels: {severity: page}\n"
                             "  - alert: Noise\n    expr: up_cond\n    labels: {severity: debug}\n")};
  o.extra_notifiers = {&cap};
  o.external_labels = Labels({{"replica", "r1"}, {"severity", "none"}});
  relabel::Config host;  // instance "a:9100" -> host "a"
  host.source_labels = {"instance"};
  host.regex = "(.*):\\d+";
  host.target_label = "host";
  relabel::Config drop_debug;
  drop_debug.action = relabel::Action::kDrop;
  drop_debug.source_labels = {"severity"};
  drop_debug.regex = "debug";
  relabel::Config drop_replica;
  drop_replica.action = relabel::Action::kLabelDrop;
  drop_replica.regex = "replica";
  auto rl = relabel::Relabeler::Compile({host, drop_debug, drop_replica});
  ASSERT_OK(rl.status());
  o.alert_relabel = *rl;
  RuleManager m(fq.AsQueryFn(), *store, clock, o);
  ASSERT_OK(m.Reload());
  for (Timestamp t = kStart; t <= kStart + 120'000 && cap.sent.empty(); t += 1000) {
    clock.Set(t);
    m.RunDue();
  }
  ASSERT_EQ(cap.sent.size(), 1u);  // both fired in that evaluation; Noise was dropped
  EXPECT_EQ(cap.sent[0].second.labels,
            Labels({{"alertname", "Keep"}, {"host", "a"}, {"instance", "a:9100"}, {"severity", "page"}}));
  EXPECT_EQ(StateOf(m, "Noise"), AlertState::kFiring);  // dropped from notifications only
}

TEST(LifecycleTest, KeepFiringForHoldsAlert) {
  FakeClock clock(kStart);
  auto store = NewMemStorage();
  FakeQueries fq;
  bool on = true;
  fq.Set("cond", [&](Timestamp t) {
    query::Vector v;
    if (on) v.push_back({Labels(), t, 1});
    return v;
  });
  RuleManager::Options o;
  o.rule_files = {WriteRules("groups:\n- name: g\n  interval: 10s\n  rules:\n"
                             "  - alert: Flappy\n    expr: cond\n    keep_firing_for: 1m\n")};
  RuleManager m(fq.AsQueryFn(), *store, clock, o);
  ASSERT_OK(m.Reload());
  for (int i = 0; i < 3; ++i) {
    clock.Advance(10'000);
    m.RunDue();
  }
  ASSERT_EQ(StateOf(m, "Flappy"), AlertState::kFiring);  // for: 0 fires on first evaluation
  on = false;
  Timestamp off_at = clock.Now();
  Timestamp resolved_at = 0;
  for (int i = 0; i < 20 && resolved_at == 0; ++i) {
    clock.Advance(10'000);
    m.RunDue();
    auto alerts = m.ActiveAlerts();
    if (!alerts.empty()) {
      EXPECT_NE(alerts[0].keep_firing_since, 0);
    }
    if (StateOf(m, "Flappy") == AlertState::kInactive) resolved_at = clock.Now();
  }
  ASSERT_NE(resolved_at, 0);
  EXPECT_GE(resolved_at - off_at, 60'000);
  EXPECT_LE(resolved_at - off_at, 60'000 + 20'000);
}

TEST(LifecycleTest, RecordingRulesVisibleToLaterRulesAndErrorsDoNotStopGroup) {
  FakeClock clock(kStart);
  auto store = NewMemStorage();
  FakeQueries fq;
  fq.Set("src", [](Timestamp t) {
    return query::Vector{{Labels({{"__name__", "src"}, {"job", "a"}}), t, 3},
                          {Labels({{"__name__", "src"}, {"job", "b"}}), t, 4}};
  });
  // The later rule reads what the earlier one wrote, at the same timestamp.
  Storage* sp = store.get();
  fq.Set("job:src:x", [sp](Timestamp t) {
    query::Vector v;
    auto q = sp->NewQuerier(t, t);
    Matchers ms{*Matcher::Make(MatchType::kEqual, "__name__", "job:src:x")};
    auto set = (*q)->Select(true, nullptr, ms);
    auto data = MaterializeSeriesSet(**set);
    if (!data.ok()) return v;
    for (const auto& sd : data.value()) {
      if (!sd.samples.empty() && sd.samples.back().t == t) v.push_back({sd.labels, t, sd.samples.back().v});
    }
    return v;
  });
  RuleManager::Options o;
  o.rule_files = {WriteRules("groups:\n- name: g\n  interval: 1m\n  rules:\n"
                             "  - record: job:src:x\n    expr: src\n    labels: {kind: rec}\n"
                             "  - alert: Broken\n    expr: does_not_exist\n"
                             "  - alert: SeesRecorded\n    expr: job:src:x\n")};
  RuleManager m(fq.AsQueryFn(), *store, clock, o);
  ASSERT_OK(m.Reload());
  clock.Advance(60'000);
  m.RunDue();
  auto groups = m.Groups();
  ASSERT_EQ(groups.size(), 1u);
  ASSERT_EQ(groups[0].rules.size(), 3u);
  EXPECT_EQ(groups[0].rules[0].health, RuleHealth::kOk);
  EXPECT_EQ(groups[0].rules[1].health, RuleHealth::kErr);
  EXPECT_EQ(groups[0].rules[1].last_error, "unknown expr does_not_exist");
  EXPECT_EQ(groups[0].rules[2].health, RuleHealth::kOk);
  EXPECT_EQ(groups[0].rules[2].alerts.size(), 2u);
  EXPECT_EQ(groups[0].rules[2].alerts[0].labels.Get("kind"), "rec");
  EXPECT_EQ(groups[0].interval_ms, 60'000);
  EXPECT_NE(groups[0].last_evaluation, 0);
  EXPECT_EQ(m.Metrics().rule_evaluation_failures_total, 1u);
}

TEST(LifecycleTest, LimitExceededIsAnError) {
  FakeClock clock(kStart);
  auto store = NewMemStorage();
  FakeQueries fq;
  fq.Set("many", [](Timestamp t) {
    query::Vector v;
    for (int i = 0; i < 3; ++i) v.push_back({Labels({{"i", std::to_string(i)}}), t, 1});
    return v;
  });
  RuleManager::Options o;
  o.rule_files = {WriteRules("groups:\n- name: g\n  interval: 1m\n  limit: 2\n  rules:\n"
                             "  - alert: Many\n    expr: many\n")};
  RuleManager m(fq.AsQueryFn(), *store, clock, o);
  ASSERT_OK(m.Reload());
  clock.Advance(60'000);
  m.RunDue();
  auto g = m.Groups();
  EXPECT_EQ(g[0].rules[0].health, RuleHealth::kErr);
  EXPECT_EQ(g[0].rules[0].last_error, "exceeded limit of 2 with 3 alerts");
  EXPECT_TRUE(m.ActiveAlerts().empty());
}

TEST(LifecycleTest, InvalidReloadKeepsOldRules) {
  FakeClock clock(kStart);
  auto store = NewMemStorage();
  FakeQueries fq;
  RuleManager::Options o;
  std::string path = WriteRules("groups:\n- name: g\n  rules:\n  - record: a\n    expr: up\n");
  o.rule_files = {path};
  RuleManager m(fq.AsQueryFn(), *store, clock, o);
  ASSERT_OK(m.Reload());
  std::ofstream(path) << "groups:\n- name: g\n  rules:\n  - record: 'bad name'\n    expr: up\n";
  Status s = m.Reload();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("invalid recording rule name"), std::string::npos);
  ASSERT_EQ(m.Groups().size(), 1u);
  EXPECT_EQ(m.Groups()[0].rules[0].name, "a");
  EXPECT_FALSE(m.Metrics().last_reload_successful);
}

// Restart in the middle of a long `for`: progress is restored from ALERTS_FOR_STATE.
TEST(LifecycleTest, RestoreForStateAfterRestart) {
  FakeClock clock(kStart);
  auto store = NewMemStorage(/*out_of_order_window_ms=*/3'600'000);
  FakeQueries fq;
  fq.Set("cond", [](Timestamp t) { return query::Vector{{Labels({{"x", "1"}}), t, 1}}; });
  const std::string rules = WriteRules(
      "groups:\n- name: g\n  interval: 1m\n  rules:\n  - alert: Long\n    expr: cond\n    for: 30m\n"
      "  - alert: Short\n    expr: cond\n    for: 2m\n");
  RuleManager::Options o;
  o.rule_files = {rules};
  o.restore_source = store.get();
  Timestamp active_at = 0;
  {
    RuleManager m(fq.AsQueryFn(), *store, clock, o);
    ASSERT_OK(m.Reload());
    for (int i = 0; i < 12; ++i) {  // 12 minutes of pending for Long
      clock.Advance(60'000);
      m.RunDue();
    }
    for (const auto& a : m.ActiveAlerts()) {
      if (a.labels.Get("alertname") == "Long") active_at = a.active_at;
    }
    ASSERT_EQ(StateOf(m, "Long"), AlertState::kPending);
    ASSERT_EQ(StateOf(m, "Short"), AlertState::kFiring);
  }
  ASSERT_NE(active_at, 0);
  const Timestamp down_at = clock.Now();
  clock.Advance(5 * 60'000);  // 5 minutes of downtime
  RuleManager m2(fq.AsQueryFn(), *store, clock, o);
  ASSERT_OK(m2.Reload());
  Timestamp long_fired = 0, short_fired = 0;
  for (int i = 0; i < 40; ++i) {
    clock.Advance(60'000);
    m2.RunDue();
    if (!long_fired && StateOf(m2, "Long") == AlertState::kFiring) long_fired = clock.Now();
    if (!short_fired && StateOf(m2, "Short") == AlertState::kFiring) short_fired = clock.Now();
  }
  // Long had ~11 of 30 minutes; remaining 19m > grace 10m → shifted by the downtime.
  const Timestamp expected = active_at + 30 * 60'000 + 5 * 60'000;
  ASSERT_NE(long_fired, 0);
  EXPECT_GE(long_fired, expected - 60'000);
  // The shift counts from the last ALERTS_FOR_STATE sample to the restore evaluation, so up to
  // two more intervals than the pure downtime.
  EXPECT_LE(long_fired, expected + 3 * 60'000);
  // Short was firing: it fires again right after the restore, without waiting `for` again.
  ASSERT_NE(short_fired, 0);
  EXPECT_LE(short_fired, down_at + 5 * 60'000 + 2 * 60'000);
}

TEST(LifecycleTest, GroupsAreAlignedAndSpread) {
  FakeClock clock(kStart + 12'345);
  auto store = NewMemStorage();
  FakeQueries fq;
  std::vector<Timestamp> evals;
  fq.Set("x", [&](Timestamp t) {
    evals.push_back(t);
    return query::Vector{};
  });
  RuleManager::Options o;
  o.rule_files = {WriteRules("groups:\n- name: g\n  interval: 10s\n  rules:\n  - record: r\n    expr: x\n")};
  RuleManager m(fq.AsQueryFn(), *store, clock, o);
  ASSERT_OK(m.Reload());
  for (int i = 0; i < 100; ++i) {
    clock.Advance(1000);
    m.RunDue();
  }
  ASSERT_GE(evals.size(), 9u);
  for (size_t i = 1; i < evals.size(); ++i) EXPECT_EQ(evals[i] - evals[i - 1], 10'000);
  // The phase within the interval is stable (derived from name+file), not the start time.
  EXPECT_EQ(evals[0] % 10'000, evals.back() % 10'000);
}

}  // namespace
}  // namespace tidemark::alerting
