// What the alerting module needs from its host for outgoing notifications: a log sink (the
// server's one logger, injected), Alertmanager push targets, and per-integration counters.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tidemark/httpclient/config.h"

namespace tidemark::alerting {

enum class LogLevel : uint8_t { kDebug, kInfo, kWarn, kError };
using LogFields = std::vector<std::pair<std::string, std::string>>;
// Receives structured log events (message + logfmt-style fields). May be called from the
// notification thread; must be thread-safe. Fields never contain secrets.
using LogSink = std::function<void(LogLevel, std::string_view msg, const LogFields&)>;

// One Alertmanager from Prometheus' alerting.alertmanagers[] (base URL, path prefix included).
struct AlertmanagerTarget {
  std::string url;
  int64_t timeout_ms = 10'000;
  httpclient::ClientConfig http;
};

// Notifications per receiver and integration ("webhook", "slack", "alertmanager").
struct IntegrationCounts {
  std::string receiver;
  std::string integration;
  uint64_t total = 0;   // notifications attempted (each may take several requests)
  uint64_t failed = 0;  // notifications not delivered (gave up, refused, superseded or dropped)
};

}  // namespace tidemark::alerting
