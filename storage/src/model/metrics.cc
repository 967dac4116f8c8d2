// Metrics registry and Prometheus text exposition.
#include "tidemark/storage/model/metrics.h"

#include <charconv>
#include <cmath>

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

std::vector<double> DefaultLatencyBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
}

MetricsRegistry::Family& MetricsRegistry::GetFamily(const std::string& name,
                                                    const std::string& help, Kind kind,
                                                    const std::vector<std::string>& label_names) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    Family f{kind, help, label_names, {}, {}, {}, {}};
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
      const char* type = f.kind == Kind::kCounter ? "counter"
                         : f.kind == Kind::kGauge ? "gauge"
                                                  : "histogram";
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
    }
    collectors = collectors_;
  }
  for (const auto& c : collectors) c(out);
  return out;
}

}  // namespace tidemark
