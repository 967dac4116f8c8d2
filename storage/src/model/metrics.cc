// Metrics registry and Prometheus text exposition.
#include "tidemark/storage/model/metrics.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>

namespace tidemark {

void Counter::Inc(double d) {
  double cur = v_.load(std::memory_order_relaxed);
  while (!v_.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

void Gauge::Add(double d) {
  double cur = v_.load(std::memory_order_relaxed);
  while (!v_.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_[i];
  sum_ += v;
  ++count_;
}

Histogram::Snapshot Histogram::Snap() const {
  Snapshot s;
  s.bounds = bounds_;
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t acc = 0;
  for (uint64_t c : counts_) {
    acc += c;
    s.cumulative.push_back(acc);
  }
  s.sum = sum_;
  s.count = count_;
  return s;
}

Summary::Summary(Clock now, int64_t max_age_ms, size_t max_samples, std::vector<double> quantiles)
    : now_(now ? std::move(now)
               : Clock([] {
                   return std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now().time_since_epoch())
                       .count();
                 })),
      max_age_ms_(max_age_ms),
      max_samples_(std::max<size_t>(1, max_samples)),
      quantiles_(std::move(quantiles)) {}

void Summary::Expire(int64_t now) const {
  while (!window_.empty() && window_.front().first <= now - max_age_ms_) window_.pop_front();
}

void Summary::Observe(double v) {
  const int64_t now = now_();
  std::lock_guard<std::mutex> lock(mu_);
  sum_ += v;
  ++count_;
  window_.emplace_back(now, v);
  if (window_.size() > max_samples_) window_.pop_front();
  Expire(now);
}

Summary::Snapshot Summary::Snap() const {
  const int64_t now = now_();
  std::vector<double> values;
  Snapshot s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Expire(now);
    values.reserve(window_.size());
    for (const auto& [t, v] : window_) values.push_back(v);
    s.sum = sum_;
    s.count = count_;
  }
  std::sort(values.begin(), values.end());
  for (double q : quantiles_) {
    double v = std::numeric_limits<double>::quiet_NaN();
    if (!values.empty()) {
      // The smallest observation with at least q of them at or below it (nearest rank).
      auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
      v = values[std::clamp<size_t>(rank, 1, values.size()) - 1];
    }
    s.quantiles.emplace_back(q, v);
  }
  return s;
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
}

MetricsRegistry::Family& MetricsRegistry::GetFamily(const std::string& name,
                                                    const std::string& help, Kind kind,
                                                    const std::vector<std::string>& label_names) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    Family f{kind, help, label_names, {}, {}, {}, {}, {}};
    it = families_.emplace(name, std::move(f)).first;
  }
  return it->second;
}

Counter* MetricsRegistry::GetCounter(const std::string& name, const std::string& help,
                                     const std::vector<std::string>& label_names,
                                     const std::vector<std::string>& label_values) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = GetFamily(name, help, Kind::kCounter, label_names);
  auto& slot = f.counters[label_values];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

Gauge* MetricsRegistry::GetGauge(const std::string& name, const std::string& help,
                                 const std::vector<std::string>& label_names,
                                 const std::vector<std::string>& label_values) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = GetFamily(name, help, Kind::kGauge, label_names);
  auto& slot = f.gauges[label_values];
  if (!slot) slot = std::make_unique<Gauge>();
  return slot.get();
}

Histogram* MetricsRegistry::GetHistogram(const std::string& name, const std::string& help,
                                         const std::vector<double>& bounds,
                                         const std::vector<std::string>& label_names,
                                         const std::vector<std::string>& label_values) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = GetFamily(name, help, Kind::kHistogram, label_names);
  if (f.bounds.empty()) f.bounds = bounds;
  auto& slot = f.histograms[label_values];
  if (!slot) slot = std::make_unique<Histogram>(f.bounds);
  return slot.get();
}

Summary* MetricsRegistry::GetSummary(const std::string& name, const std::string& help,
                                     const std::vector<std::string>& label_names,
                                     const std::vector<std::string>& label_values) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = GetFamily(name, help, Kind::kSummary, label_names);
  auto& slot = f.summaries[label_values];
  if (!slot) slot = std::make_unique<Summary>();
  return slot.get();
}

void MetricsRegistry::AddCollector(Collector c) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.push_back(std::move(c));
}

// client_golang's writeFloat: strconv.FormatFloat(v, 'g', -1, 64).
std::string FormatMetricValue(double v) { return FormatFloat(v, 'g', -1); }

void AppendSimpleMetric(std::string& out, std::string_view name, std::string_view type,
                        std::string_view help, double value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(" ").append(FormatMetricValue(value)).append("\n");
}

void AppendSummarySamples(std::string& out, std::string_view name, std::string_view labels,
                          const Summary::Snapshot& s) {
  const std::string sep = labels.empty() ? "" : ",";
  for (const auto& [q, v] : s.quantiles) {
    out.append(name).append("{").append(labels).append(sep).append("quantile=\"");
    out.append(FormatMetricValue(q)).append("\"} ").append(FormatMetricValue(v)).append("\n");
  }
  const std::string block = labels.empty() ? "" : "{" + std::string(labels) + "}";
  out.append(name).append("_sum").append(block).append(" ").append(FormatMetricValue(s.sum)).append("\n");
  out.append(name).append("_count").append(block).append(" ").append(std::to_string(s.count)).append("\n");
}

namespace {

std::string LabelBlock(const std::vector<std::string>& names, const std::vector<std::string>& values,
                       std::string_view extra_name = {}, std::string_view extra_value = {}) {
  std::string s;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    s.append(s.empty() ? "" : ",").append(names[i]).append("=\"");
    s.append(EscapeLabelValue(values[i])).append("\"");
  }
  if (!extra_name.empty()) {
    s.append(s.empty() ? "" : ",").append(extra_name).append("=\"");
    s.append(extra_value).append("\"");
  }
  return s.empty() ? s : "{" + s + "}";
}

}  // namespace

std::string MetricsRegistry::Expose() const {
  std::string out;
  std::vector<Collector> collectors;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, f] : families_) {
      const char* type = f.kind == Kind::kCounter     ? "counter"
                         : f.kind == Kind::kGauge     ? "gauge"
                         : f.kind == Kind::kHistogram ? "histogram"
                                                      : "summary";
      out.append("# HELP ").append(name).append(" ").append(f.help).append("\n");
      out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
      for (const auto& [vals, c] : f.counters) {
        out.append(name).append(LabelBlock(f.label_names, vals)).append(" ");
        out.append(FormatMetricValue(c->Value())).append("\n");
      }
      for (const auto& [vals, g] : f.gauges) {
        out.append(name).append(LabelBlock(f.label_names, vals)).append(" ");
        out.append(FormatMetricValue(g->Value())).append("\n");
      }
      for (const auto& [vals, h] : f.histograms) {
        Histogram::Snapshot s = h->Snap();
        for (size_t i = 0; i < s.cumulative.size(); ++i) {
          std::string le = i < s.bounds.size() ? FormatMetricValue(s.bounds[i]) : "+Inf";
          out.append(name).append("_bucket").append(LabelBlock(f.label_names, vals, "le", le));
          out.append(" ").append(std::to_string(s.cumulative[i])).append("\n");
        }
        out.append(name).append("_sum").append(LabelBlock(f.label_names, vals)).append(" ");
        out.append(FormatMetricValue(s.sum)).append("\n");
        out.append(name).append("_count").append(LabelBlock(f.label_names, vals)).append(" ");
        out.append(std::to_string(s.count)).append("\n");
      }
      for (const auto& [vals, sm] : f.summaries) {
        std::string block = LabelBlock(f.label_names, vals);
        if (!block.empty()) block = block.substr(1, block.size() - 2);
        AppendSummarySamples(out, name, block, sm->Snap());
      }
    }
    collectors = collectors_;
  }
  for (const auto& c : collectors) c(out);
  return out;
}

}  // namespace tidemark
