// The router as Alertmanager's API v2 shows it: alerts with their status computed now, the
// aggregation groups and the receivers (GET /api/v2/alerts, /alerts/groups, /receivers).
#include <algorithm>

#include "notify/router.h"

namespace tidemark::alerting {

namespace {

// prometheus/common's LabelSet.Before: fewer labels first, then by sorted names and values.
bool LabelSetBefore(const Labels& a, const Labels& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  std::vector<std::string_view> names;
  for (const auto& l : a) names.push_back(l.name);
  for (const auto& l : b) names.push_back(l.name);
  std::sort(names.begin(), names.end());
  for (std::string_view n : names) {
    if (!a.Has(n)) return true;
    if (!b.Has(n)) return false;
    if (a.Get(n) != b.Get(n)) return a.Get(n) < b.Get(n);
  }
  return false;
}

// Alertmanager's AlertSlice order: by job, then instance (alerts lacking one go last), then labels.
bool AlertBefore(const ApiAlert& a, const ApiAlert& b) {
  for (const char* k : {"job", "instance"}) {
    const bool ha = a.labels.Has(k), hb = b.labels.Has(k);
    if (!ha && !hb) continue;
    if (!ha) return false;
    if (!hb) return true;
    if (a.labels.Get(k) != b.labels.Get(k)) return a.labels.Get(k) < b.labels.Get(k);
  }
  return LabelSetBefore(a.labels, b.labels);
}

}  // namespace

ApiAlert Router::ToApiAlert(const NotifyAlert& a, Timestamp now) const {
  ApiAlert out;
  out.labels = a.labels;
  out.annotations = a.annotations;
  out.starts_at = a.starts_at;
  out.ends_at = a.ends_at;
  const uint64_t key = a.labels.Hash();
  auto u = updated_at_.find(key);
  out.updated_at = u == updated_at_.end() ? 0 : u->second;
  out.generator_url = a.generator_url;
  out.fingerprint = FingerprintString(AlertFingerprint(a.labels));
  std::vector<const Route*> routes;
  Match(config_.root, a.labels, &routes);
  for (const Route* r : routes) out.receivers.push_back(r->receiver);
  if (options_.silences != nullptr) out.silenced_by = options_.silences->MutedBy(a.labels);
  if (const NotifyAlert* src = InhibitingSource(a.labels, now)) {
    out.inhibited_by.push_back(FingerprintString(AlertFingerprint(src->labels)));
  }
  out.state = out.silenced_by.empty() && out.inhibited_by.empty() ? "active" : "suppressed";
  return out;
}

std::vector<ApiAlert> Router::ApiAlerts() const {
  const Timestamp now = options_.clock->Now();
  std::lock_guard<std::mutex> l(mu_);
  std::vector<ApiAlert> out;
  for (const auto& [fp, a] : all_alerts_) {
    if (a.ends_at != 0 && a.ends_at < now) continue;  // ended: Alertmanager's API omits it
    out.push_back(ToApiAlert(a, now));
  }
  std::sort(out.begin(), out.end(),
            [](const ApiAlert& a, const ApiAlert& b) { return a.fingerprint < b.fingerprint; });
  return out;
}

std::vector<ApiAlertGroup> Router::ApiAlertGroups(
    const std::function<bool(const std::string&)>& receiver_ok,
    const std::function<bool(const ApiAlert&)>& alert_ok) const {
  const Timestamp now = options_.clock->Now();
  std::lock_guard<std::mutex> l(mu_);
  std::vector<ApiAlertGroup> out;
  // An alert's receivers, as Alertmanager lists them here: those of the groups it was seen in.
  std::map<std::string, std::vector<std::string>> receivers;
  for (const auto& [key, g] : groups_) {
    if (!receiver_ok(g.route->receiver)) continue;
    ApiAlertGroup ag;
    ag.labels = g.group_labels;
    ag.receiver = g.route->receiver;
    for (const auto& [fp, a] : g.alerts) {
      if (a.ends_at != 0 && a.ends_at < now) continue;
      ApiAlert x = ToApiAlert(a, now);
      if (!alert_ok(x)) continue;
      receivers[x.fingerprint].push_back(ag.receiver);
      ag.alerts.push_back(std::move(x));
    }
    if (!ag.alerts.empty()) out.push_back(std::move(ag));
  }
  std::sort(out.begin(), out.end(), [](const ApiAlertGroup& a, const ApiAlertGroup& b) {
    if (a.labels == b.labels) return a.receiver < b.receiver;
    return LabelSetBefore(a.labels, b.labels);
  });
  for (auto& g : out) {
    std::sort(g.alerts.begin(), g.alerts.end(), AlertBefore);
    for (auto& a : g.alerts) {
      a.receivers = receivers[a.fingerprint];
      std::sort(a.receivers.begin(), a.receivers.end());
    }
  }
  return out;
}

std::vector<std::string> Router::ReceiverNames() const {
  std::vector<std::string> out;
  for (const auto& r : config_.receivers) out.push_back(r.name);
  return out;
}

}  // namespace tidemark::alerting
