// Rule evaluation: recording rules and the alerting state machine (Prometheus semantics).
#include "rules/rules.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "template/template.h"

namespace tidemark::alerting {

Result<query::Vector> QueryVector(const QueryFn& q, const std::string& expr, Timestamp t) {
  if (!q) return Status::Internal("no query function configured");
  auto r = q(expr, t);
  if (!r.ok()) return r.status();
  switch (r->kind) {
    case query::ValueKind::kVector: return std::move(r->vector);
    case query::ValueKind::kScalar: {
      query::Vector v;
      v.push_back(query::VectorSample{Labels(), t, r->scalar});
      return v;
    }
    default:
      return Status::InvalidArgument("rule result is not a vector or scalar");
  }
}

RuleSnapshot Rule::Snapshot() const {
  std::lock_guard<std::mutex> l(mu_);
  RuleSnapshot s;
  s.type = spec_.type;
  s.name = spec_.name;
  s.query = spec_.expr;
  s.for_ms = spec_.for_ms;
  s.keep_firing_for_ms = spec_.keep_firing_for_ms;
  std::vector<Label> ls, as;
  for (const auto& [k, v] : spec_.labels) ls.push_back({k, v});
  for (const auto& [k, v] : spec_.annotations) as.push_back({k, v});
  s.labels = Labels(std::move(ls));
  s.annotations = Labels(std::move(as));
  s.health = health_;
  s.last_error = last_error_;
  s.last_evaluation = last_eval_;
  s.evaluation_time_s = eval_seconds_;
  return s;
}

void Rule::SetResult(const Status& s, Timestamp at, double seconds) {
  std::lock_guard<std::mutex> l(mu_);
  health_ = s.ok() ? RuleHealth::kOk : RuleHealth::kErr;
  last_error_ = s.ok() ? "" : s.message();
  last_eval_ = at;
  eval_seconds_ = seconds;
}

Result<std::vector<OutSample>> RecordingRule::Eval(const EvalContext& ctx) {
  const Timestamp t = ctx.ts - ctx.query_offset_ms;
  TM_ASSIGN_OR_RETURN(query::Vector vec, QueryVector(*ctx.query, spec_.expr, t));
  std::vector<OutSample> out;
  out.reserve(vec.size());
  std::set<Labels> seen;
  for (auto& s : vec) {
    LabelsBuilder b(s.metric);
    b.Set(kMetricName, spec_.name);
    for (const auto& [k, v] : spec_.labels) b.Set(k, v);
    Labels lbs = b.Build();
    if (!seen.insert(lbs).second) {
      return Status::InvalidArgument(
          "vector contains metrics with the same labelset after applying rule labels");
    }
    out.push_back({std::move(lbs), t, s.v});
  }
  if (ctx.limit > 0 && static_cast<int64_t>(out.size()) > ctx.limit) {
    return Status::InvalidArgument("exceeded limit of " + std::to_string(ctx.limit) + " with " +
                                   std::to_string(out.size()) + " series");
  }
  return out;
}

Result<std::vector<OutSample>> AlertingRule::Eval(const EvalContext& ctx) {
  const Timestamp qt = ctx.ts - ctx.query_offset_ms;
  TM_ASSIGN_OR_RETURN(query::Vector vec, QueryVector(*ctx.query, spec_.expr, qt));
  // Expand templates and build alerts outside the lock (queries in templates may be slow).
  struct Fresh {
    Labels labels;
    Labels annotations;
    double value;
  };
  std::map<uint64_t, Fresh> fresh;
  for (const auto& s : vec) {
    Labels series = s.metric.WithoutMetricName();
    AlertTemplateData data{series, ctx.external_labels, ctx.external_url, s.v};
    const std::string tname = "__alert_" + spec_.name;
    LabelsBuilder b(series);
    for (const auto& [k, v] : spec_.labels) {
      b.Set(k, ExpandAlertTemplate(v, tname, data, qt, ctx.query));
    }
    b.Set("alertname", spec_.name);
    Labels lbs = b.Build();
    std::vector<Label> ann;
    for (const auto& [k, v] : spec_.annotations) {
      ann.push_back({k, ExpandAlertTemplate(v, tname, data, qt, ctx.query)});
    }
    uint64_t h = lbs.Hash();
    if (fresh.count(h) != 0) {
      return Status::InvalidArgument(
          "vector contains metrics with the same labelset after applying alert labels");
    }
    fresh.emplace(h, Fresh{std::move(lbs), Labels(std::move(ann)), s.v});
  }

  std::lock_guard<std::mutex> l(mu_);
  for (auto& [h, f] : fresh) {
    auto it = active_.find(h);
    if (it != active_.end() && it->second.snap.state != AlertState::kInactive) {
      it->second.snap.value = f.value;
      it->second.snap.annotations = f.annotations;
      it->second.snap.labels = f.labels;
      continue;
    }
    Alert a;
    a.snap.labels = f.labels;
    a.snap.annotations = f.annotations;
    a.snap.value = f.value;
    a.snap.active_at = ctx.ts;
    a.snap.state = AlertState::kPending;
    active_[h] = std::move(a);
  }

  std::vector<OutSample> out;
  int64_t num_active = 0;
  for (auto it = active_.begin(); it != active_.end();) {
    Alert& a = it->second;
    if (fresh.count(it->first) == 0) {
      bool keep_firing = false;
      if (a.snap.state == AlertState::kFiring && spec_.keep_firing_for_ms > 0) {
        if (a.snap.keep_firing_since == 0) a.snap.keep_firing_since = ctx.ts;
        keep_firing = ctx.ts - a.snap.keep_firing_since < spec_.keep_firing_for_ms;
      }
      if (a.snap.state == AlertState::kPending ||
          (a.snap.resolved_at != 0 && ctx.ts - a.snap.resolved_at > ctx.resolved_retention_ms)) {
        it = active_.erase(it);
        continue;
      }
      if (!keep_firing) {
        if (a.snap.state != AlertState::kInactive) {
          a.snap.state = AlertState::kInactive;
          a.snap.resolved_at = ctx.ts;
        }
        ++it;
        continue;
      }
    } else {
      a.snap.keep_firing_since = 0;
    }
    ++num_active;
    if (a.snap.state == AlertState::kPending && ctx.ts - a.snap.active_at >= spec_.for_ms) {
      a.snap.state = AlertState::kFiring;
      a.snap.fired_at = ctx.ts;
    }
    if (restored_) {
      LabelsBuilder alerts(a.snap.labels);
      alerts.Set(kMetricName, "ALERTS");
      alerts.Set("alertstate", AlertStateName(a.snap.state));
      out.push_back({alerts.Build(), qt, 1.0});
      LabelsBuilder for_state(a.snap.labels);
      for_state.Set(kMetricName, "ALERTS_FOR_STATE");
      out.push_back({for_state.Build(), qt, static_cast<double>(a.snap.active_at / 1000)});
    }
    ++it;
  }
  if (ctx.limit > 0 && num_active > ctx.limit) {
    active_.clear();
    return Status::InvalidArgument("exceeded limit of " + std::to_string(ctx.limit) + " with " +
                                   std::to_string(num_active) + " alerts");
  }
  return out;
}

RuleSnapshot AlertingRule::Snapshot() const {
  RuleSnapshot s = Rule::Snapshot();
  s.alerts = ActiveAlerts();
  for (const auto& a : s.alerts) s.state = std::max(s.state, a.state);
  return s;
}

std::vector<AlertSnapshot> AlertingRule::ActiveAlerts() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<AlertSnapshot> out;
  for (const auto& [h, a] : active_) {
    if (a.snap.state != AlertState::kInactive) out.push_back(a.snap);
  }
  std::sort(out.begin(), out.end(),
            [](const AlertSnapshot& x, const AlertSnapshot& y) { return x.labels < y.labels; });
  return out;
}

std::vector<NotifyAlert> AlertingRule::AlertsToSend(Timestamp ts, int64_t resend_delay_ms,
                                                    int64_t interval_ms,
                                                    const std::string& external_url) {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<NotifyAlert> out;
  for (auto& [h, a] : active_) {
    if (a.snap.state == AlertState::kPending) continue;
    const bool resolved_since_sent = a.snap.resolved_at > a.last_sent_at;
    if (!resolved_since_sent && !(a.last_sent_at + resend_delay_ms < ts)) continue;
    a.last_sent_at = ts;
    a.valid_until = ts + 4 * std::max(resend_delay_ms, interval_ms);
    NotifyAlert n;
    n.labels = a.snap.labels;
    n.annotations = a.snap.annotations;
    n.starts_at = a.snap.fired_at;
    n.resolved = a.snap.resolved_at != 0;
    n.ends_at = n.resolved ? a.snap.resolved_at : a.valid_until;
    n.generator_url = external_url + "/graph?g0.expr=" + UrlEscape(spec_.expr, /*space_as_plus=*/true) + "&g0.tab=1";
    out.push_back(std::move(n));
  }
  return out;
}

void AlertingRule::SetRestored(bool r) {
  std::lock_guard<std::mutex> l(mu_);
  restored_ = r;
}

void AlertingRule::RestoreForState(const std::map<Labels, Sample>& last_for_state,
                                   Timestamp now, int64_t grace_ms) {
  std::lock_guard<std::mutex> l(mu_);
  const int64_t hold = spec_.for_ms;
  for (auto& [h, a] : active_) {
    auto it = last_for_state.find(a.snap.labels);
    if (it == last_for_state.end() || IsStaleNaN(it->second.v) || std::isnan(it->second.v)) {
      continue;
    }
    // Prometheus keeps second precision for both times.
    const Timestamp down_at = it->second.t / 1000 * 1000;
    Timestamp restored_active_at = static_cast<Timestamp>(it->second.v) * 1000;
    const int64_t remaining = hold - (down_at - restored_active_at);
    if (remaining <= 0) {
      // It was firing when we went down: fire again on the next evaluation. (Prometheus skips
      // rules with `for` shorter than the grace period entirely; we restore firing ones too
      // so a restart never drops a firing alert.)
    } else if (hold < grace_ms) {
      continue;  // short `for` and still pending: just wait it out again, as Prometheus does
    } else if (remaining < grace_ms) {
      restored_active_at = now - hold + grace_ms;
    } else {
      restored_active_at += now - down_at;
    }
    a.snap.active_at = restored_active_at;
  }
  restored_ = true;
}

void AlertingRule::CopyStateFrom(const AlertingRule& old) {
  std::scoped_lock l(mu_, old.mu_);
  active_ = old.active_;
  restored_ = old.restored_;
  health_ = old.health_;
  last_error_ = old.last_error_;
  last_eval_ = old.last_eval_;
  eval_seconds_ = old.eval_seconds_;
}

std::unique_ptr<Rule> MakeRule(const RuleSpec& spec) {
  if (spec.type == RuleType::kRecording) return std::make_unique<RecordingRule>(spec);
  return std::make_unique<AlertingRule>(spec);
}

}  // namespace tidemark::alerting
