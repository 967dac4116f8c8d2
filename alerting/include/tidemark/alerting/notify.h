// What the alerting module needs from its host for outgoing notifications: a log sink (the
// server's one logger, injected), Alertmanager push targets, and per-integration counters.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tidemark/httpclient/config.h"
#include "tidemark/storage/model/relabel.h"

namespace tidemark::alerting {

enum class LogLevel : uint8_t { kDebug, kInfo, kWarn, kError };
using LogFields = std::vector<std::pair<std::string, std::string>>;
// Receives structured log events (message + logfmt-style fields). May be called from the
// notification thread; must be thread-safe. Fields never contain secrets.
using LogSink = std::function<void(LogLevel, std::string_view msg, const LogFields&)>;

// One Alertmanager from Prometheus' alerting.alertmanagers[], after its relabel_configs.
struct AlertmanagerTarget {
  // Where alerts are POSTed: <__scheme__>://<__address__><__alerts_path__>, e.g.
  // http://am:9093/api/v2/alerts (what Prometheus' /api/v1/alertmanagers lists).
  std::string url;
  int64_t timeout_ms = 10'000;
  httpclient::ClientConfig http;
  // The set's alert_relabel_configs: applied to alerts sent to this Alertmanager only.
  relabel::Relabeler alert_relabel;
};

// One alertmanagers[].static_configs target before its set's relabel_configs run.
struct AlertmanagerTargetLabels {
  std::string address;      // host:port as written in targets
  std::string scheme;       // the set's scheme
  std::string path_prefix;  // the set's path_prefix
  Labels group_labels;      // the static_config's labels
};

// Prometheus' AlertmanagerFromGroup for one target: the labels __address__, __scheme__,
// __alerts_path__ (path_prefix joined with /api/v2/alerts) and the group labels (which may
// override the latter two) go through `rules`; the result is the push URL
// <__scheme__>://<__address__><__alerts_path__>, or nullopt when the rules drop the target.
// An address holding a '/' (a URL where host:port belongs) or a scheme other than http/https
// is an error naming it.
Result<std::optional<std::string>> RelabelAlertmanagerTarget(const AlertmanagerTargetLabels& target,
                                                             const relabel::Relabeler& rules);

// Notifications per receiver and integration ("webhook", "slack", "alertmanager").
struct IntegrationCounts {
  std::string receiver;
  std::string integration;
  uint64_t total = 0;   // notifications attempted (each may take several requests)
  uint64_t failed = 0;  // notifications not delivered (gave up, refused, superseded or dropped)
};

}  // namespace tidemark::alerting
