// RuleManager: owns groups, the evaluation thread, reloads, and the notification fan-out.
#include "tidemark/alerting/manager.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "notify/alertmanager.h"
#include "notify/router.h"
#include "rules/admitted_query.h"
#include "rules/group.h"
#include "slo_runtime/slo_runtime.h"
#include "tidemark/alerting/rule_file.h"
#include "tidemark/storage/model/metrics.h"

namespace tidemark::alerting {

class RuleManager::Impl {
 public:
  Impl(QueryFn query, Appendable& app, Clock& clock, Options options, QueryAdmission admission)
      : query_(AdmittedQueryFn(std::move(query), admission, &stop_queries_)), app_(app),
        clock_(clock), options_(std::move(options)),
        sender_(std::make_unique<HttpSender>(HttpSender::Options{.log = options_.log})) {}

  ~Impl() { Stop(); }

  Status Reload(const Options* new_options) {
    const Options& opts = new_options ? *new_options : options_;
    if (!silences_ && opts.state_store != nullptr) {
      auto sil = Silences::Open({.store = opts.state_store,
                                 .clock = &clock_,
                                 .retention_ms = opts.silence_retention_ms});
      if (!sil.ok()) return Status(sil.status().code(), "silences: " + sil.status().message());
      silences_ = std::move(sil).value();
    }
    std::vector<std::string> errors;
    std::vector<RuleFileSpec> files;
    for (const auto& path : ExpandGlobs(opts.rule_files)) {
      RuleFileSpec f = LoadRuleFile(path);
      errors.insert(errors.end(), f.errors.begin(), f.errors.end());
      files.push_back(std::move(f));
    }
    SloLoad slos = LoadSloFiles(ExpandGlobs(opts.slo_files), opts.slo_bucket_source, clock_.Now());
    errors.insert(errors.end(), slos.errors.begin(), slos.errors.end());
    for (auto& f : slos.rule_files) files.push_back(std::move(f));
    std::unique_ptr<RouterConfig> router_config;
    if (!opts.notification_config_yaml.empty()) {
      auto rc = ParseRouterConfig(opts.notification_config_yaml, opts.config_dir);
      if (!rc.ok()) {
        errors.push_back("notifications: " + rc.status().message());
      } else {
        router_config = std::make_unique<RouterConfig>(std::move(rc).value());
      }
    }
    std::unique_ptr<AlertmanagerNotifier> am;
    if (!opts.alertmanagers.empty()) {
      auto n = AlertmanagerNotifier::Create(opts.alertmanagers, *sender_);
      if (n.ok()) {
        am = std::move(n).value();
      } else {
        errors.push_back("alerting.alertmanagers: " + n.status().message());
      }
    }
    if (!errors.empty()) {
      reload_failures_.fetch_add(1);
      last_reload_ok_ = false;
      std::string msg;
      for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e;
      return Status::InvalidArgument(msg);
    }

    const Timestamp now = clock_.Now();
    std::vector<std::shared_ptr<Group>> groups;
    for (auto& f : files) {
      for (auto& g : f.groups) {
        groups.push_back(std::make_shared<Group>(std::move(g), opts.evaluation_interval_ms));
      }
    }
    std::lock_guard<std::mutex> eval_lock(eval_mu_);  // no evaluation during the swap
    std::unique_lock<std::mutex> l(mu_);
    std::map<std::pair<std::string, std::string>, std::shared_ptr<Group>> old;
    for (auto& g : groups_) old[{g->file(), g->name()}] = g;
    for (auto& g : groups) {
      auto it = old.find({g->file(), g->name()});
      if (it != old.end()) {
        g->CopyStateFrom(*it->second);
        if (it->second->interval_ms() != g->interval_ms()) g->next_eval = g->NextEvalAtOrAfter(now);
        old.erase(it);
      } else {
        g->next_eval = g->NextEvalAtOrAfter(now);
        // Only groups present at the first load restore `for` state (as Prometheus does).
        g->should_restore = first_load_ && opts.restore_source != nullptr;
        g->SetRestored(!g->should_restore);
      }
    }
    for (auto& [k, g] : old) g->MarkAllStale(now, app_);
    groups_ = std::move(groups);
    slos_ = std::move(slos.slos);
    if (new_options) options_ = *new_options;
    first_load_ = false;
    last_reload_ok_ = true;
    last_reload_time_ = now;
    am_ = std::move(am);
    RebuildRouterLocked(std::move(router_config));
    l.unlock();
    cv_.notify_all();
    return Status::OK();
  }

  void RebuildRouterLocked(std::unique_ptr<RouterConfig> rc) {
    router_.reset();
    if (rc) {
      Router::Options ro;
      ro.external_url = options_.external_url;
      ro.state_path = options_.data_dir.empty() ? "" : options_.data_dir + "/notification_log.json";
      ro.sender = sender_.get();
      ro.clock = &clock_;
      ro.silences = silences_.get();
      ro.log = options_.log;
      router_ = std::make_shared<Router>(std::move(*rc), std::move(ro));
    }
  }

  void RunDue() {
    std::lock_guard<std::mutex> eval_lock(eval_mu_);
    const Timestamp now = clock_.Now();
    std::vector<std::shared_ptr<Group>> groups;
    Options opts;
    {
      std::lock_guard<std::mutex> l(mu_);
      groups = groups_;
      opts = options_;
    }
    GroupEnv env;
    env.query = &query_;
    env.appendable = &app_;
    env.external_labels = opts.external_labels;
    env.external_url = opts.external_url;
    env.resend_delay_ms = opts.resend_delay_ms;
    env.resolved_retention_ms = opts.resolved_retention_ms;
    env.evaluations = &evaluations_;
    env.failures = &failures_;
    env.rule_duration = &rule_duration_;
    env.group_duration = &group_duration_;
    std::vector<NotifyAlert> to_send;
    for (auto& g : groups) {
      if (g->next_eval > now) continue;
      Timestamp ts = g->next_eval;
      // Missed ticks (slow evaluation, suspended process) are skipped, not replayed.
      const int64_t missed = (now - ts) / g->interval_ms();
      if (missed > 0) {
        missed_.fetch_add(static_cast<uint64_t>(missed));
        g->AddMissed(static_cast<uint64_t>(missed));
        ts += missed * g->interval_ms();
      }
      g->Eval(ts, env, &to_send);
      if (g->should_restore) {
        g->RestoreForState(*opts.restore_source, now, opts.outage_tolerance_ms,
                           opts.for_grace_period_ms);
        g->should_restore = false;
      }
      g->next_eval = ts + g->interval_ms();
    }
    RelabelAlerts(opts.external_labels, opts.alert_relabel, to_send);
    std::shared_ptr<Router> router;
    {
      std::lock_guard<std::mutex> l(mu_);
      router = router_;
      if (!to_send.empty()) {
        if (am_) am_->Notify(to_send);
        for (Notifier* n : opts.extra_notifiers) n->Notify(to_send);
      }
    }
    if (router) {
      if (!to_send.empty()) router->Notify(to_send);
      router_next_ = router->Tick();
    } else {
      router_next_ = kMaxTimestamp;
    }
    if (silences_ && now >= next_silence_gc_) {
      // Alertmanager's maintenance interval: expired silences past retention leave the store.
      Status gc = silences_->GarbageCollect();
      if (!gc.ok() && opts.log) opts.log(LogLevel::kWarn, "silence GC failed", {{"err", gc.ToString()}});
      next_silence_gc_ = now + 15 * 60'000;
    }
  }

  std::shared_ptr<Router> CurrentRouter() const {
    std::lock_guard<std::mutex> l(mu_);
    return router_;
  }
  const Silences* silences() const { return silences_.get(); }
  Silences* silences() { return silences_.get(); }

  // Active silences matching each alert as it would be notified (external labels added).
  void MarkSilenced(std::vector<AlertSnapshot>& alerts) const {
    if (!silences_) return;
    Labels ext;
    {
      std::lock_guard<std::mutex> l(mu_);
      ext = options_.external_labels;
    }
    for (auto& a : alerts) {
      LabelsBuilder b(a.labels);
      for (const auto& e : ext) {
        if (!a.labels.Has(e.name)) b.Set(e.name, e.value);
      }
      a.silenced_by = silences_->MutedBy(b.Build());
    }
  }

  Timestamp NextWake() {
    std::lock_guard<std::mutex> l(mu_);
    Timestamp next = router_next_;
    for (auto& g : groups_) next = std::min(next, g->next_eval);
    return next;
  }

  void Start() {
    std::lock_guard<std::mutex> l(mu_);
    if (thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this] { Loop(); });
  }

  void Loop() {
    std::unique_lock<std::mutex> l(wait_mu_);
    while (!stop_) {
      l.unlock();
      RunDue();
      const Timestamp wake = NextWake();
      l.lock();
      if (stop_) break;
      const int64_t wait_ms = std::clamp<int64_t>(wake - clock_.Now(), 1, 100);
      cv_.wait_for(l, std::chrono::milliseconds(wait_ms));
    }
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> l(wait_mu_);
      stop_ = true;
    }
    cv_.notify_all();
    // An evaluation waiting for a query slot gives up rather than hold up the stop.
    stop_queries_.canceled.store(true);
    if (thread_.joinable()) thread_.join();
    stop_queries_.canceled.store(false);
    std::lock_guard<std::mutex> l(mu_);
    sender_->Drain(2000);
  }

  std::vector<GroupSnapshot> Groups() const {
    std::vector<std::shared_ptr<Group>> groups;
    {
      std::lock_guard<std::mutex> l(mu_);
      groups = groups_;
    }
    std::vector<GroupSnapshot> out;
    for (const auto& g : groups) out.push_back(g->Snapshot());
    for (auto& g : out) {
      for (auto& r : g.rules) MarkSilenced(r.alerts);
    }
    return out;
  }

  std::vector<AlertSnapshot> ActiveAlerts() const {
    std::vector<std::shared_ptr<Group>> groups;
    {
      std::lock_guard<std::mutex> l(mu_);
      groups = groups_;
    }
    std::vector<AlertSnapshot> out;
    for (const auto& g : groups) {
      auto a = g->ActiveAlerts();
      out.insert(out.end(), a.begin(), a.end());
    }
    MarkSilenced(out);
    return out;
  }

  std::vector<SloStatus> Slos() const {
    std::vector<LoadedSlo> slos;
    {
      std::lock_guard<std::mutex> l(mu_);
      slos = slos_;
    }
    const std::vector<GroupSnapshot> groups = Groups();
    const Timestamp now = clock_.Now();
    std::vector<SloStatus> out;
    for (const auto& s : slos) out.push_back(ComputeSloStatus(s, query_, now, groups));
    return out;
  }

  ManagerMetrics Metrics() const {
    ManagerMetrics m;
    m.rule_evaluations_total = evaluations_.load();
    m.rule_evaluation_failures_total = failures_.load();
    m.group_iterations_missed_total = missed_.load();
    m.config_reload_failures_total = reload_failures_.load();
    m.rule_evaluation_duration = rule_duration_.Snap();
    m.group_duration = group_duration_.Snap();
    std::lock_guard<std::mutex> l(mu_);
    m.last_reload_successful = last_reload_ok_;
    m.alertmanagers = options_.alertmanagers.size();
    m.last_reload_success_time = last_reload_time_;
    if (sender_) {
      m.notifications_sent_total = sender_->sent();
      m.notifications_failed_total = sender_->failed();
      m.notifications_dropped_total = sender_->dropped();
      m.notifications_queue_length = sender_->queue_length();
      m.notifications_queue_capacity = sender_->queue_capacity();
      m.notifications_by_integration = sender_->PerIntegration();
    }
    return m;
  }

  const Options& options() const { return options_; }
  const Clock& clock() const { return clock_; }

  Result<std::vector<TestNotificationAnswer>> TestNotification(const TestNotificationRequest& req) const {
    Options opts;
    {
      std::lock_guard<std::mutex> l(mu_);
      opts = options_;
    }
    if (opts.notification_config_yaml.empty()) {
      return Status::NotFound("no notifications configured (the config has no notifications: section)");
    }
    return SendTestNotification(opts.notification_config_yaml, opts.config_dir, opts.external_url, req,
                                clock_.Now());
  }

 private:
  query::CancelToken stop_queries_;  // set while stopping: ends the wait for a query slot
  QueryFn query_;
  Appendable& app_;
  Clock& clock_;
  Options options_;
  mutable std::mutex mu_;   // groups_, options_, notifiers
  std::mutex eval_mu_;      // one evaluation pass (or reload) at a time
  std::mutex wait_mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<Group>> groups_;
  std::vector<LoadedSlo> slos_;
  // Before the router, which points at it.
  std::unique_ptr<Silences> silences_;  // set at the first Reload, never replaced
  Timestamp next_silence_gc_ = 0;
  std::unique_ptr<HttpSender> sender_;
  std::unique_ptr<AlertmanagerNotifier> am_;
  std::shared_ptr<Router> router_;
  Timestamp router_next_ = kMaxTimestamp;
  bool first_load_ = true;
  bool last_reload_ok_ = true;
  Timestamp last_reload_time_ = 0;
  bool stop_ = false;
  std::thread thread_;
  std::atomic<uint64_t> evaluations_{0}, failures_{0}, missed_{0}, reload_failures_{0};
  Summary rule_duration_, group_duration_;
};

RuleManager::RuleManager(QueryFn query, Appendable& appendable, Clock& clock, Options options,
                         QueryAdmission admission)
    : impl_(std::make_unique<Impl>(std::move(query), appendable, clock, std::move(options),
                                   admission)) {}
RuleManager::~RuleManager() = default;
Status RuleManager::Reload() { return impl_->Reload(nullptr); }
Status RuleManager::Reload(Options options) { return impl_->Reload(&options); }
void RuleManager::Start() { impl_->Start(); }
void RuleManager::Stop() { impl_->Stop(); }
void RuleManager::RunDue() { impl_->RunDue(); }
std::vector<GroupSnapshot> RuleManager::Groups() const { return impl_->Groups(); }
std::vector<AlertSnapshot> RuleManager::ActiveAlerts() const { return impl_->ActiveAlerts(); }
std::vector<SloStatus> RuleManager::Slos() const { return impl_->Slos(); }
ManagerMetrics RuleManager::Metrics() const { return impl_->Metrics(); }

Timestamp RuleManager::Now() const { return impl_->clock().Now(); }

std::vector<ApiAlert> RuleManager::Alerts() const {
  auto r = impl_->CurrentRouter();
  return r ? r->ApiAlerts() : std::vector<ApiAlert>{};
}

std::vector<ApiAlertGroup> RuleManager::AlertGroups(
    const std::function<bool(const std::string&)>& receiver_ok,
    const std::function<bool(const ApiAlert&)>& alert_ok) const {
  auto r = impl_->CurrentRouter();
  return r ? r->ApiAlertGroups(receiver_ok, alert_ok) : std::vector<ApiAlertGroup>{};
}

std::vector<std::string> RuleManager::Receivers() const {
  auto r = impl_->CurrentRouter();
  return r ? r->ReceiverNames() : std::vector<std::string>{};
}

std::vector<Silence> RuleManager::ListSilences() const {
  const Silences* s = impl_->silences();
  return s ? s->List() : std::vector<Silence>{};
}

std::optional<Silence> RuleManager::GetSilence(const std::string& id) const {
  const Silences* s = impl_->silences();
  return s ? s->Get(id) : std::nullopt;
}

Result<std::string> RuleManager::SetSilence(Silence sil) {
  Silences* s = impl_->silences();
  if (s == nullptr) return Status::Unavailable("silences need a persistent store");
  return s->Set(std::move(sil));
}

Status RuleManager::ExpireSilence(const std::string& id) {
  Silences* s = impl_->silences();
  if (s == nullptr) return Status::Unavailable("silences need a persistent store");
  return s->Expire(id);
}
const RuleManager::Options& RuleManager::options() const { return impl_->options(); }
Result<std::vector<TestNotificationAnswer>> RuleManager::TestNotification(
    const TestNotificationRequest& req) const {
  return impl_->TestNotification(req);
}

std::string RuleManager::MetricsText() const {
  const ManagerMetrics m = Metrics();
  std::string s;
  auto counter = [&](const char* name, const char* help, uint64_t v, const char* type = "counter") {
    s += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
         name + " " + std::to_string(v) + "\n";
  };
  counter("tidemark_rule_evaluations_total", "Rule evaluations.", m.rule_evaluations_total);
  counter("tidemark_rule_evaluation_failures_total", "Rule evaluations that failed.",
          m.rule_evaluation_failures_total);
  counter("tidemark_rule_group_iterations_missed_total", "Skipped group evaluations.",
          m.group_iterations_missed_total);
  counter("tidemark_notifications_sent_total", "Notifications delivered.",
          m.notifications_sent_total);
  counter("tidemark_notifications_errors_total", "Notifications given up after retries.",
          m.notifications_failed_total);
  counter("tidemark_notifications_dropped_total", "Notifications dropped (queue full).",
          m.notifications_dropped_total);
  counter("tidemark_notifications_queue_length", "Notifications waiting to be sent.",
          m.notifications_queue_length, "gauge");
  struct PerIntegration {
    const char* name;
    const char* help;
    uint64_t IntegrationCounts::*value;
  };
  for (const auto& [name, help, value] :
       {PerIntegration{"tidemark_notifications_total",
                       "Notifications attempted, per receiver and integration.", &IntegrationCounts::total},
        PerIntegration{"tidemark_notifications_failed_total",
                       "Notifications not delivered, per receiver and integration.", &IntegrationCounts::failed}}) {
    s += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n";
    for (const auto& c : m.notifications_by_integration) {
      s += std::string(name) + "{receiver=\"" + EscapeLabelValue(c.receiver) + "\",integration=\"" +
           c.integration + "\"} " + std::to_string(c.*value) + "\n";
    }
  }
  counter("tidemark_rule_config_reload_failures_total", "Failed rule reloads.",
          m.config_reload_failures_total);
  counter("tidemark_rule_config_last_reload_successful", "1 if the last reload worked.",
          m.last_reload_successful ? 1 : 0, "gauge");
  return s;
}

}  // namespace tidemark::alerting
