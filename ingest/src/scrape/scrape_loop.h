// ScrapeLoop: one target's scrapes. Each Scrape() fetches, parses and appends one exposition
// with the report series (up, scrape_duration_seconds, ...) and writes staleness markers for the
// series that disappeared, keeping Prometheus' scrape cache (series text -> final labels).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../batch_writer.h"
#include "exposition_parser.h"
#include "target.h"
#include "tidemark/httpclient/client.h"
#include "tidemark/ingest/scrape.h"

namespace tidemark::ingest::scrape {

// Receives the metadata (TYPE/HELP/UNIT) of families that are new or changed since the
// target's previous scrape.
using MetadataSink = std::function<void(const std::vector<MetricMetadata>&)>;

class ScrapeLoop {
 public:
  ScrapeLoop(Target target, std::string pool, std::shared_ptr<const PoolSettings> settings,
             Appendable& storage, MetadataSink metadata);

  // One scrape whose samples get timestamp `ts_ms` (unless the target's own are honoured).
  // Calls are serialized by the caller (one worker at a time per loop).
  void Scrape(int64_t ts_ms);
  // The target went away: staleness markers at `ts_ms` for every series of its last scrape and
  // for its report series.
  void WriteStaleMarkers(int64_t ts_ms);
  // A reload kept the target but changed its pool's configuration; takes effect at the next
  // scrape (never waits for one in flight).
  void SetSettings(std::shared_ptr<const PoolSettings> settings);

  const Target& target() const { return target_; }
  TargetStatus GetStatus() const;
  std::vector<MetricMetadata> Metadata() const;

 private:
  struct Entry {
    Labels labels;                   // final labels (empty when relabelling dropped the series)
    std::vector<LabelPairView> views;  // into `labels`, for BatchWriter::AddSeriesViews
    SeriesRef ref = 0;               // the store's ref once known (Prometheus' cache keeps it too)
    uint64_t seen_iter = 0;          // scrape iteration that last exposed it
    bool live = false;      // appended without own timestamp in the last successful scrape
    bool tracked = false;   // the same, for the scrape in progress (becomes `live` if it succeeds)
    bool dropped = false;
  };
  struct StrHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Counts {
    size_t total = 0, added = 0, series_added = 0;
  };

  Result<std::string> Fetch(std::string* content_type) const;
  Status AppendBody(BatchWriter& w, std::string_view body, std::string_view content_type,
                              int64_t ts_ms, Counts* c);
  // Turns a scraped label set into the stored one; false when metric relabelling dropped it.
  bool MutateLabels(LabelsBuilder& lb) const;
  Status CheckLimits(const Labels& ls) const;
  void StaleAllLive(BatchWriter& w, int64_t ts_ms);
  void ApplyPendingSettings();
  void Report(BatchWriter& w, int64_t ts_ms, const double values[5]);
  static void MakeViews(Entry& e);

  const Target target_;
  const std::string pool_;
  Appendable& storage_;
  const MetadataSink metadata_sink_;
  IngestOptions write_options_;

  std::shared_ptr<const PoolSettings> settings_;  // guarded by scrape_mu_
  std::mutex scrape_mu_;  // one Scrape / WriteStaleMarkers / SetSettings at a time
  // The target's kept-alive connection (scrapes are serialized, so one is enough).
  mutable httpclient::Session session_;
  // Entries are heap nodes so that the views handed to a BatchWriter stay valid until it
  // finishes, even when the entry leaves the cache meanwhile (into graveyard_).
  std::unordered_map<std::string, std::unique_ptr<Entry>, StrHash, std::equal_to<>> cache_;
  std::vector<std::unique_ptr<Entry>> carried_;  // live series of a cache a reload invalidated
  std::vector<std::unique_ptr<Entry>> graveyard_;
  std::vector<ExpoLabel> parsed_labels_;  // reused
  uint64_t iter_ = 0;
  Entry report_[5];
  bool scraped_ = false;
  // Families of the last scrape, in exposition order.
  std::vector<MetricMetadata> families_;

  mutable std::mutex status_mu_;
  TargetStatus status_;
  std::shared_ptr<const PoolSettings> pending_settings_;
  std::vector<MetricMetadata> metadata_;  // guarded by status_mu_
};

}  // namespace tidemark::ingest::scrape
