// Router: route matching, aggregation groups, time intervals, dedup log, and webhook/Slack
// payloads (other integrations render themselves, see integration.h).
#include "notify/router.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "notify/alertmanager.h"
#include "notify/notification.h"

namespace tidemark::alerting {
namespace {

using json = nlohmann::json;

}  // namespace

Router::Router(RouterConfig config, Options options)
    : config_(std::move(config)), options_(std::move(options)), alive_(std::make_shared<Alive>()) {
  alive_->router = this;
  LoadState();
}

Router::~Router() {
  std::lock_guard<std::mutex> l(alive_->mu);  // waits for a delivery callback in progress
  alive_->router = nullptr;
}

void Router::OnDelivered(const std::string& log_key, LogEntry entry, uint64_t seq) {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t& written = written_seq_[log_key];
  if (seq < written) return;  // an older notification finished after a newer one
  written = seq;
  entry.at = options_.clock->Now();
  log_[log_key] = std::move(entry);
  SaveStateLocked();
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
  return next;
}

size_t Router::NumGroups() const {
  std::lock_guard<std::mutex> l(mu_);
  return groups_.size();
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
  Notification r;
  r.external_url = options_.external_url;
  r.group_key = g.key;
  r.now = now;
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

  const Receiver* recv = nullptr;
  for (const auto& rc : config_.receivers) {
    if (rc.name == g.route->receiver) recv = &rc;
  }
  if (recv != nullptr) r.receiver = recv->name;
  bool state_changed = false;
  std::vector<std::string> log_keys;  // of every integration of the receiver
  auto process = [&](const std::string& kind, size_t index, bool send_resolved,
                     const std::shared_ptr<const httpclient::Client>& client, int64_t timeout_ms,
                     auto render) {
    const std::string log_key = g.key + "/" + recv->name + "/" + kind + "/" + std::to_string(index);
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
    } else if (send_resolved &&
               !std::includes(e->resolved.begin(), e->resolved.end(), resolved.begin(), resolved.end())) {
      needs = true;
    } else {
      needs = e->at + g.route->repeat_interval_ms <= now;
    }
    if (!needs) return;
    LogEntry ne{firing, resolved, now};
    const bool deliver = !firing.empty() || send_resolved;  // else it only clears the log
    if (deliver) {
      OutgoingNotification n = render(send_resolved);
      n.receiver = recv->name;
      if (options_.capture) options_.capture(n);
      if (options_.sender) {
        Delivery d;
        d.client = client;
        d.url = n.url;
        d.body = n.body;
        d.headers = n.headers;
        d.send = n.send;
        d.timeout_ms = static_cast<int>(timeout_ms);
        d.receiver = recv->name;
        d.integration = kind;
        d.index = static_cast<int>(index);
        // Retried until delivered or until the next flush sends a fresh notification instead.
        d.key = log_key;
        d.give_up_at = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(g.route->group_interval_ms);
        d.done = [alive = alive_, log_key, ne, seq = ++delivery_seq_](const Status& s) {
          if (!s.ok()) return;  // not logged: the next flush notifies again
          std::lock_guard<std::mutex> l(alive->mu);
          if (alive->router != nullptr) alive->router->OnDelivered(log_key, ne, seq);
        };
        options_.sender->Enqueue(std::move(d));
        return;
      }
    }
    log_[log_key] = ne;
    state_changed = true;
  };
  if (recv == nullptr) return;
  for (size_t i = 0; i < recv->webhooks.size(); ++i) {
    const WebhookConfig& wc = recv->webhooks[i];
    process("webhook", i, wc.send_resolved, wc.client, wc.timeout_ms, [&](bool send_resolved) {
      json alerts = json::array();
      size_t total = 0;
      for (size_t k = 0; k < r.alerts.size(); ++k) {
        if (r.resolved[k] && !send_resolved) continue;
        ++total;
        if (wc.max_alerts > 0 && alerts.size() >= static_cast<size_t>(wc.max_alerts)) continue;
        const NotifyAlert& a = *r.alerts[k];
        alerts.push_back({{"status", r.resolved[k] ? "resolved" : "firing"},
                          {"labels", LabelsJson(a.labels)},
                          {"annotations", LabelsJson(a.annotations)},
                          {"startsAt", FormatGoTime(a.starts_at, Rfc3339Fraction::kMillis)},
                          {"endsAt", FormatGoTime(r.resolved[k] ? a.ends_at : 0, Rfc3339Fraction::kMillis)},
                          {"generatorURL", a.generator_url},
                          {"fingerprint", Hex(a.labels.Hash())}});
      }
      json body = {{"receiver", recv->name},
                   {"status", r.status},
                   {"alerts", alerts},
                   {"groupLabels", LabelsJson(r.group_labels)},
                   {"commonLabels", LabelsJson(r.common_labels)},
                   {"commonAnnotations", LabelsJson(r.common_annotations)},
                   {"externalURL", options_.external_url},
                   {"version", "4"},
                   {"groupKey", g.key},
                   {"truncatedAlerts", total - alerts.size()}};
      return OutgoingNotification{"", wc.url, DumpJson(body), "webhook", {}, nullptr};
    });
  }
  for (size_t i = 0; i < recv->slacks.size(); ++i) {
    const SlackConfig& sc = recv->slacks[i];
    process("slack", i, sc.send_resolved, sc.client, 0, [&](bool) {
      const TValue data = TemplateData(r);
      // Alertmanager's slack.default.title and slack.default.titlelink.
      std::string title = sc.title.empty() ? DefaultSubject(r) : Expand(sc.title, data, options_.external_url);
      std::string link = sc.title_link.empty() ? AlertmanagerUrl(r) : Expand(sc.title_link, data, options_.external_url);
      std::string color = sc.color.empty() ? (r.status == "firing" ? "danger" : "good")
                                           : Expand(sc.color, data, options_.external_url);
      auto expand = [&](const std::string& t) { return Expand(t, data, options_.external_url); };
      json att = {{"title", title},
                  {"title_link", link},
                  {"text", expand(sc.text)},
                  {"fallback", sc.fallback.empty() ? title + " | " + link : expand(sc.fallback)},
                  {"color", color},
                  {"mrkdwn_in", sc.mrkdwn_in}};
      // Empty strings are left out, as Alertmanager's omitempty JSON does.
      if (!sc.pretext.empty()) att["pretext"] = expand(sc.pretext);
      if (!sc.footer.empty()) att["footer"] = expand(sc.footer);
      std::string runbook(r.common_annotations.Get("runbook_url"));
      if (runbook.empty() && !r.alerts.empty()) runbook = r.alerts[0]->annotations.Get("runbook_url");
      if (!runbook.empty()) {
        att["actions"] = json::array({{{"type", "button"}, {"text", "Runbook"}, {"url", runbook}}});
      }
      json body = {{"username", expand(sc.username)}, {"attachments", json::array({att})}};
      if (!sc.channel.empty()) body["channel"] = expand(sc.channel);
      if (!sc.icon_url.empty()) body["icon_url"] = expand(sc.icon_url);
      if (!sc.icon_emoji.empty()) body["icon_emoji"] = expand(sc.icon_emoji);
      if (sc.link_names) body["link_names"] = true;
      return OutgoingNotification{"", sc.api_url, DumpJson(body), "slack", {}, nullptr};
    });
  }
  std::map<std::string, size_t> per_kind;  // an integration's index among its receiver's kind
  for (const auto& in : recv->integrations) {
    process(in->kind(), per_kind[in->kind()]++, in->send_resolved(), in->client(), 0,
            [&](bool send_resolved) { return in->Render(send_resolved ? r : FiringOnly(r)); });
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
      LogEntry le;
      for (const auto& f : e.at("firing")) le.firing.insert(std::stoull(f.get<std::string>(), nullptr, 16));
      for (const auto& f : e.at("resolved")) le.resolved.insert(std::stoull(f.get<std::string>(), nullptr, 16));
      le.at = e.at("at").get<int64_t>();
      log_[key] = std::move(le);
    }
  } catch (const std::exception&) {
    log_.clear();  // a corrupt log only costs a repeated notification
  }
}

void Router::SaveStateLocked() {
  if (options_.state_path.empty()) return;
  const Timestamp now = options_.clock->Now();
  json entries = json::object();
  for (auto it = log_.begin(); it != log_.end();) {
    // Alertmanager keeps its notification log for 120h.
    if (now - it->second.at > 120LL * 3'600'000) {
      it = log_.erase(it);
      continue;
    }
    json f = json::array(), r = json::array();
    for (uint64_t x : it->second.firing) f.push_back(Hex(x));
    for (uint64_t x : it->second.resolved) r.push_back(Hex(x));
    entries[it->first] = {{"firing", f}, {"resolved", r}, {"at", it->second.at}};
    ++it;
  }
  const std::string tmp = options_.state_path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return;
    out << json{{"version", 1}, {"entries", entries}}.dump();
    if (!out.good()) return;
  }
  std::rename(tmp.c_str(), options_.state_path.c_str());
}

}  // namespace tidemark::alerting
