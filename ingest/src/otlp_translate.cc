// OTLP data points → Prometheus series (rules documented in docs/ingest.md).
#include <algorithm>
#include <map>

#include "delta_to_cumulative.h"
#include "otlp.h"
#include "otlp_naming.h"
#include "tidemark/storage/model/sample.h"

namespace tidemark::ingest {
namespace {

constexpr std::string_view kServiceName = "service.name";
constexpr std::string_view kServiceNamespace = "service.namespace";
constexpr std::string_view kServiceInstanceId = "service.instance.id";

Timestamp NanosToMillis(uint64_t ns) { return static_cast<Timestamp>(ns / 1000000); }

const OtlpAttribute* Find(const std::vector<OtlpAttribute>& attrs, std::string_view key) {
  for (const OtlpAttribute& a : attrs) {
    if (a.key == key) return &a;
  }
  return nullptr;
}

// Ordered label map under construction (names are already Prometheus label names).
using LabelMap = std::map<std::string, std::string, std::less<>>;

// Adds attributes sorted by key; keys that sanitize to the same name get their values joined
// with ';' in key order.
void AddAttributes(const std::vector<OtlpAttribute>& attrs, LabelMap* out,
                   bool (*skip)(std::string_view) = nullptr) {
  std::vector<const OtlpAttribute*> sorted;
  sorted.reserve(attrs.size());
  for (const OtlpAttribute& a : attrs) {
    if (!skip || !skip(a.key)) sorted.push_back(&a);
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const OtlpAttribute* a, const OtlpAttribute* b) { return a->key < b->key; });
  for (const OtlpAttribute* a : sorted) {
    std::string name = PrometheusLabelName(a->key);
    if (name.empty()) continue;
    auto [it, inserted] = out->try_emplace(std::move(name), a->value);
    if (!inserted) it->second += ";" + a->value;
  }
}

bool IsIdentifying(std::string_view key) {
  return key == kServiceName || key == kServiceNamespace || key == kServiceInstanceId;
}

// Labels shared by every series of a resource: job, instance and promoted attributes.
struct ResourceLabels {
  std::string job;
  std::string instance;
  LabelMap promoted;
};

ResourceLabels BuildResourceLabels(const std::vector<OtlpAttribute>& attrs, const IngestOptions::Otlp& otlp) {
  ResourceLabels r;
  const OtlpAttribute* name = Find(attrs, kServiceName);
  const OtlpAttribute* ns = Find(attrs, kServiceNamespace);
  const OtlpAttribute* inst = Find(attrs, kServiceInstanceId);
  if (name) r.job = ns && !ns->value.empty() ? ns->value + "/" + name->value : name->value;
  if (inst) r.instance = inst->value;
  std::vector<OtlpAttribute> promoted;
  if (otlp.promote_all_resource_attributes) {
    const auto& ignored = otlp.ignore_resource_attributes;
    for (const OtlpAttribute& a : attrs) {
      if (std::find(ignored.begin(), ignored.end(), a.key) == ignored.end()) promoted.push_back(a);
    }
  } else {
    for (const std::string& key : otlp.promote_resource_attributes) {
      if (const OtlpAttribute* a = Find(attrs, key)) promoted.push_back(*a);
    }
  }
  AddAttributes(promoted, &r.promoted);
  return r;
}

class PointWriter {
 public:
  PointWriter(const IngestOptions& options, BatchWriter& writer, const ResourceLabels& resource)
      : options_(options), writer_(writer), resource_(resource) {}

  // Base label map for a point: data point attributes, then promoted resource attributes where
  // not already set, then job/instance (which win).
  LabelMap Base(const std::vector<OtlpAttribute>& attrs) const {
    LabelMap m;
    AddAttributes(attrs, &m);
    for (const auto& [k, v] : resource_.promoted) m.try_emplace(k, v);
    if (!resource_.job.empty()) m["job"] = resource_.job;
    if (!resource_.instance.empty()) m["instance"] = resource_.instance;
    return m;
  }

  void Write(const LabelMap& base, std::string_view name, std::string_view extra_name,
             std::string_view extra_value, const SampleIn& sample) {
    std::vector<Label> labels;
    labels.reserve(base.size() + 2);
    for (const auto& [k, v] : base) {
      if (k == kMetricName || k == extra_name) continue;
      labels.push_back({k, v});
    }
    labels.push_back({std::string(kMetricName), std::string(name)});
    if (!extra_name.empty()) labels.push_back({std::string(extra_name), std::string(extra_value)});
    writer_.AddSeries(std::move(labels), std::span<const SampleIn>(&sample, 1));
  }

 private:
  [[maybe_unused]] const IngestOptions& options_;
  BatchWriter& writer_;
  const ResourceLabels& resource_;
};

SampleIn MakeSample(uint64_t start_ns, uint64_t time_ns, double v, uint32_t flags) {
  SampleIn s;
  s.st = NanosToMillis(start_ns);
  s.t = NanosToMillis(time_ns);
  s.v = (flags & kOtlpFlagNoRecordedValue) ? StaleNaN() : v;
  return s;
}

std::string_view MetadataType(const OtlpMetric& m) {
  switch (m.kind) {
    case OtlpMetricKind::kGauge: return "gauge";
    case OtlpMetricKind::kSum: return m.monotonic ? "counter" : "gauge";
    case OtlpMetricKind::kHistogram: return "histogram";
    case OtlpMetricKind::kSummary: return "summary";
    default: return "unknown";
  }
}

size_t PointCount(const OtlpMetric& m) {
  return m.numbers.size() + m.histograms.size() + m.summaries.size() + m.exponential_points;
}

}  // namespace

OtlpTranslateResult TranslateOtlp(const OtlpRequest& req, const IngestOptions& options,
                                  BatchWriter& writer, MetadataStore& metadata,
                                  DeltaToCumulative& deltas) {
  OtlpTranslateResult result;
  const IngestOptions::Otlp& otlp = options.otlp;
  for (const OtlpResourceMetrics& rm : req.resources) {
    ResourceLabels resource = BuildResourceLabels(rm.resource_attributes, otlp);
    PointWriter pw(options, writer, resource);
    uint64_t max_time_ns = 0;
    for (const OtlpScopeMetrics& sm : rm.scopes) {
      for (const OtlpMetric& m : sm.metrics) {
        size_t points = PointCount(m);
        result.points_total += points;
        std::string name = PrometheusMetricName(m, otlp.add_suffixes);
        auto reject_all = [&](RejectReason reason, const std::string& why) {
          writer.Reject(reason, points, "metric \"" + m.name + "\": " + why);
          result.points_rejected += points;
        };
        if (m.kind == OtlpMetricKind::kExponentialHistogram) {
          reject_all(RejectReason::kUnsupported, "exponential histograms are not supported");
          continue;
        }
        if (name.empty()) {
          reject_all(RejectReason::kInvalid, "name is empty after normalization");
          continue;
        }
        bool cumulative_kind = m.kind == OtlpMetricKind::kSum || m.kind == OtlpMetricKind::kHistogram;
        if (cumulative_kind && m.temporality == OtlpTemporality::kUnspecified) {
          reject_all(RejectReason::kInvalid, "aggregation temporality is unspecified");
          continue;
        }
        const bool delta = cumulative_kind && m.temporality == OtlpTemporality::kDelta;
        // Recorded for /api/v1/metadata; a full store is not an error for the samples.
        if (points > 0) metadata.Put(name, MetadataType(m), m.description, PrometheusUnit(m.unit));
        auto track = [&](uint64_t time_ns, auto&& write) {
          size_t before = writer.rejected();
          write();
          if (writer.rejected() > before) ++result.points_rejected;
          max_time_ns = std::max(max_time_ns, time_ns);
        };
        // A delta point the accumulator refuses is rejected with its reason.
        auto refuse = [&](DeltaToCumulative::Outcome o) {
          writer.Reject(o == DeltaToCumulative::Outcome::kTooManyStreams ? RejectReason::kUnsupported
                                                                         : RejectReason::kOutOfOrder,
                        1, "metric \"" + m.name + "\": " + std::string(DeltaToCumulative::Describe(o)));
        };
        auto stream_key = [&](const std::vector<OtlpAttribute>& attrs) {
          return DeltaStreamKey(rm.resource_attributes, sm.scope_name, sm.scope_version, m, attrs);
        };
        for (const OtlpNumberPoint& p : m.numbers) {
          track(p.time_ns, [&] {
            OtlpNumberPoint point = p;
            if (delta && !(p.flags & kOtlpFlagNoRecordedValue)) {
              DeltaToCumulative::Number total;
              auto o = deltas.AddNumber(stream_key(p.attributes), {p.start_time_ns, p.time_ns, p.value}, &total);
              if (o != DeltaToCumulative::Outcome::kOk) return refuse(o);
              point.start_time_ns = total.start_ns;
              point.value = total.value;
            }
            pw.Write(pw.Base(point.attributes), name, {}, {},
                     MakeSample(point.start_time_ns, point.time_ns, point.value, point.flags));
          });
        }
        for (const OtlpHistogramPoint& hp : m.histograms) {
          track(hp.time_ns, [&] {
            OtlpHistogramPoint p = hp;
            if (delta && !(hp.flags & kOtlpFlagNoRecordedValue)) {
              DeltaToCumulative::Histogram total;
              auto o = deltas.AddHistogram(stream_key(hp.attributes),
                                           {hp.start_time_ns, hp.time_ns, hp.count, hp.has_sum, hp.sum,
                                            hp.explicit_bounds, hp.bucket_counts},
                                           &total);
              if (o != DeltaToCumulative::Outcome::kOk) return refuse(o);
              p.start_time_ns = total.start_ns;
              p.count = total.count;
              p.has_sum = total.has_sum;
              p.sum = total.sum;
              p.explicit_bounds = std::move(total.bounds);
              p.bucket_counts = std::move(total.buckets);
            }
            LabelMap base = pw.Base(p.attributes);
            auto sample = [&](double v) { return MakeSample(p.start_time_ns, p.time_ns, v, p.flags); };
            uint64_t cumulative = 0;
            for (size_t i = 0; i < p.explicit_bounds.size(); ++i) {
              if (i < p.bucket_counts.size()) cumulative += p.bucket_counts[i];
              pw.Write(base, name + "_bucket", "le", FormatFloat(p.explicit_bounds[i], 'f', -1),
                       sample(static_cast<double>(cumulative)));
            }
            pw.Write(base, name + "_bucket", "le", "+Inf", sample(static_cast<double>(p.count)));
            if (p.has_sum) pw.Write(base, name + "_sum", {}, {}, sample(p.sum));
            pw.Write(base, name + "_count", {}, {}, sample(static_cast<double>(p.count)));
          });
        }
        for (const OtlpSummaryPoint& p : m.summaries) {
          track(p.time_ns, [&] {
            LabelMap base = pw.Base(p.attributes);
            auto sample = [&](double v) { return MakeSample(p.start_time_ns, p.time_ns, v, p.flags); };
            for (const OtlpQuantile& q : p.quantiles) {
              pw.Write(base, name, "quantile", FormatFloat(q.quantile, 'f', -1), sample(q.value));
            }
            pw.Write(base, name + "_sum", {}, {}, sample(p.sum));
            pw.Write(base, name + "_count", {}, {}, sample(static_cast<double>(p.count)));
          });
        }
      }
    }
    // target_info carries the resource attributes that did not become job/instance (and those
    // too with keep_identifying_resource_attributes).
    if (options.otlp_target_info && max_time_ns > 0) {
      LabelMap info;
      AddAttributes(rm.resource_attributes, &info,
                    otlp.keep_identifying_resource_attributes ? nullptr : &IsIdentifying);
      if (!info.empty()) {
        if (!resource.job.empty()) info["job"] = resource.job;
        if (!resource.instance.empty()) info["instance"] = resource.instance;
        SampleIn s;
        s.t = NanosToMillis(max_time_ns);
        s.v = 1;
        pw.Write(info, "target_info", {}, {}, s);
        metadata.Put("target_info", "gauge", "Target metadata", "");
      }
    }
  }
  return result;
}

}  // namespace tidemark::ingest
