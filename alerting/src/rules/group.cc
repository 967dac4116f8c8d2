// Rule group scheduling, evaluation with write-back and stale markers, and restore.
#include "rules/group.h"

#include <chrono>
#include <map>

namespace tidemark::alerting {

Group::Group(GroupSpec spec, int64_t default_interval_ms)
    : spec_(std::move(spec)),
      interval_ms_(spec_.interval_ms > 0 ? spec_.interval_ms : default_interval_ms) {
  if (interval_ms_ <= 0) interval_ms_ = 60'000;
  for (auto& r : spec_.rules) {
    // Group labels (newer Prometheus) apply to every rule; rule labels win.
    if (!spec_.labels.empty()) {
      StringPairs merged = spec_.labels;
      for (const auto& kv : r.labels) {
        bool replaced = false;
        for (auto& m : merged) {
          if (m.first == kv.first) {
            m.second = kv.second;
            replaced = true;
          }
        }
        if (!replaced) merged.push_back(kv);
      }
      r.labels = std::move(merged);
    }
    rules_.push_back(MakeRule(r));
  }
  previous_series_.resize(rules_.size());
}

Timestamp Group::NextEvalAtOrAfter(Timestamp start) const {
  const uint64_t h = Labels({{"name", spec_.name}, {"file", spec_.file}}).Hash();
  const int64_t offset = static_cast<int64_t>(h % static_cast<uint64_t>(interval_ms_));
  const int64_t adj = start - offset;
  int64_t base = adj - (((adj % interval_ms_) + interval_ms_) % interval_ms_);
  Timestamp t = base + offset;
  if (t < start) t += interval_ms_;
  return t;
}

void Group::Eval(Timestamp ts, const GroupEnv& env, std::vector<NotifyAlert>* to_send) {
  const auto group_start = std::chrono::steady_clock::now();
  EvalContext ctx;
  ctx.query = env.query;
  ctx.ts = ts;
  ctx.query_offset_ms = spec_.query_offset_ms;
  ctx.limit = spec_.limit;
  ctx.external_labels = env.external_labels;
  ctx.external_url = env.external_url;
  ctx.resolved_retention_ms = env.resolved_retention_ms;
  uint64_t failures = 0, samples = 0;
  for (size_t i = 0; i < rules_.size(); ++i) {
    Rule& rule = *rules_[i];
    const auto start = std::chrono::steady_clock::now();
    auto out = rule.Eval(ctx);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (env.evaluations) env.evaluations->fetch_add(1);
    if (env.rule_duration) env.rule_duration->Observe(secs);
    if (!out.ok()) {
      if (env.failures) env.failures->fetch_add(1);
      ++failures;
      rule.SetResult(out.status(), ts, secs);
      continue;  // an error never stops the group: the next rules still run
    }
    samples += out->size();
    Status write_status;
    if (env.appendable != nullptr) {
      auto app = env.appendable->NewAppender();
      std::set<Labels> returned;
      for (const auto& s : *out) {
        auto r = app->Append(0, s.labels, SampleIn{0, s.t, s.v});
        if (!r.ok() && write_status.ok()) write_status = r.status();
        returned.insert(s.labels);
      }
      const Timestamp stale_t = ts - spec_.query_offset_ms;
      for (const auto& lbs : previous_series_[i]) {
        if (returned.count(lbs) == 0) {
          app->Append(0, lbs, SampleIn{0, stale_t, StaleNaN()}).status().IgnoreError();
        }
      }
      Status c = app->Commit();
      if (!c.ok()) write_status = c;
      previous_series_[i] = std::move(returned);
    }
    // A failed write (e.g. out of order after a clock jump) is reported but keeps alert state.
    rule.SetResult(write_status, ts, secs);
    if (!write_status.ok()) {
      if (env.failures) env.failures->fetch_add(1);
      ++failures;
    }
    if (auto* ar = dynamic_cast<AlertingRule*>(&rule)) {
      auto alerts = ar->AlertsToSend(ts, env.resend_delay_ms, interval_ms_, env.external_url);
      for (auto& a : alerts) to_send->push_back(std::move(a));
    }
  }
  const double group_secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - group_start).count();
  if (env.group_duration) env.group_duration->Observe(group_secs);
  std::lock_guard<std::mutex> l(mu_);
  last_eval_ = ts;
  eval_seconds_ = group_secs;
  counters_.evaluations += rules_.size();
  counters_.failures += failures;
  counters_.iterations += 1;
  counters_.last_samples = samples;
}

void Group::AddMissed(uint64_t n) {
  std::lock_guard<std::mutex> l(mu_);
  counters_.iterations += n;
  counters_.iterations_missed += n;
}

void Group::RestoreForState(Queryable& source, Timestamp now, int64_t outage_tolerance_ms,
                            int64_t grace_ms) {
  auto querier = source.NewQuerier(now - outage_tolerance_ms, now);
  for (auto& rule : rules_) {
    auto* ar = dynamic_cast<AlertingRule*>(rule.get());
    if (ar == nullptr) continue;
    std::map<Labels, Sample> last;
    if (querier.ok()) {
      auto name = Matcher::Make(MatchType::kEqual, std::string(kMetricName), "ALERTS_FOR_STATE");
      auto alert = Matcher::Make(MatchType::kEqual, "alertname", ar->spec().name);
      if (name.ok() && alert.ok()) {
        Matchers ms{*name, *alert};
        auto set = (*querier)->Select(false, nullptr, ms);
        if (set.ok()) {
          auto data = MaterializeSeriesSet(**set);
          if (data.ok()) {
            for (const auto& sd : *data) {
              if (!sd.samples.empty()) last[sd.labels.WithoutMetricName()] = sd.samples.back();
            }
          }
        }
      }
    }
    ar->RestoreForState(last, now, grace_ms);
  }
}

void Group::SetRestored(bool r) {
  for (auto& rule : rules_) {
    if (auto* ar = dynamic_cast<AlertingRule*>(rule.get())) ar->SetRestored(r);
  }
}

void Group::CopyStateFrom(Group& old) {
  std::map<std::pair<std::string, RuleType>, std::vector<size_t>> by_name;
  for (size_t i = 0; i < old.rules_.size(); ++i) {
    by_name[{old.rules_[i]->spec().name, old.rules_[i]->spec().type}].push_back(i);
  }
  for (size_t i = 0; i < rules_.size(); ++i) {
    auto it = by_name.find({rules_[i]->spec().name, rules_[i]->spec().type});
    if (it == by_name.end() || it->second.empty()) continue;
    size_t j = it->second.front();
    it->second.erase(it->second.begin());
    previous_series_[i] = old.previous_series_[j];
    auto* now_ar = dynamic_cast<AlertingRule*>(rules_[i].get());
    auto* old_ar = dynamic_cast<AlertingRule*>(old.rules_[j].get());
    if (now_ar && old_ar) now_ar->CopyStateFrom(*old_ar);
  }
  next_eval = old.next_eval;
  should_restore = old.should_restore;
  std::lock_guard<std::mutex> l(mu_);
  std::lock_guard<std::mutex> lo(old.mu_);
  last_eval_ = old.last_eval_;
  eval_seconds_ = old.eval_seconds_;
  counters_ = old.counters_;
}

void Group::MarkAllStale(Timestamp ts, Appendable& appendable) {
  auto app = appendable.NewAppender();
  for (const auto& set : previous_series_) {
    for (const auto& lbs : set) {
      app->Append(0, lbs, SampleIn{0, ts, StaleNaN()}).status().IgnoreError();
    }
  }
  app->Commit().IgnoreError();
}

GroupSnapshot Group::Snapshot() const {
  GroupSnapshot g;
  g.name = spec_.name;
  g.file = spec_.file;
  g.interval_ms = interval_ms_;
  g.limit = spec_.limit;
  g.query_offset_ms = spec_.query_offset_ms;
  {
    std::lock_guard<std::mutex> l(mu_);
    g.last_evaluation = last_eval_;
    g.evaluation_time_s = eval_seconds_;
    g.counters = counters_;
  }
  for (const auto& r : rules_) g.rules.push_back(r->Snapshot());
  return g;
}

std::vector<AlertSnapshot> Group::ActiveAlerts() const {
  std::vector<AlertSnapshot> out;
  for (const auto& r : rules_) {
    if (auto* ar = dynamic_cast<const AlertingRule*>(r.get())) {
      auto a = ar->ActiveAlerts();
      out.insert(out.end(), a.begin(), a.end());
    }
  }
  return out;
}

}  // namespace tidemark::alerting
