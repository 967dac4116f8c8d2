// Router: route matching, aggregation groups, time intervals, the notification log and pending
// notifications (both persisted), and handing notifications to the per-integration senders.
#include "notify/router.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

#include "notify/atomic_file.h"
#include "notify/integrations.h"

namespace tidemark::alerting {
namespace {

using json = nlohmann::json;

json HexSet(const std::set<uint64_t>& s) {
  json a = json::array();
  for (uint64_t x : s) a.push_back(FingerprintHex(x));
  return a;
}

std::set<uint64_t> ParseHexSet(const json& a) {
  std::set<uint64_t> s;
  for (const auto& f : a) s.insert(std::stoull(f.get<std::string>(), nullptr, 16));
  return s;
}

// Alertmanager keeps its notification log for 120h; pending notifications go with it.
constexpr int64_t kStateRetentionMs = 120LL * 3'600'000;

}  // namespace

const Receiver* RouterConfig::FindReceiver(const std::string& name) const {
  for (const auto& r : receivers) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

Router::Router(RouterConfig config, Options options)
    : config_(std::move(config)), options_(std::move(options)), alive_(std::make_shared<Alive>()) {
  alive_->router = this;
  LoadState();
}

Router::~Router() {
  std::lock_guard<std::mutex> l(alive_->mu);  // waits for a delivery callback in progress
  alive_->router = nullptr;
}

void Router::OnDone(const std::string& log_key, LogEntry entry, uint64_t seq, const Status& outcome) {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t& written = written_seq_[log_key];
  if (outcome.ok() && seq >= written) {  // else an older notification finished after a newer one
    written = seq;
    entry.at = options_.clock->Now();
    log_[log_key] = std::move(entry);
  }
  if (auto p = pending_.find(log_key); p != pending_.end() && p->second.seq == seq) pending_.erase(p);
  SaveStateLocked();
}

void Router::EnqueueLocked(const std::string& log_key, Pending& p, Delivery target, Timestamp now) {
  p.enqueued = now;
  if (options_.sender == nullptr) return;
  Delivery d = std::move(target);
  d.body = p.body;
  if (!p.content_type.empty()) d.content_type = p.content_type;
  d.receiver = p.receiver;
  d.integration = p.kind;
  d.index = static_cast<int>(p.index);
  // Retried until delivered or until the next flush sends a fresh notification instead.
  d.key = log_key;
  d.give_up_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(p.retry_ms);
  d.done = [alive = alive_, log_key, entry = p.entry, seq = p.seq](const Status& s) {
    // Superseded, dropped or given up: it stays pending and Tick() sends it again. These
    // outcomes may be reported from inside Enqueue, i.e. under mu_, so they take no lock.
    if (!s.ok() && s.code() != StatusCode::kInvalidArgument) return;
    std::lock_guard<std::mutex> l(alive->mu);
    if (alive->router != nullptr) alive->router->OnDone(log_key, entry, seq, s);
  };
  options_.sender->Enqueue(std::move(d));
}

void Router::Match(const Route& r, const Labels& labels, std::vector<const Route*>* out) const {
  if (!MatchesAll(labels, r.matchers)) return;
  size_t before = out->size();
  for (const auto& c : r.routes) {
    size_t n = out->size();
    Match(c, labels, out);
    if (out->size() > n && !c.cont) break;
  }
  if (out->size() == before) out->push_back(&r);
}

const NotifyAlert* Router::InhibitingSource(const Labels& labels, Timestamp now) const {
  for (const auto& rule : config_.inhibit_rules) {
    if (!MatchesAll(labels, rule.target)) continue;
    // When the target also matches the source side, only sources that do not also match the
    // target side count (so such alerts cannot inhibit each other), as Alertmanager.
    const bool two_sided = MatchesAll(labels, rule.source);
    for (const auto& [fp, src] : all_alerts_) {
      if (src.resolved || src.ends_at <= now) continue;
      if (!MatchesAll(src.labels, rule.source)) continue;
      if (two_sided && MatchesAll(src.labels, rule.target)) continue;
      bool equal = true;
      for (const auto& e : rule.equal) equal &= src.labels.Get(e) == labels.Get(e);
      if (equal) return &src;
    }
  }
  return nullptr;
}

void Router::Notify(const std::vector<NotifyAlert>& alerts) {
  const Timestamp now = options_.clock->Now();
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& a : alerts) {
    const uint64_t fp = a.labels.Hash();
    all_alerts_[fp] = a;
    updated_at_[fp] = now;
    std::vector<const Route*> routes;
    Match(config_.root, a.labels, &routes);
    for (const Route* r : routes) {
      Labels gl = r->group_by_all ? a.labels : a.labels.Keep(r->group_by);
      const std::string key = r->key + ":" + gl.ToString();
      auto [it, created] = groups_.try_emplace(key);
      AggGroup& g = it->second;
      if (created) {
        g.route = r;
        g.key = key;
        g.group_labels = gl;
        g.next_flush = now + r->group_wait_ms;
      } else if (g.has_flushed && a.starts_at != 0 && a.starts_at + r->group_wait_ms < now &&
                 g.alerts.count(fp) == 0) {
        g.next_flush = std::min(g.next_flush, now);  // an old alert joins: no need to wait
      }
      g.alerts[fp] = a;
    }
  }
}

Timestamp Router::Tick() {
  const Timestamp now = options_.clock->Now();
  std::lock_guard<std::mutex> l(mu_);
  Timestamp next = kMaxTimestamp;
  for (auto it = groups_.begin(); it != groups_.end();) {
    AggGroup& g = it->second;
    if (g.next_flush <= now) {
      Flush(g, now);
      g.has_flushed = true;
      g.next_flush = now + g.route->group_interval_ms;
    }
    if (g.alerts.empty()) {
      it = groups_.erase(it);
      continue;
    }
    next = std::min(next, g.next_flush);
    ++it;
  }
  for (auto it = all_alerts_.begin(); it != all_alerts_.end();) {
    if ((it->second.resolved || it->second.ends_at <= now) && now - it->second.ends_at > 3'600'000) {
      updated_at_.erase(it->first);
      it = all_alerts_.erase(it);
    } else {
      ++it;
    }
  }
  // Pending notifications whose retries ended (or that a previous process left) are sent again
  // every group_interval until delivered, as Alertmanager reflushes a group whose notification
  // failed; this also covers groups that no longer exist, e.g. a resolution owed from before a
  // restart. A fresh flush of the same group replaces its pending notification instead.
  bool dropped = false;
  for (auto it = pending_.begin(); it != pending_.end();) {
    Pending& p = it->second;
    if (p.enqueued == 0 || p.enqueued + p.retry_ms <= now) {
      const Receiver* recv = config_.FindReceiver(p.receiver);
      std::vector<Integration> ins;
      if (recv != nullptr) ins = IntegrationsOf(*recv);
      auto in = std::find_if(ins.begin(), ins.end(),
                             [&](const Integration& x) { return x.kind == p.kind && x.index == p.index; });
      if (in == ins.end()) {  // the integration left the configuration
        it = pending_.erase(it);
        dropped = true;
        continue;
      }
      EnqueueLocked(it->first, p, std::move(in->target), now);
    }
    if (options_.sender != nullptr) next = std::min(next, p.enqueued + p.retry_ms);
    ++it;
  }
  if (dropped) SaveStateLocked();
  return next;
}

size_t Router::NumGroups() const {
  std::lock_guard<std::mutex> l(mu_);
  return groups_.size();
}

size_t Router::NumPending() const {
  std::lock_guard<std::mutex> l(mu_);
  return pending_.size();
}

void Router::Flush(AggGroup& g, Timestamp now) {
  // A route outside its active intervals, or inside a mute interval, sends nothing; the flush
  // still counts as done, so resolved alerts leave the group (Alertmanager's time stages).
  const Route& route = *g.route;
  if ((!route.active_time_intervals.empty() &&
       !InTimeIntervals(config_.time_intervals, route.active_time_intervals, now)) ||
      InTimeIntervals(config_.time_intervals, route.mute_time_intervals, now)) {
    for (auto it = g.alerts.begin(); it != g.alerts.end();) {
      const NotifyAlert& a = it->second;
      it = a.resolved || (a.ends_at != 0 && a.ends_at <= now) ? g.alerts.erase(it) : std::next(it);
    }
    return;
  }
  const Receiver* recv = config_.FindReceiver(g.route->receiver);
  if (recv == nullptr) return;
  Notification r;
  r.receiver = recv->name;
  r.group_key = g.key;
  r.external_url = options_.external_url;
  r.now = now;
  r.templates = config_.templates.get();
  std::set<uint64_t> firing, resolved;
  std::set<uint64_t> muted_resolved;  // silenced resolved alerts: never owed a notification
  // Alertmanager orders a notification's alerts by job, then instance, then all labels.
  std::vector<std::pair<uint64_t, const NotifyAlert*>> ordered;
  for (const auto& [fp, a] : g.alerts) ordered.emplace_back(fp, &a);
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& x, const auto& y) {
    for (const char* k : {"job", "instance"}) {
      if (x.second->labels.Get(k) != y.second->labels.Get(k)) {
        return x.second->labels.Get(k) < y.second->labels.Get(k);
      }
    }
    return x.second->labels < y.second->labels;
  });
  for (const auto& [fp, ap] : ordered) {
    const NotifyAlert& a = *ap;
    const bool is_resolved = a.resolved || (a.ends_at != 0 && a.ends_at <= now);
    if (!is_resolved && Inhibited(a.labels, now)) continue;
    // Alertmanager's silence stage drops silenced alerts, firing or resolved.
    if (Silenced(a.labels)) {
      if (is_resolved) muted_resolved.insert(fp);
      continue;
    }
    (is_resolved ? resolved : firing).insert(fp);
    r.alerts.push_back(&a);
    r.resolved.push_back(is_resolved);
  }
  if (r.alerts.empty()) {
    // Everything is muted: as Alertmanager's pipeline stops there, nothing is sent or logged, so
    // once the mute ends the next flush notifies as if it had never happened.
    for (uint64_t fp : muted_resolved) g.alerts.erase(fp);
    return;
  }
  r.status = firing.empty() ? "resolved" : "firing";
  r.group_labels = g.group_labels;
  r.common_labels = CommonLabels(r.alerts, false);
  r.common_annotations = CommonLabels(r.alerts, true);

  bool state_changed = false;
  std::vector<std::string> log_keys;  // of every integration of the receiver
  for (Integration& in : IntegrationsOf(*recv)) {
    const std::string log_key = g.key + "/" + recv->name + "/" + in.kind + "/" + std::to_string(in.index);
    log_keys.push_back(log_key);
    auto it = log_.find(log_key);
    const LogEntry* e = it == log_.end() ? nullptr : &it->second;
    bool needs;
    if (e == nullptr) {
      needs = !firing.empty();
    } else if (!std::includes(e->firing.begin(), e->firing.end(), firing.begin(), firing.end())) {
      needs = true;
    } else if (firing.empty()) {
      needs = !e->firing.empty();
    } else if (in.send_resolved &&
               !std::includes(e->resolved.begin(), e->resolved.end(), resolved.begin(), resolved.end())) {
      needs = true;
    } else {
      needs = e->at + g.route->repeat_interval_ms <= now;
    }
    if (!needs) continue;
    LogEntry ne{firing, resolved, now};
    const bool deliver = !firing.empty() || in.send_resolved;  // else it only clears the log
    state_changed = true;
    if (deliver) {
      std::string body = in.render(r);
      if (options_.capture) options_.capture(OutgoingNotification{recv->name, in.target.url, body, in.kind});
      if (options_.sender) {
        Pending& p = pending_[log_key];
        p = Pending{recv->name, in.kind, in.index, std::move(body), in.target.content_type, ne,
                    ++delivery_seq_, g.route->group_interval_ms, now, 0};
        EnqueueLocked(log_key, p, std::move(in.target), now);
        continue;
      }
    }
    pending_.erase(log_key);
    log_[log_key] = ne;
  }
  // A resolved alert leaves the group once no integration's log still records it as firing,
  // i.e. once its resolution was delivered (or was never owed). Until then the next flush
  // notifies again, as Alertmanager keeps resolved alerts until a flush succeeds.
  for (auto it = g.alerts.begin(); it != g.alerts.end();) {
    const bool owed = resolved.count(it->first) != 0 &&
                      std::any_of(log_keys.begin(), log_keys.end(), [&](const std::string& k) {
                        auto e = log_.find(k);
                        return e != log_.end() && e->second.firing.count(it->first) != 0;
                      });
    if ((resolved.count(it->first) != 0 && !owed) || muted_resolved.count(it->first) != 0) {
      it = g.alerts.erase(it);
    } else {
      ++it;
    }
  }
  if (state_changed) SaveStateLocked();
}

void Router::LoadState() {
  if (options_.state_path.empty()) return;
  std::ifstream in(options_.state_path);
  if (!in) return;
  try {
    json j = json::parse(in);
    for (const auto& [key, e] : j.at("entries").items()) {
      log_[key] = LogEntry{ParseHexSet(e.at("firing")), ParseHexSet(e.at("resolved")), e.at("at").get<int64_t>()};
    }
    const json pending = j.value("pending", json::object());  // older files have none
    for (const auto& [key, e] : pending.items()) {
      Pending p;
      p.receiver = e.at("receiver").get<std::string>();
      p.kind = e.at("integration").get<std::string>();
      p.index = e.at("index").get<size_t>();
      p.body = e.at("body").get<std::string>();
      p.content_type = e.value("content_type", "");
      p.entry = LogEntry{ParseHexSet(e.at("firing")), ParseHexSet(e.at("resolved")), 0};
      p.seq = e.at("seq").get<uint64_t>();
      p.retry_ms = std::max<int64_t>(e.at("retry_ms").get<int64_t>(), 1000);
      p.created = e.at("created").get<int64_t>();
      delivery_seq_ = std::max(delivery_seq_, p.seq);
      pending_[key] = std::move(p);  // enqueued = 0: the first Tick() sends it
    }
  } catch (const std::exception& e) {
    // A corrupt file only costs a repeated notification (the file is replaced atomically, so
    // this needs a damaged disk, not a crash).
    if (options_.log) {
      options_.log(LogLevel::kError, "notification log unreadable; starting afresh",
                   {{"file", options_.state_path}, {"err", e.what()}});
    }
    log_.clear();
    pending_.clear();
  }
}

void Router::SaveStateLocked() {
  if (options_.state_path.empty()) return;
  const Timestamp now = options_.clock->Now();
  json entries = json::object();
  for (auto it = log_.begin(); it != log_.end();) {
    if (now - it->second.at > kStateRetentionMs) {
      it = log_.erase(it);
      continue;
    }
    entries[it->first] = {{"firing", HexSet(it->second.firing)},
                          {"resolved", HexSet(it->second.resolved)},
                          {"at", it->second.at}};
    ++it;
  }
  json pending = json::object();
  for (auto it = pending_.begin(); it != pending_.end();) {
    const Pending& p = it->second;
    if (now - p.created > kStateRetentionMs) {
      it = pending_.erase(it);
      continue;
    }
    pending[it->first] = {{"receiver", p.receiver},   {"integration", p.kind},
                          {"index", p.index},         {"body", p.body},
                          {"content_type", p.content_type},
                          {"firing", HexSet(p.entry.firing)},
                          {"resolved", HexSet(p.entry.resolved)},
                          {"seq", p.seq},             {"retry_ms", p.retry_ms},
                          {"created", p.created}};
    ++it;
  }
  const std::string text = json{{"version", 2}, {"entries", entries}, {"pending", pending}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
  if (Status s = WriteFileAtomically(options_.state_path, text); !s.ok() && options_.log) {
    options_.log(LogLevel::kError, "cannot write the notification log", {{"err", s.message()}});
  }
}

}  // namespace tidemark::alerting
