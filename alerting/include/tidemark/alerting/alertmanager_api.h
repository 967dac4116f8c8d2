// What Alertmanager's API v2 shows of the built-in router: its alerts with their status
// (silenced, inhibited), its aggregation groups, receivers and silences. Implemented by
// RuleManager; http/ renders it as Alertmanager 0.25's JSON. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tidemark/alerting/silences.h"

namespace tidemark::alerting {

// One alert the rule manager handed to the router, as GET /api/v2/alerts shows it.
struct ApiAlert {
  Labels labels;  // external labels included, as notifications carry them
  Labels annotations;
  Timestamp starts_at = 0;
  Timestamp ends_at = 0;
  Timestamp updated_at = 0;  // when the router last received it
  std::string generator_url;
  std::string fingerprint;  // Alertmanager's label-set fingerprint, 16 hex digits
  std::vector<std::string> receivers;  // of every matching route, in route order
  std::vector<std::string> silenced_by;   // active silences muting it, sorted
  std::vector<std::string> inhibited_by;  // fingerprints of the alerts inhibiting it
  // "suppressed" when silenced or inhibited, else "active" (status is computed on every read,
  // as Alertmanager's API does, so it is never "unprocessed").
  std::string state;
};

struct ApiAlertGroup {
  Labels labels;  // the group labels
  std::string receiver;
  std::vector<ApiAlert> alerts;
};

class AlertmanagerApi {
 public:
  virtual ~AlertmanagerApi() = default;
  virtual Timestamp Now() const = 0;
  // Alerts that have not ended, sorted by fingerprint. Empty without a router.
  virtual std::vector<ApiAlert> Alerts() const = 0;
  // Aggregation groups of routes whose receiver passes `receiver_ok`, each with its alerts that
  // pass `alert_ok`; groups left empty are dropped. Sorted as Alertmanager sorts them.
  virtual std::vector<ApiAlertGroup> AlertGroups(
      const std::function<bool(const std::string&)>& receiver_ok,
      const std::function<bool(const ApiAlert&)>& alert_ok) const = 0;
  // Receiver names of the notification config, in config order.
  virtual std::vector<std::string> Receivers() const = 0;
  virtual std::vector<Silence> ListSilences() const = 0;
  virtual std::optional<Silence> GetSilence(const std::string& id) const = 0;
  // Silences::Set / Expire; Unavailable while no silence store is configured.
  virtual Result<std::string> SetSilence(Silence s) = 0;
  virtual Status ExpireSilence(const std::string& id) = 0;
};

// Alertmanager's fingerprint of a label set (FNV-1a over sorted names and values).
uint64_t AlertFingerprint(const Labels& labels);
std::string FingerprintString(uint64_t fp);  // 16 lower-case hex digits

// The API's `filter` semantics: like MatchesAll, except that a matcher with an empty value
// ignores alerts where that is trivially so (`a!=""` on an alert with label a, `a=""` on one
// without it), as Alertmanager's matchFilterLabels does.
bool MatchesFilter(const Matchers& filter, const Labels& labels);
// GET /api/v2/silences' filter: every filter matcher must be one of the silence's matchers
// (same name, type and value), not merely match it.
bool SilenceHasMatchers(const Silence& s, const Matchers& filter);
// Alertmanager's order of GET /api/v2/silences: active by end, pending by start, expired by
// end (newest first).
void SortSilencesForApi(std::vector<Silence>& silences, Timestamp now);

}  // namespace tidemark::alerting
