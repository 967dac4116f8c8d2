// /metrics collectors for storage and ingest counters.
#include <string_view>
#include <utility>
#include <vector>

#include "serve_wiring.h"

namespace tidemark::app {

namespace {

// A counter family with one label: HELP and TYPE, then a line per (label value, count).
void AppendLabeledCounter(std::string& out, std::string_view name, std::string_view help,
                          std::string_view label,
                          const std::vector<std::pair<std::string_view, uint64_t>>& values) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" counter\n");
  for (const auto& [label_value, v] : values) {
    out.append(name).append("{").append(label).append("=\"").append(label_value).append("\"} ");
    out.append(FormatMetricValue(static_cast<double>(v))).append("\n");
  }
}

}  // namespace

void RegisterServerMetrics(MetricsRegistry& metrics, Storage& storage, ingest::Ingester& ingester,
                           alerting::RuleManager& rules) {
  metrics.AddCollector([&storage](std::string& out) {
    StorageStats s = storage.Stats();
    AppendSimpleMetric(out, "tidemark_storage_series", "gauge", "Number of series in the store.",
                       static_cast<double>(s.num_series));
    AppendSimpleMetric(out, "tidemark_storage_head_chunks", "gauge", "Open chunks in the head.",
                       static_cast<double>(s.head_chunks));
    AppendSimpleMetric(out, "tidemark_storage_samples_appended_total", "counter",
                       "Samples committed since start.",
                       static_cast<double>(s.num_samples_appended));
    AppendSimpleMetric(out, "tidemark_storage_size_bytes", "gauge",
                       "Bytes used on disk by the store (RocksDB files).",
                       static_cast<double>(s.bytes_on_disk));
    AppendSimpleMetric(out, "tidemark_storage_min_time_seconds", "gauge",
                       "Oldest sample timestamp.", static_cast<double>(s.min_time) / 1000.0);
    AppendSimpleMetric(out, "tidemark_storage_max_time_seconds", "gauge",
                       "Newest sample timestamp.", static_cast<double>(s.max_time) / 1000.0);
    AppendLabeledCounter(out, "tidemark_storage_rejected_samples_total",
                         "Samples rejected by storage by reason.", "reason",
                         {{"out_of_order", s.rejected_out_of_order},
                          {"duplicate", s.rejected_duplicate},
                          {"invalid", s.rejected_invalid}});
    AppendLabeledCounter(out, "tidemark_storage_write_failures_total",
                         "Writes to the store that failed, by reason (ingest meanwhile answers 503).",
                         "reason",
                         {{"no_space", s.write_failures_no_space},
                          {"other", s.write_failures_other}});
  });
  metrics.AddCollector([&ingester](std::string& out) {
    ingest::IngestStats s = ingester.Stats();
    AppendLabeledCounter(out, "tidemark_ingest_requests_total", "Ingest requests by protocol.",
                         "protocol",
                         {{"remote_write_v1", s.requests_remote_write_v1},
                          {"remote_write_v2", s.requests_remote_write_v2},
                          {"otlp_protobuf", s.requests_otlp_protobuf},
                          {"otlp_json", s.requests_otlp_json}});
    AppendSimpleMetric(out, "tidemark_ingest_requests_failed_total", "counter",
                       "Ingest requests answered with a non-2xx status.",
                       static_cast<double>(s.requests_failed));
    AppendSimpleMetric(out, "tidemark_ingest_samples_total", "counter", "Samples accepted.",
                       static_cast<double>(s.samples_accepted));
    std::vector<std::pair<std::string_view, uint64_t>> rejected = {
        {"invalid", s.samples_rejected_invalid},
        {"out_of_order", s.samples_rejected_out_of_order},
        {"duplicate", s.samples_rejected_duplicate},
        {"unsupported", s.samples_rejected_unsupported}};
    for (size_t l = 0; l < ingest::kIngestLimits; ++l) {  // one reason per limit (--ingest.*)
      rejected.emplace_back(ingest::IngestLimitReason(ingest::IngestLimit(l)),
                            s.samples_rejected_limit[l]);
    }
    AppendLabeledCounter(out, "tidemark_ingest_samples_rejected_total",
                         "Samples rejected by reason.", "reason", rejected);
    AppendSimpleMetric(out, "tidemark_ingest_exemplars_ignored_total", "counter",
                       "Exemplars received and dropped.", static_cast<double>(s.exemplars_ignored));
    AppendSimpleMetric(out, "tidemark_ingest_histograms_ignored_total", "counter",
                       "Native histogram samples received and dropped.",
                       static_cast<double>(s.histograms_ignored));
    AppendSimpleMetric(out, "tidemark_ingest_received_bytes_total", "counter",
                       "Request body bytes received (before decompression).",
                       static_cast<double>(s.bytes_received));
  });
  metrics.AddCollector([&rules](std::string& out) { out += rules.MetricsText(); });
}

}  // namespace tidemark::app
