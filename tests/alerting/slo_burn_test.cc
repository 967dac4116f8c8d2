// The SRE workbook's multi-window multi-burn-rate alerts as Sloth generates them, run for real:
// synthetic counters in an in-memory store, the generated rules evaluated by RuleManager over a
// query::Engine on fake time. Each case checks which alerts fire, and when, against window
// arithmetic (a continuous model of each window's error ratio).
//
// Choices that keep the table fast (< 60 s at -O2): counters get one sample per minute; the
// three days of history before the errors start (so every window up to 3d is full) are written
// without evaluating anything, since the SLI recordings read raw counters and need no prior
// evaluations; rules are evaluated every minute for cases that run hours and every 5 minutes
// for cases that run days (the alert windows are all >= 5m, so the expressions allow it).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>

#include "support/status_matchers.h"
#include "tidemark/alerting/manager.h"
#include "tidemark/alerting/slo_status.h"
#include "tidemark/storage/storage.h"

namespace tidemark::alerting {
namespace {

constexpr int64_t kMin = 60'000;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;
constexpr Timestamp kStart = 1'800'000'000'000;  // data starts here
constexpr double kRequestsPerSecond = 10;
constexpr int64_t kStep = kMin;  // counter sample spacing

std::string WriteSloFile(double objective) {
  static std::atomic<int> n{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("tm-slo-burn-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  std::filesystem::create_directories(dir);
  auto path = dir / "slos.yml";
  std::ofstream(path) << "version: prometheus/v1\nservice: checkout\nslos:\n"
                         "  - name: requests\n    objective: "
                      << objective
                      << "\n    sli:\n      events:\n"
                         "        error_query: sum(rate(http_requests_total{code=\"500\"}[{{.window}}]))\n"
                         "        total_query: sum(rate(http_requests_total[{{.window}}]))\n"
                         "    alerting:\n      name: CheckoutBudgetBurn\n";
  return path.string();
}

// Error ratio `ratio` during [from, to) (relative to the onset).
struct Segment {
  int64_t from, to;
  double ratio;
};

// A piecewise-constant error ratio over time; zero where no segment applies.
struct Traffic {
  double before = 0;  // during the 3 days of history before the onset
  std::vector<Segment> after;

  double RatioAt(int64_t rel) const {  // rel = ms since the onset
    if (rel < 0) return before;
    for (const auto& s : after) {
      if (rel >= s.from && rel < s.to) return s.ratio;
    }
    return 0;
  }
  // Mean error ratio over (rel - window, rel], clipped to the data's start (model, 10 s grid).
  double WindowRatio(int64_t rel, int64_t window, int64_t data_start) const {
    const int64_t from = std::max(rel - window, data_start);
    double sum = 0;
    int n = 0;
    for (int64_t t = rel; t > from; t -= 10'000, ++n) sum += RatioAt(t - 5'000);
    return n ? sum / n : 0;
  }
};

struct Windows {  // the model's alert conditions, as Sloth's expressions state them
  static bool Pair(const Traffic& tr, int64_t rel, int64_t ds, int64_t s, int64_t l, double f,
                   double budget) {
    return tr.WindowRatio(rel, s, ds) > f * budget && tr.WindowRatio(rel, l, ds) > f * budget;
  }
  static bool PageQuick(const Traffic& tr, int64_t rel, int64_t ds, double b) {
    return Pair(tr, rel, ds, 5 * kMin, kHour, 14.4, b);
  }
  static bool Page(const Traffic& tr, int64_t rel, int64_t ds, double b) {
    return PageQuick(tr, rel, ds, b) || Pair(tr, rel, ds, 30 * kMin, 6 * kHour, 6, b);
  }
  static bool Ticket(const Traffic& tr, int64_t rel, int64_t ds, double b) {
    return Pair(tr, rel, ds, 2 * kHour, kDay, 3, b) || Pair(tr, rel, ds, 6 * kHour, 3 * kDay, 1, b);
  }
};

// What the workbook says should happen to one alert during the run.
struct Expect {
  bool fires = false;
  // Upper bound on the time from the onset to firing, from the workbook's arithmetic
  // (window x burn threshold x budget / error ratio); 0 = not checked.
  int64_t by = 0;
  bool resolves = false;  // fires, then goes inactive before the run ends
  bool long_window_high_at_clear = false;  // ...while the 1h window still burns above 14.4x
};

struct BurnCase {
  const char* name;
  double objective;
  Traffic traffic;
  int64_t run;          // how long rules are evaluated after the onset
  int64_t eval;         // group evaluation interval
  Expect page, ticket;
  bool page_not_quick = false;  // at firing, the 1h window is still below 14.4x (slow pair fired)
  int64_t history = 3 * kDay;   // data before the onset
};

// Workbook detection time: when the long window's ratio reaches factor x budget.
int64_t Detect(int64_t long_window, double factor, double budget, double ratio) {
  return static_cast<int64_t>(static_cast<double>(long_window) * factor * budget / ratio);
}

std::vector<BurnCase> Cases() {
  constexpr double b = 0.001;  // 99.9 %
  return {
      {"outage_100pct_pages_within_a_minute", 99.9, {0, {{0, kHour, 1.0}}}, 20 * kMin, kMin,
       {true, Detect(kHour, 14.4, b, 1.0) + 2 * kMin}, {true}},
      {"burn15_pages_after_57m_via_1h_5m", 99.9, {0, {{0, 10 * kHour, 0.015}}}, 2 * kHour, kMin,
       {true, Detect(kHour, 14.4, b, 0.015) + 3 * kMin}, {false}},
      {"burn20_on_99pct_pages_after_43m", 99.0, {0, {{0, 10 * kHour, 0.2}}}, 2 * kHour, kMin,
       {true, Detect(kHour, 14.4, 0.01, 0.2) + 3 * kMin}, {false}},
      {"burn14_below_quick_threshold_pages_via_6h_30m", 99.9, {0, {{0, 10 * kHour, 0.014}}},
       4 * kHour, kMin, {true, Detect(6 * kHour, 6, b, 0.014) + 5 * kMin}, {false}, true},
      {"burn7_pages_via_6h_30m_not_1h_5m", 99.9, {0, {{0, 10 * kHour, 0.007}}}, 6 * kHour, kMin,
       {true, Detect(6 * kHour, 6, b, 0.007) + 5 * kMin}, {false}, true},
      {"burn4_tickets_after_18h_never_pages", 99.9, {0, {{0, 3 * kDay, 0.004}}}, 20 * kHour,
       5 * kMin, {false}, {true, Detect(kDay, 3, b, 0.004) + 15 * kMin}},
      {"burn1.5_tickets_via_3d_6h_after_2d", 99.9, {0, {{0, 4 * kDay, 0.0015}}}, 50 * kHour,
       5 * kMin, {false}, {true, Detect(3 * kDay, 1, b, 0.0015) + 20 * kMin}},
      {"burn0.5_never_alerts", 99.9, {0.0005, {{0, 4 * kDay, 0.0005}}}, 3 * kDay + kHour,
       5 * kMin, {false}, {false}},
      {"spike_5m_hot_1h_not_no_page", 99.9, {0, {{10 * kMin, 15 * kMin, 0.1}}}, 2 * kHour, kMin,
       {false}, {false}},
      // Averages burn 20, so it must page by the 1h window's detection time for burn 20, and
      // clears when a burst ends (the 5m window drops), to fire again on the next burst.
      {"intermittent_4pct_half_the_time_pages_and_flaps", 99.9,
       {0, {{0, 10 * kMin, 0.04}, {20 * kMin, 30 * kMin, 0.04}, {40 * kMin, 50 * kMin, 0.04},
            {60 * kMin, 70 * kMin, 0.04}}},
       80 * kMin, kMin, {true, Detect(kHour, 14.4, b, 0.02) + 3 * kMin, true}, {false}},
      {"recovery_page_clears_when_5m_drops_though_1h_high", 99.9, {0, {{0, kHour, 0.02}}},
       2 * kHour, kMin, {true, Detect(kHour, 14.4, b, 0.02) + 3 * kMin, true, true}, {false}},
      {"slow_burn_page_clears_after_errors_stop", 99.9, {0, {{0, 6 * kHour, 0.007}}}, 7 * kHour,
       kMin, {true, Detect(6 * kHour, 6, b, 0.007) + 5 * kMin, true}, {false}, true},
      {"young_data_burn1.5_tickets_at_once", 99.9, {0.0015, {{0, kDay, 0.0015}}}, 2 * kHour,
       kMin, {false}, {true, 5 * kMin}, false, 0},
  };
}

void PrintTo(const BurnCase& c, std::ostream* os) { *os << c.name; }

class SloBurnTest : public ::testing::TestWithParam<BurnCase> {};

struct Observed {
  Timestamp fired = 0;     // first firing (the alert's fired_at)
  Timestamp resolved = 0;  // first evaluation without it after firing
};

TEST_P(SloBurnTest, AlertsFollowTheWindowArithmetic) {
  const BurnCase& c = GetParam();
  const double budget = 1 - c.objective / 100;
  const Timestamp onset = kStart + c.history;
  const Timestamp eval_from = onset - 10 * kMin;
  const Timestamp end = onset + c.run;

  FakeClock clock(eval_from);
  auto store = NewMemStorage();
  query::Engine engine(*store, query::EngineOptions{});
  RuleManager::Options o;
  o.slo_files = {WriteSloFile(c.objective)};
  o.evaluation_interval_ms = c.eval;
  RuleManager m(EngineQueryFn(engine), *store, clock, o);

  const Labels ok_series({{"__name__", "http_requests_total"}, {"code", "200"}});
  const Labels err_series({{"__name__", "http_requests_total"}, {"code", "500"}});
  // Non-zero starting values keep rate()'s extrapolation identical for both counters.
  double ok_count = 1e6, err_count = 1e4;
  auto write = [&](Timestamp t) {
    const double reqs = kRequestsPerSecond * static_cast<double>(kStep) / 1000;
    const double ratio = c.traffic.RatioAt(t - kStep / 2 - onset);  // mid-step
    err_count += reqs * ratio;
    ok_count += reqs * (1 - ratio);
    auto app = store->NewAppender();
    ASSERT_OK(app->Append(0, ok_series, SampleIn{0, t, ok_count}).status());
    ASSERT_OK(app->Append(0, err_series, SampleIn{0, t, err_count}).status());
    ASSERT_OK(app->Commit());
  };
  Timestamp t = kStart;
  for (; t < eval_from; t += kStep) write(t);
  ASSERT_OK(m.Reload());

  auto state = [&](std::string_view severity) -> std::optional<AlertSnapshot> {
    for (const auto& a : m.ActiveAlerts()) {
      if (a.labels.Get("sloth_severity") == severity) return a;
    }
    return std::nullopt;
  };
  Observed page, ticket;
  std::optional<double> ratio_1h_at_page;
  for (; t <= end; t += kStep) {
    write(t);
    clock.Set(t);
    m.RunDue();
    for (auto [sev, obs] : {std::pair{"page", &page}, std::pair{"ticket", &ticket}}) {
      auto a = state(sev);
      const bool firing = a && a->state == AlertState::kFiring;
      if (firing && obs->fired == 0) {
        obs->fired = a->fired_at;
        if (obs == &page) {
          auto r = engine.InstantQuery("slo:sli_error:ratio_rate1h", a->fired_at);
          if (r.ok() && !r->vector.empty()) ratio_1h_at_page = r->vector[0].v;
        }
      }
      if (!firing && obs->fired != 0 && obs->resolved == 0) obs->resolved = t;
    }
  }

  // The model's verdicts on the same traffic, on a 1-minute grid.
  const int64_t data_start = -c.history;
  std::optional<int64_t> model_page, model_ticket, model_page_clear;
  for (int64_t rel = eval_from - onset; rel <= c.run; rel += kMin) {
    const bool p = Windows::Page(c.traffic, rel, data_start, budget);
    if (p && !model_page) model_page = rel;
    if (!p && model_page && !model_page_clear) model_page_clear = rel;
    if (!model_ticket && Windows::Ticket(c.traffic, rel, data_start, budget)) model_ticket = rel;
  }
  // The case's expectations must agree with the window arithmetic, then the system with both.
  ASSERT_EQ(model_page.has_value(), c.page.fires) << "case premise (page)";
  ASSERT_EQ(model_ticket.has_value(), c.ticket.fires) << "case premise (ticket)";
  const int64_t tol = 2 * kStep + 2 * c.eval;  // sample spacing + group phases

  auto check = [&](const char* what, const Expect& e, const Observed& obs,
                   const std::optional<int64_t>& model) {
    SCOPED_TRACE(what);
    if (!e.fires) {
      EXPECT_EQ(obs.fired, 0) << "fired " << (obs.fired - onset) / kMin << " min after onset";
      return;
    }
    ASSERT_NE(obs.fired, 0) << "never fired";
    const int64_t after = obs.fired - onset;
    EXPECT_NEAR(static_cast<double>(after), static_cast<double>(*model), static_cast<double>(tol))
        << "fired " << after / kMin << " min after onset, model says " << *model / kMin;
    if (e.by) {
      EXPECT_LE(after, e.by) << "later than the workbook's detection time";
    }
  };
  check("page", c.page, page, model_page);
  check("ticket", c.ticket, ticket, model_ticket);

  if (c.page.fires && c.page.resolves) {
    ASSERT_TRUE(model_page_clear.has_value());
    ASSERT_NE(page.resolved, 0) << "page never cleared";
    EXPECT_NEAR(static_cast<double>(page.resolved - onset), static_cast<double>(*model_page_clear),
                static_cast<double>(tol));
    if (c.page.long_window_high_at_clear) {  // the short window alone decided
      auto r = engine.InstantQuery("slo:sli_error:ratio_rate1h", page.resolved - c.eval);
      ASSERT_OK(r.status());
      ASSERT_FALSE(r->vector.empty());
      EXPECT_GT(r->vector[0].v, 14.4 * budget);
    }
  } else if (c.page.fires) {
    EXPECT_EQ(page.resolved, 0) << "page cleared " << (page.resolved - onset) / kMin << " min";
  }
  if (c.page_not_quick) {
    ASSERT_TRUE(ratio_1h_at_page.has_value());
    EXPECT_LE(*ratio_1h_at_page, 14.4 * budget) << "the 1h/5m pair should not be what fired";
  }
}

INSTANTIATE_TEST_SUITE_P(Workbook, SloBurnTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<BurnCase>& i) {
                           std::string n = i.param.name;
                           std::replace(n.begin(), n.end(), '.', '_');
                           return n;
                         });

}  // namespace
}  // namespace tidemark::alerting
