// Prometheus' scrape configuration: the global.scrape_* defaults and `scrape_configs`, parsed and
// checked at load into the scrape manager's configs, and emitted back for /api/v1/status/config.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tidemark/ingest/scrape.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::app {

// The global section's scrape defaults (Prometheus' GlobalConfig).
struct ScrapeGlobals {
  int64_t scrape_interval_ms = 60'000;
  int64_t scrape_timeout_ms = 10'000;
  std::vector<std::string> scrape_protocols;  // empty = the default order
  uint64_t body_size_limit = 0;
  uint64_t sample_limit = 0;
  uint64_t label_limit = 0;
  uint64_t label_name_length_limit = 0;
  uint64_t label_value_length_limit = 0;
};

// The global keys this file handles.
const std::vector<std::string>& ScrapeGlobalKeys();
// Reads those keys of `global` (others are the caller's).
Status ParseScrapeGlobals(const YAML::Node& global, ScrapeGlobals* out);
// `scrape_configs`: every key Prometheus accepts that Tidemark does not implement is refused
// with its name. Relative file paths resolve against `base_dir`.
Result<std::vector<ingest::ScrapeConfig>> ParseScrapeConfigs(const YAML::Node& list, const ScrapeGlobals& globals,
                                                             const std::string& base_dir);
// Emits the globals into an open `global:` map, and `scrape_configs` (secrets masked).
void EmitScrapeGlobals(YAML::Emitter& e, const ScrapeGlobals& g);
void EmitScrapeConfigs(YAML::Emitter& e, const std::vector<ingest::ScrapeConfig>& configs);

}  // namespace tidemark::app
