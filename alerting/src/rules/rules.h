// Recording and alerting rules: evaluation at a timestamp, alert state machine, and the
// samples (recorded series, ALERTS, ALERTS_FOR_STATE) each evaluation produces.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tidemark/alerting/manager.h"
#include "tidemark/alerting/rule_file.h"

namespace tidemark::alerting {

// Evaluation-wide inputs shared by all rules of a group.
struct EvalContext {
  const QueryFn* query = nullptr;
  Timestamp ts = 0;               // the group's evaluation timestamp
  int64_t query_offset_ms = 0;    // queries run at ts - offset; samples are written there too
  int64_t limit = 0;              // 0 = unlimited
  Labels external_labels;
  std::string external_url;
  int64_t resolved_retention_ms = 15 * 60'000;
};

struct OutSample {
  Labels labels;
  Timestamp t = 0;
  double v = 0;
};

// Runs a QueryFn and normalises the result to a vector (scalars → one unlabelled sample).
Result<query::Vector> QueryVector(const QueryFn& q, const std::string& expr, Timestamp t);

// One alert instance tracked by an alerting rule.
struct Alert {
  AlertSnapshot snap;      // labels, annotations, state, times, value
  Timestamp last_sent_at = 0;
  Timestamp valid_until = 0;
};

class Rule {
 public:
  explicit Rule(RuleSpec spec) : spec_(std::move(spec)) {}
  virtual ~Rule() = default;
  const RuleSpec& spec() const { return spec_; }
  // Evaluates; on success the samples to write (timestamps ts - query_offset).
  virtual Result<std::vector<OutSample>> Eval(const EvalContext& ctx) = 0;
  virtual RuleSnapshot Snapshot() const;

  // Health bookkeeping, set by the group after each evaluation.
  void SetResult(const Status& s, Timestamp at, double seconds);

 protected:
  RuleSpec spec_;
  mutable std::mutex mu_;  // guards everything below and subclass state read by snapshots
  RuleHealth health_ = RuleHealth::kUnknown;
  std::string last_error_;
  Timestamp last_eval_ = 0;
  double eval_seconds_ = 0;
};

class RecordingRule : public Rule {
 public:
  using Rule::Rule;
  Result<std::vector<OutSample>> Eval(const EvalContext& ctx) override;
};

class AlertingRule : public Rule {
 public:
  using Rule::Rule;
  Result<std::vector<OutSample>> Eval(const EvalContext& ctx) override;
  RuleSnapshot Snapshot() const override;

  // Alerts to send now (Prometheus' needsSending: firing/resolved, resend after resend_delay);
  // marks them as sent.
  std::vector<NotifyAlert> AlertsToSend(Timestamp ts, int64_t resend_delay_ms,
                                        int64_t interval_ms, const std::string& external_url);
  std::vector<AlertSnapshot> ActiveAlerts() const;

  // Restore support: until restored, evaluations do not write ALERTS/ALERTS_FOR_STATE.
  void SetRestored(bool r);
  // Applies Prometheus' RestoreForState to active alerts using the last ALERTS_FOR_STATE
  // sample per label set (key: alert labels without __name__; value: (t_ms, active_at_s)).
  void RestoreForState(const std::map<Labels, Sample>& last_for_state, Timestamp now,
                       int64_t grace_ms);
  // Carries alert state over from the same rule in the previous configuration (reload).
  void CopyStateFrom(const AlertingRule& old);

 private:
  std::map<uint64_t, Alert> active_;  // by alert label hash
  bool restored_ = true;
};

std::unique_ptr<Rule> MakeRule(const RuleSpec& spec);

}  // namespace tidemark::alerting
