// NodeDataGenerator: deterministic, realistic node-exporter-like series for the end-to-end benchmark.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tidemark::e2e {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;  // sorted by name

struct NodeDataOptions {
  uint64_t seed = 20261129;
  int64_t num_series = 10000;
  int64_t start_ms = 0;         // start of the first scrape slot (per-host phase and jitter added)
  int64_t interval_ms = 15000;  // scrape interval
  int64_t max_jitter_ms = 3;    // each scrape lands within ±this of its slot
};

// One series' model state. Values are kept as integer `units` and emitted as units / divisor, so
// a counter of centiseconds becomes the exact nearest double of its 2-decimal text, as node
// exporter's parsed output is.
struct SeriesState {
  uint8_t kind = 0;
  bool app = false;  // reset on app restarts (else on host reboots)
  double units = 0;
  double divisor = 1;
  double p1 = 0;
  double p2 = 0;
  double value = 0;  // what the current step emits
};

// Produces, scrape by scrape, the samples of `num_series` series spread over hosts of
// SeriesPerHost() series each (node exporter metrics plus an instrumented app with classic
// histograms): counters with varied increments and occasional resets, gauges with few significant
// digits, slowly changing filesystem gauges, constant series, high-entropy gauges. Values depend
// only on (seed, host, series, step), never on num_series or start_ms, so runs at different scales
// share data. Every series gets exactly one sample per scrape, in time order.
class NodeDataGenerator {
 public:
  explicit NodeDataGenerator(const NodeDataOptions& options);
  NodeDataGenerator(const NodeDataGenerator&) = delete;
  NodeDataGenerator& operator=(const NodeDataGenerator&) = delete;

  int64_t num_series() const { return static_cast<int64_t>(labels_.size()); }
  static int SeriesPerHost();
  const LabelPairs& labels(int64_t series) const { return labels_[series]; }
  // The scrape number the next call to NextStep produces (0 first).
  int64_t step() const { return step_; }

  // Advances one scrape and calls fn(series_index, timestamp_ms, value) for every series, host by
  // host in index order.
  template <typename Fn>
  void NextStep(Fn&& fn) {
    const int64_t per_host = SeriesPerHost();
    for (int64_t h = 0; h < static_cast<int64_t>(hosts_.size()); ++h) {
      const int64_t ts = AdvanceHost(h);
      const int64_t first = h * per_host;
      const int64_t end = std::min<int64_t>(first + per_host, num_series());
      for (int64_t s = first; s < end; ++s) fn(s, ts, states_[s].value);
    }
    ++step_;
  }

 private:
  struct Host {
    uint64_t rng = 0;
    int64_t phase_ms = 0;
  };
  // Moves every series of host h to the current step; returns the scrape timestamp.
  int64_t AdvanceHost(int64_t h);

  NodeDataOptions options_;
  std::vector<LabelPairs> labels_;
  std::vector<SeriesState> states_;  // whole hosts, so a partial last host evolves identically
  std::vector<Host> hosts_;
  int64_t step_ = 0;
};

}  // namespace tidemark::e2e
