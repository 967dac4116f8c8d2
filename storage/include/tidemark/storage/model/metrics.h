// A small metrics registry (counters, gauges, histograms with labels) and its Prometheus text
// exposition. Components receive a MetricsRegistry& by injection; nothing here is global.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/storage/model/strconv.h"

namespace tidemark {

// A monotonically increasing value. Thread-safe, lock-free.
class Counter {
 public:
  void Inc(double d = 1);
  double Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

// A value that goes up and down. Thread-safe, lock-free.
class Gauge {
 public:
  void Set(double v) { v_.store(v, std::memory_order_relaxed); }
  void Add(double d);
  double Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

// Cumulative buckets (upper bounds, +Inf implied), sum and count. Thread-safe.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, then +Inf last
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Snap() const;

 private:
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<uint64_t> counts_;  // per bucket (not cumulative), +Inf last
  double sum_ = 0;
  uint64_t count_ = 0;
};

// Quantiles over recent observations, plus a cumulative sum and count: the shape of
// client_golang's Summary, which Prometheus uses for its rule, engine and notifier timings.
// Quantiles are exact over the observations of the last `max_age_ms` (at most `max_samples` of
// them, the newest); NaN when there are none, as client_golang reports. Thread-safe.
class Summary {
 public:
  using Clock = std::function<int64_t()>;  // milliseconds, any epoch
  static std::vector<double> DefaultQuantiles() { return {0.5, 0.9, 0.99}; }
  // `now` defaults to the steady clock.
  explicit Summary(Clock now = nullptr, int64_t max_age_ms = 10 * 60 * 1000,
                   size_t max_samples = 1024, std::vector<double> quantiles = DefaultQuantiles());
  void Observe(double v);
  struct Snapshot {
    std::vector<std::pair<double, double>> quantiles;  // (quantile, value)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Snap() const;

 private:
  void Expire(int64_t now) const;  // drops observations older than max_age_; needs mu_

  Clock now_;
  const int64_t max_age_ms_;
  const size_t max_samples_;
  const std::vector<double> quantiles_;
  mutable std::mutex mu_;
  mutable std::deque<std::pair<int64_t, double>> window_;  // (time, value), oldest first
  double sum_ = 0;
  uint64_t count_ = 0;
};

// Default latency buckets in seconds (Prometheus client default set).
std::vector<double> DefaultLatencyBuckets();

// Owns metric families; children are created on first use per label-value tuple and live as long
// as the registry, so returned pointers stay valid.
class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // `label_values` pair up with the family's `label_names` (same count, same order).
  Counter* GetCounter(const std::string& name, const std::string& help,
                      const std::vector<std::string>& label_names = {},
                      const std::vector<std::string>& label_values = {});
  Gauge* GetGauge(const std::string& name, const std::string& help,
                  const std::vector<std::string>& label_names = {},
                  const std::vector<std::string>& label_values = {});
  Histogram* GetHistogram(const std::string& name, const std::string& help,
                          const std::vector<double>& bounds,
                          const std::vector<std::string>& label_names = {},
                          const std::vector<std::string>& label_values = {});
  Summary* GetSummary(const std::string& name, const std::string& help,
                      const std::vector<std::string>& label_names = {},
                      const std::vector<std::string>& label_values = {});

  // A callback run at exposition time that appends complete text-format families (with
  // # HELP/# TYPE) for values owned elsewhere (storage stats, ingest counters).
  using Collector = std::function<void(std::string& out)>;
  void AddCollector(Collector c);

  // Prometheus text exposition format 0.0.4, families sorted by name.
  std::string Expose() const;

 private:
  enum class Kind : uint8_t { kCounter, kGauge, kHistogram, kSummary };
  struct Family {
    Kind kind;
    std::string help;
    std::vector<std::string> label_names;
    std::vector<double> bounds;
    std::map<std::vector<std::string>, std::unique_ptr<Counter>> counters;
    std::map<std::vector<std::string>, std::unique_ptr<Gauge>> gauges;
    std::map<std::vector<std::string>, std::unique_ptr<Histogram>> histograms;
    std::map<std::vector<std::string>, std::unique_ptr<Summary>> summaries;
  };
  Family& GetFamily(const std::string& name, const std::string& help, Kind kind,
                    const std::vector<std::string>& label_names);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  std::vector<Collector> collectors_;
};

// Text-format helpers shared by collectors.
std::string FormatMetricValue(double v);  // Go's 'g' shortest: NaN, +Inf, -Inf, 1e+06
// Appends "# HELP"/"# TYPE" and one unlabeled sample line.
void AppendSimpleMetric(std::string& out, std::string_view name, std::string_view type,
                        std::string_view help, double value);
// Appends the sample lines of one summary child: `name{labels,quantile="q"}`, `_sum`, `_count`.
// `labels` is the inner label text (`a="x",b="y"`, already escaped) or empty.
void AppendSummarySamples(std::string& out, std::string_view name, std::string_view labels,
                          const Summary::Snapshot& s);

}  // namespace tidemark
