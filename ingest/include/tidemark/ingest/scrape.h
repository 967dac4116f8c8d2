// Scraping (Prometheus' scrape manager): scrape_configs turned into targets, each scraped on its
// interval by a bounded pool of worker threads, samples appended through the ingest path, and
// the state the targets/metadata APIs show.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tidemark/httpclient/config.h"
#include "tidemark/ingest/ingester.h"
#include "tidemark/storage/appender.h"
#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/relabel.h"

namespace tidemark::ingest {

// One static_configs entry or one target group read from a file_sd file.
struct TargetGroup {
  std::vector<std::string> targets;  // host:port
  std::vector<std::pair<std::string, std::string>> labels;
  std::string source;  // where it came from (file name and index), for messages
};

struct FileSdConfig {
  std::vector<std::string> files;  // paths or globs (relative ones already resolved)
  int64_t refresh_interval_ms = 5 * 60 * 1000;
};

// One scrape_configs entry, validated and with the globals applied (see docs/scrape.md).
struct ScrapeConfig {
  std::string job_name;
  int64_t scrape_interval_ms = 60'000;
  int64_t scrape_timeout_ms = 10'000;
  std::string metrics_path = "/metrics";
  std::string scheme = "http";
  std::vector<std::pair<std::string, std::vector<std::string>>> params;  // url.Values, sorted
  bool honor_labels = false;
  bool honor_timestamps = true;
  bool enable_compression = true;
  httpclient::ClientConfig http;
  std::vector<TargetGroup> static_configs;
  std::vector<FileSdConfig> file_sd_configs;
  // nullptr = no rules.
  std::shared_ptr<const relabel::Relabeler> relabel;
  std::shared_ptr<const relabel::Relabeler> metric_relabel;
  uint64_t sample_limit = 0;  // 0 = unlimited, as the *_limit fields below
  uint64_t label_limit = 0;
  uint64_t label_name_length_limit = 0;
  uint64_t label_value_length_limit = 0;
  uint64_t body_size_limit = 0;
  // The Accept header's media types in order of preference (scrape_protocols), and the format
  // used when the answer's Content-Type is missing or unknown ("" = fail the scrape).
  std::vector<std::string> scrape_protocols;  // e.g. "OpenMetricsText1.0.0"
  std::string fallback_scrape_protocol;
  // Identity of the entry as configured: a pool whose fingerprint is unchanged keeps its loops
  // across reloads.
  std::string fingerprint;
};

// The scrape protocols Tidemark speaks, Prometheus 3.x's default order first.
const std::vector<std::string>& DefaultScrapeProtocols();
bool IsSupportedScrapeProtocol(const std::string& name);

struct ScrapeManagerOptions {
  size_t workers = 32;  // scrapes in flight at most; targets wait for a free worker
  // Wall-clock milliseconds for sample timestamps; empty = the system clock.
  std::function<int64_t()> now_ms;
  std::function<void(const std::string& message, const std::string& detail)> warn;
  // Seeds the scrape offsets (Prometheus hashes external labels and host name into it) so that
  // two servers scraping the same targets do not scrape at the same instants.
  uint64_t offset_seed = 0;
};

// What /api/v1/targets shows of one target.
struct TargetStatus {
  std::string scrape_pool;
  Labels discovered_labels;
  Labels labels;  // public labels (no __ prefix)
  std::string scrape_url;
  std::string last_error;
  int64_t last_scrape_ms = 0;  // 0 = never
  double last_scrape_duration_s = 0;
  std::string health = "unknown";  // up | down | unknown
  std::string scrape_interval;     // as Prometheus prints durations
  std::string scrape_timeout;
};

struct DroppedTarget {
  std::string scrape_pool;
  Labels discovered_labels;
};

struct TargetMetadata {
  Labels target;
  std::string metric;
  std::string type;
  std::string help;
  std::string unit;
};

class ScrapeManager {
 public:
  // Samples go through `storage` (the remote-write ingest path: BatchWriter); metadata read
  // from scrapes is added to `ingester`'s (/api/v1/metadata) when not null.
  ScrapeManager(Appendable& storage, Ingester* ingester, ScrapeManagerOptions options);
  ~ScrapeManager();  // stops every loop (no staleness markers: the server is shutting down)
  ScrapeManager(const ScrapeManager&) = delete;
  ScrapeManager& operator=(const ScrapeManager&) = delete;

  // Replaces the scrape configuration. Pools whose fingerprint is unchanged keep their loops;
  // targets that remain keep their loops (and caches); targets that go away get staleness
  // markers. Starts the workers on first use.
  void ApplyConfig(std::vector<ScrapeConfig> configs);

  // Snapshots for the API. Sorted by pool, then by target labels.
  std::vector<TargetStatus> ActiveTargets() const;
  std::vector<DroppedTarget> DroppedTargets() const;
  std::map<std::string, size_t> DroppedTargetCounts() const;
  std::vector<std::string> ScrapePools() const;
  // Metadata read from the targets' last scrapes; `metric` filters (empty = all), `keep`
  // selects targets by their labels, `limit` < 0 means unlimited (counted in targets' entries).
  std::vector<TargetMetadata> Metadata(const std::function<bool(const Labels&)>& keep,
                                       const std::string& metric, int64_t limit) const;

  // Re-reads file_sd files that changed (the manager also does it on each pool's refresh
  // interval); exposed for tests.
  void RefreshFileSd();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tidemark::ingest
