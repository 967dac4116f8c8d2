// A scrape target as Prometheus builds it: discovered labels, relabelled labels, URL, identity
// hash and the offset of its scrapes within the interval.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tidemark/httpclient/client.h"
#include "tidemark/ingest/scrape.h"
#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::ingest::scrape {

// What every loop of one pool shares; replaced as a whole on reload.
struct PoolSettings {
  ScrapeConfig config;
  std::shared_ptr<const httpclient::Client> client;
  std::string accept_header;
};

struct Target {
  Labels discovered;     // before target relabelling
  Labels labels;         // after it, internal (__*) labels included
  Labels public_labels;  // what samples get: labels without the __ prefix
  std::string url;
  int64_t interval_ms = 0;
  int64_t timeout_ms = 0;
  uint64_t hash = 0;  // identity of the target within its pool (labels and URL)
};

// Prometheus' PopulateLabels: target and group labels, the config's defaults (job, scheme,
// metrics path, interval, timeout, params), relabelling, checks, `instance` defaulting to the
// address. nullopt when relabelling dropped the target; an error for an invalid one.
Result<std::optional<Target>> PopulateTarget(const ScrapeConfig& cfg, const std::string& address,
                                             const std::vector<std::pair<std::string, std::string>>& group_labels,
                                             Labels* discovered);

// Milliseconds from `now_ms` until the target's first scrape: a slot within the interval fixed by
// its hash (and the server's seed), pinned to absolute time as Prometheus' Target.offset.
int64_t FirstScrapeDelayMs(uint64_t hash, uint64_t seed, int64_t interval_ms, int64_t now_ms);

// The Accept header for scrape_protocols, with q-weights as Prometheus 3.x sends them.
std::string AcceptHeader(const std::vector<std::string>& protocols);
// The media type ("text/plain", "application/openmetrics-text") of a scrape protocol name.
std::string ProtocolMediaType(const std::string& protocol);

}  // namespace tidemark::ingest::scrape
