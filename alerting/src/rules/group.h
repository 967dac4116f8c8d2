// A rule group: its schedule (aligned like Prometheus), sequential evaluation with write-back,
// stale markers for vanished series, and restore of `for` state after a restart.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "rules/rules.h"
#include "tidemark/storage/model/metrics.h"

namespace tidemark::alerting {

struct GroupEnv {
  const QueryFn* query = nullptr;
  Appendable* appendable = nullptr;
  Labels external_labels;
  std::string external_url;
  int64_t resend_delay_ms = 60'000;
  int64_t resolved_retention_ms = 15 * 60'000;
  std::atomic<uint64_t>* evaluations = nullptr;
  std::atomic<uint64_t>* failures = nullptr;
  Summary* rule_duration = nullptr;   // each rule's evaluation, seconds
  Summary* group_duration = nullptr;  // each group evaluation, seconds
};

class Group {
 public:
  Group(GroupSpec spec, int64_t default_interval_ms);

  const std::string& name() const { return spec_.name; }
  const std::string& file() const { return spec_.file; }
  int64_t interval_ms() const { return interval_ms_; }

  // The first aligned evaluation time >= `start`: offset within the interval derived from a
  // hash of (name, file), so groups spread out but keep a stable phase across restarts.
  Timestamp NextEvalAtOrAfter(Timestamp start) const;

  // Evaluates every rule in order at `ts`; each rule's output is committed before the next
  // rule runs, so later rules see it. Appends alerts to send to `to_send`.
  void Eval(Timestamp ts, const GroupEnv& env, std::vector<NotifyAlert>* to_send);
  // Restores alert `for` state from ALERTS_FOR_STATE in `source` (Prometheus semantics).
  void RestoreForState(Queryable& source, Timestamp now, int64_t outage_tolerance_ms,
                       int64_t grace_ms);
  void SetRestored(bool r);
  // Keeps alert state and last-eval series of matching rules from the old group (reload).
  void CopyStateFrom(Group& old);
  // Writes stale markers for every series the group produced last time (group removed).
  void MarkAllStale(Timestamp ts, Appendable& app);

  // Counts `n` scheduled evaluations skipped (slow evaluation, suspended process).
  void AddMissed(uint64_t n);

  GroupSnapshot Snapshot() const;
  std::vector<AlertSnapshot> ActiveAlerts() const;

  // Scheduling state, owned by the manager's evaluation loop.
  Timestamp next_eval = 0;
  bool should_restore = false;

 private:
  GroupSpec spec_;
  int64_t interval_ms_;
  std::vector<std::unique_ptr<Rule>> rules_;
  std::vector<std::set<Labels>> previous_series_;  // per rule
  mutable std::mutex mu_;                          // guards the fields below
  Timestamp last_eval_ = 0;
  double eval_seconds_ = 0;
  GroupCounters counters_;
};

}  // namespace tidemark::alerting
