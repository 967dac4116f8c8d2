// Per-stream accumulation of OTLP delta points (rules in delta_to_cumulative.h).
#include "delta_to_cumulative.h"

#include <algorithm>

namespace tidemark::ingest {

DeltaToCumulative::DeltaToCumulative(size_t max_streams, int64_t max_stale_ms, Clock now)
    : max_streams_(max_streams), max_stale_ms_(max_stale_ms), now_(std::move(now)) {}

std::string_view DeltaToCumulative::Describe(Outcome o) {
  switch (o) {
    case Outcome::kOk: return "ok";
    case Outcome::kOlderStart:
      return "delta point starts before its stream does (several processes sending the same series?)";
    case Outcome::kOutOfOrder: return "delta point is not newer than its stream's last point";
    case Outcome::kTooManyStreams: return "too many delta streams tracked";
  }
  return "unknown";
}

void DeltaToCumulative::Sweep(int64_t now) {
  std::erase_if(streams_, [&](const auto& kv) { return now - kv.second.last_seen_ms >= max_stale_ms_; });
  last_sweep_ms_ = now;
}

DeltaToCumulative::Stream* DeltaToCumulative::FindOrCreate(const std::string& key, int64_t now,
                                                           bool* created) {
  // Stale streams go at most once per tenth of the staleness period, or when full.
  if (now - last_sweep_ms_ >= max_stale_ms_ / 10) Sweep(now);
  auto it = streams_.find(key);
  if (it != streams_.end() && now - it->second.last_seen_ms >= max_stale_ms_) {
    streams_.erase(it);  // stale: its next point starts afresh
    it = streams_.end();
  }
  *created = it == streams_.end();
  if (!*created) return &it->second;
  if (streams_.size() >= max_streams_) {
    Sweep(now);
    if (streams_.size() >= max_streams_) return nullptr;
  }
  return &streams_[key];
}

DeltaToCumulative::Outcome DeltaToCumulative::AddNumber(const std::string& key, const Number& point,
                                                        Number* total) {
  const int64_t now = now_();
  std::lock_guard lock(mu_);
  bool created = false;
  Stream* s = FindOrCreate(key, now, &created);
  if (s == nullptr) return Outcome::kTooManyStreams;
  if (!created) {
    if (point.start_ns < s->number.start_ns) return Outcome::kOlderStart;
    if (point.time_ns <= s->number.time_ns) return Outcome::kOutOfOrder;
    s->number.value += point.value;
    s->number.time_ns = point.time_ns;
  } else {
    s->number = point;
  }
  s->last_seen_ms = now;
  *total = s->number;
  return Outcome::kOk;
}

DeltaToCumulative::Outcome DeltaToCumulative::AddHistogram(const std::string& key,
                                                           const Histogram& point,
                                                           Histogram* total) {
  const int64_t now = now_();
  std::lock_guard lock(mu_);
  bool created = false;
  Stream* s = FindOrCreate(key, now, &created);
  if (s == nullptr) return Outcome::kTooManyStreams;
  Histogram& h = s->histogram;
  if (!created) {
    if (point.start_ns < h.start_ns) return Outcome::kOlderStart;
    if (point.time_ns <= h.time_ns) return Outcome::kOutOfOrder;
  }
  if (created || point.bounds != h.bounds || point.buckets.size() != h.buckets.size()) {
    h = point;
  } else {
    h.time_ns = point.time_ns;
    h.count += point.count;
    h.sum += point.sum;
    h.has_sum = h.has_sum && point.has_sum;
    for (size_t i = 0; i < h.buckets.size(); ++i) h.buckets[i] += point.buckets[i];
  }
  s->last_seen_ms = now;
  *total = h;
  return Outcome::kOk;
}

size_t DeltaToCumulative::streams() const {
  std::lock_guard lock(mu_);
  return streams_.size();
}

std::string DeltaStreamKey(const std::vector<OtlpAttribute>& resource, std::string_view scope_name,
                           std::string_view scope_version, const OtlpMetric& metric,
                           const std::vector<OtlpAttribute>& point_attributes) {
  // Fields joined with bytes that cannot occur in UTF-8 text, attributes sorted by key.
  auto add_attrs = [](std::string& k, const std::vector<OtlpAttribute>& attrs) {
    std::vector<const OtlpAttribute*> sorted;
    for (const auto& a : attrs) sorted.push_back(&a);
    std::sort(sorted.begin(), sorted.end(),
              [](const OtlpAttribute* a, const OtlpAttribute* b) { return a->key < b->key; });
    for (const auto* a : sorted) k.append(a->key).push_back('\xfe');
    k.push_back('\xff');
    for (const auto* a : sorted) k.append(a->value).push_back('\xfe');
    k.push_back('\xff');
  };
  std::string k;
  add_attrs(k, resource);
  k.append(scope_name).push_back('\xff');
  k.append(scope_version).push_back('\xff');
  k.append(metric.name).push_back('\xff');
  k.append(metric.unit).push_back('\xff');
  k.push_back(static_cast<char>(metric.kind));
  k.push_back(metric.monotonic ? '1' : '0');
  add_attrs(k, point_attributes);
  return k;
}

}  // namespace tidemark::ingest
