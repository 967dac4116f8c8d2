// /metrics collectors for storage and ingest counters.
#include "serve_wiring.h"

namespace tidemark::app {

void RegisterServerMetrics(MetricsRegistry& metrics, Storage& storage, ingest::Ingester& ingester,
                           RulesService& rules) {
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
    out += "# HELP tidemark_storage_rejected_samples_total Samples rejected by storage by reason.\n";
    out += "# TYPE tidemark_storage_rejected_samples_total counter\n";
    out += "tidemark_storage_rejected_samples_total{reason=\"out_of_order\"} " +
           FormatMetricValue(static_cast<double>(s.rejected_out_of_order)) + "\n";
    out += "tidemark_storage_rejected_samples_total{reason=\"duplicate\"} " +
           FormatMetricValue(static_cast<double>(s.rejected_duplicate)) + "\n";
    out += "tidemark_storage_rejected_samples_total{reason=\"invalid\"} " +
           FormatMetricValue(static_cast<double>(s.rejected_invalid)) + "\n";
  });
  metrics.AddCollector([&ingester](std::string& out) {
    ingest::IngestStats s = ingester.Stats();
    out += "# HELP tidemark_ingest_requests_total Ingest requests by protocol.\n";
    out += "# TYPE tidemark_ingest_requests_total counter\n";
    auto line = [&out](const char* name, const char* lk, const char* lv, uint64_t v) {
      out += std::string(name) + "{" + lk + "=\"" + lv + "\"} " +
             FormatMetricValue(static_cast<double>(v)) + "\n";
    };
    line("tidemark_ingest_requests_total", "protocol", "remote_write_v1", s.requests_remote_write_v1);
    line("tidemark_ingest_requests_total", "protocol", "remote_write_v2", s.requests_remote_write_v2);
    line("tidemark_ingest_requests_total", "protocol", "otlp_protobuf", s.requests_otlp_protobuf);
    line("tidemark_ingest_requests_total", "protocol", "otlp_json", s.requests_otlp_json);
    AppendSimpleMetric(out, "tidemark_ingest_requests_failed_total", "counter",
                       "Ingest requests answered with a non-2xx status.",
                       static_cast<double>(s.requests_failed));
    AppendSimpleMetric(out, "tidemark_ingest_samples_total", "counter", "Samples accepted.",
                       static_cast<double>(s.samples_accepted));
    out += "# HELP tidemark_ingest_samples_rejected_total Samples rejected by reason.\n";
    out += "# TYPE tidemark_ingest_samples_rejected_total counter\n";
    line("tidemark_ingest_samples_rejected_total", "reason", "invalid", s.samples_rejected_invalid);
    line("tidemark_ingest_samples_rejected_total", "reason", "out_of_order",
         s.samples_rejected_out_of_order);
    line("tidemark_ingest_samples_rejected_total", "reason", "duplicate",
         s.samples_rejected_duplicate);
    line("tidemark_ingest_samples_rejected_total", "reason", "unsupported",
         s.samples_rejected_unsupported);
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
