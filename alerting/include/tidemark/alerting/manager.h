// RuleManager: loads Prometheus-format rule files, evaluates groups on their own schedules,
// writes recording/ALERTS series back, and hands alerts to the notifiers. The public face of
// the alerting module (used by `tidemark serve` and the HTTP API).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/alerting/alertmanager_api.h"
#include "tidemark/alerting/notify.h"
#include "tidemark/query/engine.h"
#include "tidemark/query/query_gate.h"
#include "tidemark/storage/appender.h"
#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/metrics.h"
#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"
#include "tidemark/storage/querier.h"

namespace tidemark::alerting {

// Evaluates a PromQL expression at time t (Prometheus' QueryFunc). Scalars are accepted and
// turned into a one-sample vector without labels; strings and matrices are rule errors.
using QueryFn = std::function<Result<query::QueryValue>(std::string_view expr, Timestamp t)>;

// An injectable source of time so `for:` and notification timing are testable on fake time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;  // ms since the Unix epoch
};

// The wall clock.
class SystemClock : public Clock {
 public:
  Timestamp Now() const override;
};

// A test clock that moves only when told to. Thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(Timestamp start = 0) : now_(start) {}
  Timestamp Now() const override;
  void Set(Timestamp t);
  void Advance(int64_t ms);

 private:
  mutable std::atomic<Timestamp> now_;
};

struct SloStatus;  // slo_status.h

enum class RuleType : uint8_t { kAlerting, kRecording };
enum class AlertState : uint8_t { kInactive, kPending, kFiring };
enum class RuleHealth : uint8_t { kUnknown, kOk, kErr };

std::string_view RuleTypeName(RuleType t);      // "alerting" | "recording"
std::string_view AlertStateName(AlertState s);  // "inactive" | "pending" | "firing"
std::string_view RuleHealthName(RuleHealth h);  // "unknown" | "ok" | "err"

// One active (pending or firing) alert instance, for /api/v1/alerts and /api/v1/rules.
struct AlertSnapshot {
  Labels labels;       // rule labels + series labels, alertname included
  Labels annotations;  // expanded templates
  AlertState state = AlertState::kInactive;
  Timestamp active_at = 0;       // when the expression first returned this series
  Timestamp fired_at = 0;        // 0 until firing
  Timestamp resolved_at = 0;     // 0 while active
  Timestamp keep_firing_since = 0;  // 0 unless held by keep_firing_for
  double value = 0;              // the expression's value at the last evaluation
  // Active silences matching the alert (with external labels, as it is notified), sorted.
  std::vector<std::string> silenced_by;
};

struct RuleSnapshot {
  RuleType type = RuleType::kAlerting;
  std::string name;   // alert name or recorded metric name
  std::string query;  // the expr as written in the file
  int64_t for_ms = 0;              // alerting only ("duration" in the API)
  int64_t keep_firing_for_ms = 0;  // alerting only ("keepFiringFor")
  Labels labels;
  Labels annotations;  // alerting only (unexpanded templates)
  RuleHealth health = RuleHealth::kUnknown;
  std::string last_error;
  double evaluation_time_s = 0;   // duration of the last evaluation, seconds
  Timestamp last_evaluation = 0;  // 0 = never
  AlertState state = AlertState::kInactive;  // highest state among its alerts
  std::vector<AlertSnapshot> alerts;         // active alerts only
};

// Per-group counters for Prometheus' prometheus_rule_group_* series; they survive reloads that
// keep the group.
struct GroupCounters {
  uint64_t evaluations = 0;          // rule evaluations
  uint64_t failures = 0;             // rule evaluations (or their writes) that failed
  uint64_t iterations = 0;           // scheduled group evaluations, run or missed
  uint64_t iterations_missed = 0;
  uint64_t last_samples = 0;         // samples the rules returned in the last evaluation
};

struct GroupSnapshot {
  std::string name;
  std::string file;
  int64_t interval_ms = 0;
  int64_t limit = 0;          // 0 = no limit
  int64_t query_offset_ms = 0;
  double evaluation_time_s = 0;   // duration of the last evaluation of all rules, seconds
  Timestamp last_evaluation = 0;  // 0 = never
  std::vector<RuleSnapshot> rules;
  GroupCounters counters;
};

// Counters for /metrics (Prometheus' prometheus_rule_* / prometheus_notifications_* analogues).
struct ManagerMetrics {
  uint64_t rule_evaluations_total = 0;
  uint64_t rule_evaluation_failures_total = 0;
  uint64_t group_iterations_missed_total = 0;
  uint64_t notifications_sent_total = 0;     // alerts successfully delivered (all receivers)
  uint64_t notifications_failed_total = 0;   // deliveries given up after retries
  uint64_t notifications_dropped_total = 0;  // dropped because a queue was full
  uint64_t notifications_queue_length = 0;
  std::vector<IntegrationCounts> notifications_by_integration;
  uint64_t config_reload_failures_total = 0;
  bool last_reload_successful = true;
  Timestamp last_reload_success_time = 0;
  Summary::Snapshot rule_evaluation_duration;  // seconds per rule evaluation
  Summary::Snapshot group_duration;            // seconds per group evaluation
  uint64_t notifications_queue_capacity = 0;
  uint64_t alertmanagers = 0;  // configured Alertmanager endpoints
};

// What a notifier receives: one alert as Alertmanager's API v2 sees it.
struct NotifyAlert {
  Labels labels;
  Labels annotations;
  Timestamp starts_at = 0;
  Timestamp ends_at = 0;  // in the future while firing; the resolve time once resolved
  std::string generator_url;
  bool resolved = false;
};

// A test notification (`tidemark notify test`, POST /api/v1/notifications/test): one firing
// alert TestAlert, visibly marked as a test, through every integration of one receiver.
struct TestNotificationRequest {
  std::string receiver;
  // Added to (or replacing) the test alert's labels alertname="TestAlert", instance="tidemark"
  // and annotations summary, description.
  std::vector<std::pair<std::string, std::string>> labels, annotations;
};

// What one integration of the receiver answered to its single attempt (no retries).
struct TestNotificationAnswer {
  std::string integration;  // kind[index], e.g. "slack[0]"
  bool delivered = false;   // the receiver answered 2xx
  int status_code = 0;      // 0 = no answer (see error)
  std::string body;         // the first 256 bytes of the answer
  std::string error;        // the network/TLS error, or why the answer is not a delivery
};

// Parses `notifications_yaml` (Alertmanager's schema, files relative to `base_dir`) and sends a
// test notification through receiver `req.receiver`. Errors: the config's (kInvalidArgument),
// no such receiver (kNotFound). Integrations that fail are answers, not errors.
Result<std::vector<TestNotificationAnswer>> SendTestNotification(
    const std::string& notifications_yaml, const std::string& base_dir,
    const std::string& external_url, const TestNotificationRequest& req, Timestamp now);

// Receives batches of alerts to deliver. Implementations must not block the caller for long:
// they queue and deliver on their own threads.
class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual void Notify(const std::vector<NotifyAlert>& alerts) = 0;
};

// The read side of rule evaluation, as the HTTP API renders it (/api/v1/rules, /api/v1/alerts,
// /api/v1/slos; Prometheus' rulesRetriever/alertsRetriever). Implemented by RuleManager;
// abstract so API tests can serve fixed snapshots. Thread-safe.
class RulesReader {
 public:
  virtual ~RulesReader() = default;
  virtual std::vector<GroupSnapshot> Groups() const = 0;
  virtual std::vector<AlertSnapshot> ActiveAlerts() const = 0;  // pending and firing, all rules
  // Every loaded SLO's state now, read from its recorded series (instant queries).
  virtual std::vector<SloStatus> Slos() const = 0;
};

// How the manager's queries (rules, templates' `query`, SLO status) share the server's query
// slots. Prometheus' rule manager evaluates through the engine, whose --query.max-concurrency
// gate admits every query; a rule evaluation waits for a slot like an API query, but is never
// refused by --query.max-queue-length (Tidemark's bound on waiting API queries).
struct QueryAdmission {
  query::QueryGate* gate = nullptr;  // null: no limit. Not owned; must outlive the manager
  int64_t max_wait_ms = 0;           // the longest wait for a slot (--query.timeout); 0 = none
};

class RuleManager : public RulesReader, public AlertmanagerApi {
 public:
  struct Options {
    std::vector<std::string> rule_files;       // paths or glob patterns
    // Sloth prometheus/v1 SLO files (paths or globs); their generated rule groups load with the
    // rule files (group file = the SLO file).
    std::vector<std::string> slo_files;
    int64_t evaluation_interval_ms = 60'000;   // default group interval
    Labels external_labels;                    // added to notifications, $externalLabels
    std::string external_url;                  // base of generatorURL, "externalURL" in webhooks
    std::vector<AlertmanagerTarget> alertmanagers;  // POST <url>
    // alerting.alert_relabel_configs: run on every alert (external labels already added) before
    // it goes to any Alertmanager, the built-in notifications or extra_notifiers; an alert the
    // rules drop is not sent.
    relabel::Relabeler alert_relabel;
    std::string notification_config_yaml;      // Alertmanager-schema route/receivers; "" = none
    std::string config_dir;                    // base of relative *_file paths in the configs
    LogSink log;                               // delivery failures etc.; nullable
    std::string data_dir;                      // notification state file lives here; "" = none
    int64_t outage_tolerance_ms = 3'600'000;   // restore: max age of ALERTS_FOR_STATE (1h)
    int64_t for_grace_period_ms = 600'000;     // restore: minimum wait after restart (10m)
    int64_t resend_delay_ms = 60'000;          // resend firing alerts to Alertmanager every 1m
    int64_t resolved_retention_ms = 15 * 60'000;  // keep resolved alerts for notification
    // Where ALERTS_FOR_STATE is read on startup to restore `for` progress (nullable: no restore).
    Queryable* restore_source = nullptr;
    // Where histogram SLOs' `le` buckets are checked at load (nullable: not checked).
    Queryable* slo_bucket_source = nullptr;
    // Where silences are kept (storage's State()); nullable: then the silence API answers
    // Unavailable. Read at the first Reload only; must outlive the manager.
    StateStore* state_store = nullptr;
    int64_t silence_retention_ms = 120LL * 3'600'000;  // Alertmanager's --data.retention
    // Extra notifiers (tests, embedding); not owned, must outlive the manager.
    std::vector<Notifier*> extra_notifiers;
  };

  // Every call of `query` takes a slot of `admission.gate` for its duration (none: unlimited).
  RuleManager(QueryFn query, Appendable& appendable, Clock& clock, Options options,
              QueryAdmission admission = {});
  ~RuleManager() override;
  RuleManager(const RuleManager&) = delete;
  RuleManager& operator=(const RuleManager&) = delete;

  // (Re)loads the rule files (and notification config) from `options()`. If any file is
  // invalid, the old rules stay active and the error names file, line and reason.
  // Groups that keep their name+file keep their alert state across reloads.
  Status Reload();
  // Replaces the options (e.g. after a config file change), then reloads as above. On error the
  // old options and rules stay.
  Status Reload(Options options);

  // Starts evaluating on a background thread (and the notification senders). Idempotent.
  void Start();
  // Stops evaluation and flushes/persists notification state. Idempotent.
  void Stop();

  // Evaluates synchronously every group whose next evaluation time is <= clock.Now(), then
  // dispatches notifications due by then. For tests on fake time; not to be mixed with Start().
  void RunDue();

  std::vector<GroupSnapshot> Groups() const override;
  std::vector<AlertSnapshot> ActiveAlerts() const override;
  std::vector<SloStatus> Slos() const override;
  // AlertmanagerApi: the built-in router's alerts, groups, receivers, and the silences.
  Timestamp Now() const override;
  std::vector<ApiAlert> Alerts() const override;
  std::vector<ApiAlertGroup> AlertGroups(
      const std::function<bool(const std::string&)>& receiver_ok,
      const std::function<bool(const ApiAlert&)>& alert_ok) const override;
  std::vector<std::string> Receivers() const override;
  std::vector<Silence> ListSilences() const override;
  std::optional<Silence> GetSilence(const std::string& id) const override;
  Result<std::string> SetSilence(Silence s) override;
  Status ExpireSilence(const std::string& id) override;

  ManagerMetrics Metrics() const;
  // SendTestNotification with the loaded notification config (kNotFound without one).
  Result<std::vector<TestNotificationAnswer>> TestNotification(const TestNotificationRequest& req) const;
  // The metrics above in Prometheus text exposition format (for /metrics).
  std::string MetricsText() const;
  const Options& options() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// A QueryFn evaluating through a query::Engine (the engine must outlive the function).
inline QueryFn EngineQueryFn(query::Engine& engine) {
  return [&engine](std::string_view expr, Timestamp t) { return engine.InstantQuery(expr, t); };
}

}  // namespace tidemark::alerting
