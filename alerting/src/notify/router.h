// The built-in notification router: Alertmanager's configuration schema (route tree with
// mute/active time intervals, receivers, inhibit_rules, templates), grouping with
// group_wait/group_interval/repeat_interval, dedup via a persisted notification log, and
// pending notifications persisted until delivered.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "notify/http_sender.h"
#include "notify/integration.h"
#include "notify/time_interval.h"
#include "tidemark/alerting/alertmanager_api.h"
#include "template/template.h"
#include "tidemark/alerting/manager.h"
#include "tidemark/storage/matcher.h"

namespace tidemark::alerting {

struct WebhookConfig {
  std::string url;  // a secret (may hold a token): logs show its host only
  bool send_resolved = true;
  int max_alerts = 0;
  int64_t timeout_ms = 0;  // 0 = the sender's default
  std::shared_ptr<const httpclient::Client> client;  // from http_config (or global.http_config)
};

// Text fields are templates; their defaults are Alertmanager's, calling the named templates of
// DefaultNotificationTemplates() (which a `templates:` file may redefine, as in Alertmanager).
struct SlackConfig {
  std::string api_url;  // a secret: logs show its host only
  std::string channel;
  std::string username = R"({{ template "slack.default.username" . }})";
  std::string title = R"({{ template "slack.default.title" . }})";
  std::string title_link = R"({{ template "slack.default.titlelink" . }})";
  std::string text = R"({{ template "slack.default.text" . }})";
  std::string color = R"({{ if eq .Status "firing" }}danger{{ else }}good{{ end }})";
  std::string pretext = R"({{ template "slack.default.pretext" . }})";
  std::string fallback = R"({{ template "slack.default.fallback" . }})";
  std::string footer = R"({{ template "slack.default.footer" . }})";
  std::string icon_url = R"({{ template "slack.default.iconurl" . }})";
  std::string icon_emoji = R"({{ template "slack.default.iconemoji" . }})";
  bool link_names = false;
  // Which attachment fields Slack renders as markdown; Alertmanager's default when unset.
  std::vector<std::string> mrkdwn_in = {"fallback", "pretext", "text"};
  bool send_resolved = false;
  std::shared_ptr<const httpclient::Client> client;
};

struct Receiver {
  std::string name;
  std::vector<WebhookConfig> webhooks;
  std::vector<SlackConfig> slacks;
  // pagerduty, email, msteams, opsgenie (in that order, each kind in config order).
  std::vector<std::shared_ptr<const IntegrationKind>> kinds;
};

struct Route {
  std::string receiver;
  Matchers matchers;
  std::vector<std::string> group_by;
  bool group_by_all = false;  // group_by: ['...']
  int64_t group_wait_ms = 30'000;
  int64_t group_interval_ms = 300'000;
  int64_t repeat_interval_ms = 4 * 3'600'000;
  bool cont = false;
  // Names from RouterConfig::time_intervals; not inherited by child routes (as Alertmanager).
  std::vector<std::string> mute_time_intervals, active_time_intervals;
  std::string key;  // Alertmanager's route key, e.g. {}/{severity="page"}
  std::vector<Route> routes;
};

struct InhibitRule {
  Matchers source, target;
  std::vector<std::string> equal;
};

struct RouterConfig {
  Route root;
  std::vector<Receiver> receivers;
  std::vector<InhibitRule> inhibit_rules;
  TimeIntervals time_intervals;  // time_intervals and the older mute_time_intervals
  // Alertmanager's default named templates, then those of the `templates:` files (never null
  // once parsed).
  std::shared_ptr<const Template> templates;
  const Receiver* FindReceiver(const std::string& name) const;
};

// Parses Alertmanager-schema YAML. Unknown receiver kinds and unknown keys are errors. Files
// named by *_file fields and tls_config, and `templates:` globs, are read now, relative paths
// against `base_dir`.
Result<RouterConfig> ParseRouterConfig(const std::string& yaml, const std::string& base_dir = "");

// Our text of Alertmanager's default.tmpl definitions that receivers' defaults call
// (__subject, __alertmanagerURL, slack.default.*), same names and output.
std::string_view DefaultNotificationTemplates();

class Router : public Notifier {
 public:
  struct Options {
    std::string external_url;
    std::string state_path;  // notification log file ("" = not persisted)
    HttpSender* sender = nullptr;  // nullable: then notifications only go to `capture`
    // For tests: receives every notification (also when a sender is set).
    std::function<void(const OutgoingNotification&)> capture;
    Clock* clock = nullptr;  // required
    // Active silences mute alerts (nullable: nothing is silenced). Must outlive the router.
    const Silences* silences = nullptr;
    LogSink log;             // nullable: state file write errors
  };
  Router(RouterConfig config, Options options);
  ~Router() override;

  // Adds/updates alerts (thread-safe).
  void Notify(const std::vector<NotifyAlert>& alerts) override;
  // Flushes aggregation groups that are due at clock->Now() and resends pending notifications
  // whose retries ended (or that were restored from the state file); returns the earliest next
  // due time (kMaxTimestamp when idle).
  Timestamp Tick();
  // Notifications handed to the sender and not yet answered 2xx (or refused).
  size_t NumPending() const;
  size_t NumGroups() const;

  // What Alertmanager's API v2 shows (router_api.cc): see AlertmanagerApi.
  std::vector<ApiAlert> ApiAlerts() const;
  std::vector<ApiAlertGroup> ApiAlertGroups(
      const std::function<bool(const std::string&)>& receiver_ok,
      const std::function<bool(const ApiAlert&)>& alert_ok) const;
  std::vector<std::string> ReceiverNames() const;

 private:
  struct AggGroup {
    const Route* route = nullptr;
    std::string key;
    Labels group_labels;
    std::map<uint64_t, NotifyAlert> alerts;  // by fingerprint
    Timestamp next_flush = 0;
    bool has_flushed = false;
  };
  struct LogEntry {
    std::set<uint64_t> firing, resolved;
    Timestamp at = 0;
  };
  // The newest undelivered notification of one log key, persisted so that neither a restart
  // nor kill -9 loses it.
  struct Pending {
    std::string receiver, kind;
    size_t index = 0;
    std::string body, content_type;
    LogEntry entry;              // what the log records once it is delivered
    uint64_t seq = 0;
    int64_t retry_ms = 300'000;  // the group's group_interval: retry span, then resend
    Timestamp created = 0;
    Timestamp enqueued = 0;      // last handed to the sender (0 = not in this process)
  };

  void Match(const Route& r, const Labels& labels, std::vector<const Route*>* out) const;
  bool Inhibited(const Labels& labels, Timestamp now) const {
    return InhibitingSource(labels, now) != nullptr;
  }
  // A firing alert that inhibits one with `labels`, or null.
  const NotifyAlert* InhibitingSource(const Labels& labels, Timestamp now) const;
  bool Silenced(const Labels& labels) const {
    return options_.silences != nullptr && !options_.silences->MutedBy(labels).empty();
  }
  // The API's view of one alert, status computed at `now`. REQUIRES mu_.
  ApiAlert ToApiAlert(const NotifyAlert& a, Timestamp now) const;
  void Flush(AggGroup& g, Timestamp now);
  // Hands the pending notification of `log_key` to the sender over `target`'s transport.
  void EnqueueLocked(const std::string& log_key, Pending& p, Delivery target, Timestamp now);
  // The final outcome of a delivery for `log_key`: on 2xx the notification log records it (only
  // then); on 2xx or a final refusal it stops being pending.
  void OnDone(const std::string& log_key, LogEntry entry, uint64_t seq, const Status& outcome);
  void LoadState();
  void SaveStateLocked();

  RouterConfig config_;
  Options options_;
  mutable std::mutex mu_;
  std::map<std::string, AggGroup> groups_;  // by route key + group key
  std::map<uint64_t, NotifyAlert> all_alerts_;  // for inhibition
  std::map<uint64_t, Timestamp> updated_at_;    // when each of all_alerts_ last arrived
  std::map<std::string, LogEntry> log_;  // by groupKey + receiver + integration
  std::map<std::string, Pending> pending_;  // same keys
  // Deliveries finish on the sender thread, possibly after this router was replaced by a
  // reload: they reach it only through `alive_`, which the destructor clears.
  struct Alive {
    std::mutex mu;
    Router* router = nullptr;
  };
  std::shared_ptr<Alive> alive_;
  uint64_t delivery_seq_ = 0;
  std::map<std::string, uint64_t> written_seq_;  // newest delivered seq per log key
};

}  // namespace tidemark::alerting
