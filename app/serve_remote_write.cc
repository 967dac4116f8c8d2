// Wiring of the remote-write sender: its configs and options from the serve config and the
// rule manager (recording-rule names for send_rule_series: false).
#include <memory>
#include <set>

#include "serve_wiring.h"

namespace tidemark::app {

std::vector<ingest::RemoteWriteConfig> RemoteWriteConfigs(const ServeConfig& cfg,
                                                         const alerting::RuleManager& rules,
                                                         ingest::SenderOptions* options,
                                                         http::Logger& log) {
  options->external_labels = ToLabels(cfg.external_labels);
  auto recorded = std::make_shared<std::set<std::string, std::less<>>>();
  for (const auto& g : rules.Groups()) {
    for (const auto& r : g.rules) {
      if (r.type == alerting::RuleType::kRecording) recorded->insert(r.name);
    }
  }
  options->is_recorded_metric = [recorded](std::string_view name) {
    return recorded->count(name) != 0;
  };
  options->warn = [&log](const std::string& msg, const std::string& details) {
    log.Warn(msg, {{"details", details}});
  };
  // What the options change is part of each queue's identity across reloads.
  std::string extra;
  for (const auto& n : *recorded) extra += '\0' + n;
  std::vector<ingest::RemoteWriteConfig> out = cfg.remote_write;
  for (auto& c : out) {
    c.fingerprint += '\0' + options->external_labels.ToString();
    if (!c.send_rule_series) c.fingerprint += '\0' + extra;
  }
  return out;
}

}  // namespace tidemark::app
