// Ingester: request dispatch, decompression, limits and status mapping (see ingester.h).
#include "tidemark/ingest/ingester.h"

#include <atomic>
#include <chrono>
#include <limits>
#include <mutex>

#include "batch_writer.h"
#include "compression.h"
#include "delta_to_cumulative.h"
#include "tidemark/storage/model/gzip.h"
#include "content_type.h"
#include "metadata_store.h"
#include "otlp.h"
#include "reject_log.h"
#include "remote_write_decode.h"

namespace tidemark::ingest {
namespace {

constexpr std::string_view kProtoV1 = "prometheus.WriteRequest";
constexpr std::string_view kProtoV2 = "io.prometheus.write.v2.Request";

IngestResponse Text(int status, std::string msg) {
  IngestResponse r;
  r.http_status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(msg);
  if (r.body.empty() || r.body.back() != '\n') r.body += '\n';
  return r;
}

// HTTP status for a retryable storage failure: 429 when the store asks to slow down,
// 503 when it is unavailable, 500 for anything unexpected (senders retry all 5xx).
int RetryableStatus(const Status& st) {
  switch (st.code()) {
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

// OTLP error code (google.rpc.Code) for an HTTP status.
int RpcCode(int http_status) {
  switch (http_status) {
    case 400: return 3;   // INVALID_ARGUMENT
    case 413: return 8;   // RESOURCE_EXHAUSTED
    case 415: return 3;
    case 429: return 8;
    case 503: return 14;  // UNAVAILABLE
    default: return 13;   // INTERNAL
  }
}

struct Counter {
  std::atomic<uint64_t> v{0};
  void Add(uint64_t n) { v.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Get() const { return v.load(std::memory_order_relaxed); }
};

}  // namespace

// Reusable per-request buffers, pooled so concurrent requests do not share them.
struct Scratch {
  std::string decompressed;
  DecodeScratch decode;
  std::vector<Label> labels;
};

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Ingester::Impl {
  Impl(Appendable& s, IngestOptions o)
      : storage(s),
        options(std::move(o)),
        otlp(options.otlp),
        deltas(options.otlp_delta_max_streams, options.otlp_delta_max_stale_ms,
               options.monotonic_ms ? options.monotonic_ms : SteadyMs),
        rejects(options.warn, options.monotonic_ms ? options.monotonic_ms : SteadyMs) {}

  Appendable& storage;
  const IngestOptions options;
  std::mutex otlp_mu;
  IngestOptions::Otlp otlp;  // options.otlp as last set (reloads); guarded by otlp_mu
  DeltaToCumulative deltas;
  RejectLog rejects;
  MetadataStore metadata;

  std::mutex pool_mu;
  std::vector<std::unique_ptr<Scratch>> pool;

  Counter rw1, rw2, otlp_pb, otlp_json, failed, accepted, rej_invalid, rej_ooo, rej_dup,
      rej_unsupported, exemplars, histograms, metadata_received, bytes_in, bytes_out;
  std::array<Counter, kIngestLimits> rej_limit;

  std::unique_ptr<Scratch> Acquire() {
    std::lock_guard lock(pool_mu);
    if (pool.empty()) return std::make_unique<Scratch>();
    auto s = std::move(pool.back());
    pool.pop_back();
    return s;
  }
  void Release(std::unique_ptr<Scratch> s) {
    // Don't keep very large buffers alive between requests.
    if (s->decompressed.capacity() > (8u << 20)) s->decompressed = std::string();
    std::lock_guard lock(pool_mu);
    if (pool.size() < 8) pool.push_back(std::move(s));
  }

  void Account(const BatchWriter& w) {
    accepted.Add(w.accepted());
    rej_invalid.Add(w.rejected_invalid());
    rej_ooo.Add(w.rejected_out_of_order());
    rej_dup.Add(w.rejected_duplicate());
    rej_unsupported.Add(w.rejected_unsupported());
    for (size_t l = 0; l < kIngestLimits; ++l) rej_limit[l].Add(w.rejected_limit(IngestLimit(l)));
  }

  IngestResponse Failed(IngestResponse r) {
    if (r.http_status >= 300) failed.Add(1);
    return r;
  }

  IngestResponse RemoteWrite(std::string_view body, std::string_view content_type,
                             std::string_view content_encoding);
  IngestResponse Otlp(std::string_view body, std::string_view content_type,
                      std::string_view content_encoding);
};

// Visitor used by the remote-write decoders: builds labels and stages samples.
class RemoteWriteSink {
 public:
  RemoteWriteSink(MetadataStore& metadata, BatchWriter& writer, size_t max_labels)
      : metadata_(metadata), writer_(writer), max_labels_(max_labels) {}

  void OnSeries(const SeriesView& s) {
    exemplars_ += s.exemplars;
    histograms_ += s.histograms;
    if (s.metadata_type != 0 || !s.help.empty() || !s.unit.empty()) {
      for (const LabelView& l : s.labels) {
        if (l.name == kMetricName) {
          if (metadata_.Put(l.value, MetricTypeName(s.metadata_type), s.help, s.unit)) ++metadata_count_;
          break;
        }
      }
    }
    if (s.samples.empty()) return;
    if (s.dropped_labels > 0) {
      writer_.RejectLimit(IngestLimit::kLabelLimit, s.samples.size(),
                          std::string(IngestLimitFlag(IngestLimit::kLabelLimit)) + ": series has " +
                              std::to_string(s.labels.size() + s.dropped_labels) +
                              " labels, more than the limit of " + std::to_string(max_labels_));
      return;
    }
    writer_.AddSeriesViews(s.labels, s.samples);
  }

  void OnMetadata(const MetadataView& m) {
    if (metadata_.Put(m.metric, MetricTypeName(m.type), m.help, m.unit)) ++metadata_count_;
  }

  size_t exemplars() const { return exemplars_; }
  size_t histograms() const { return histograms_; }
  size_t metadata_count() const { return metadata_count_; }

 private:
  MetadataStore& metadata_;
  BatchWriter& writer_;
  size_t max_labels_;
  size_t metadata_count_ = 0;
  size_t exemplars_ = 0;
  size_t histograms_ = 0;
};

std::string_view IngestLimitReason(IngestLimit l) {
  switch (l) {
    case IngestLimit::kLabelLimit: return "label_limit";
    case IngestLimit::kLabelNameLength: return "label_name_length_limit";
    case IngestLimit::kLabelValueLength: return "label_value_length_limit";
    case IngestLimit::kSeriesLimit: return "series_limit";
    case IngestLimit::kSeriesLimitPerMetric: return "series_limit_per_metric";
  }
  return "unknown";
}

std::string_view IngestLimitFlag(IngestLimit l) {
  switch (l) {
    case IngestLimit::kLabelLimit: return "--ingest.label-limit";
    case IngestLimit::kLabelNameLength: return "--ingest.label-name-length-limit";
    case IngestLimit::kLabelValueLength: return "--ingest.label-value-length-limit";
    case IngestLimit::kSeriesLimit: return "--ingest.series-limit";
    case IngestLimit::kSeriesLimitPerMetric: return "--ingest.series-limit-per-metric";
  }
  return "";
}

IngestResponse Ingester::Impl::RemoteWrite(std::string_view body, std::string_view content_type,
                                           std::string_view content_encoding) {
  bytes_in.Add(body.size());
  MediaType mt = ParseMediaType(content_type);
  if (!mt.type.empty() && mt.type != "application/x-protobuf") {
    return Failed(Text(415, "unsupported Content-Type \"" + std::string(content_type) +
                                "\"; expected application/x-protobuf"));
  }
  bool v2 = false;
  if (mt.proto == kProtoV2) {
    v2 = true;
  } else if (!mt.proto.empty() && mt.proto != kProtoV1) {
    return Failed(Text(415, "unsupported remote-write protobuf message \"" + mt.proto + "\"; expected " +
                                std::string(kProtoV1) + " or " + std::string(kProtoV2)));
  }
  (v2 ? rw2 : rw1).Add(1);
  std::string enc = NormalizeToken(content_encoding);
  if (!enc.empty() && enc != "snappy") {
    return Failed(Text(415, "unsupported Content-Encoding \"" + std::string(content_encoding) +
                                "\"; remote-write bodies must be snappy-compressed"));
  }
  if (body.size() > options.max_body_bytes) {
    return Failed(Text(413, "request body of " + std::to_string(body.size()) +
                                " bytes exceeds the limit of " + std::to_string(options.max_body_bytes)));
  }
  auto scratch = Acquire();
  Status st = SnappyDecompress(body, options.max_decompressed_bytes, &scratch->decompressed);
  if (!st.ok()) {
    Release(std::move(scratch));
    return Failed(Text(st.code() == StatusCode::kResourceExhausted ? 413 : 400, st.message()));
  }
  bytes_out.Add(scratch->decompressed.size());

  BatchWriter writer(storage, options);
  scratch->decode.max_labels = options.max_labels_per_series == 0
                                  ? std::numeric_limits<size_t>::max()
                                  : options.max_labels_per_series;
  RemoteWriteSink sink(metadata, writer, options.max_labels_per_series);
  st = v2 ? DecodeRemoteWriteV2(scratch->decompressed, scratch->decode, sink)
          : DecodeRemoteWriteV1(scratch->decompressed, scratch->decode, sink);
  exemplars.Add(sink.exemplars());
  histograms.Add(sink.histograms());
  metadata_received.Add(sink.metadata_count());
  if (!st.ok()) {
    writer.Abort();
    Release(std::move(scratch));
    return Failed(Text(st.code() == StatusCode::kResourceExhausted ? 413 : 400, st.message()));
  }
  Status commit = writer.Finish();
  Release(std::move(scratch));
  Account(writer);
  rejects.Record("remote write", writer);
  IngestResponse resp;
  if (!commit.ok()) {
    resp = Text(RetryableStatus(commit), "storage: " + commit.message());
  } else if (writer.rejected() > 0) {
    resp = Text(400, writer.Summary());
  } else {
    resp.http_status = 204;
  }
  if (v2) {
    // Written counts are what was durably stored; histograms and exemplars are not stored.
    resp.headers.emplace_back("X-Prometheus-Remote-Write-Samples-Written", std::to_string(writer.accepted()));
    resp.headers.emplace_back("X-Prometheus-Remote-Write-Histograms-Written", "0");
    resp.headers.emplace_back("X-Prometheus-Remote-Write-Exemplars-Written", "0");
  }
  return Failed(std::move(resp));
}

IngestResponse Ingester::Impl::Otlp(std::string_view body, std::string_view content_type,
                                    std::string_view content_encoding) {
  bytes_in.Add(body.size());
  MediaType mt = ParseMediaType(content_type);
  bool json;
  if (mt.type == "application/x-protobuf" || mt.type == "application/protobuf") {
    json = false;
  } else if (mt.type == "application/json") {
    json = true;
  } else {
    return Failed(Text(415, "unsupported Content-Type \"" + std::string(content_type) +
                                "\"; expected application/x-protobuf or application/json"));
  }
  (json ? otlp_json : otlp_pb).Add(1);
  auto error = [&](int status, std::string_view msg) {
    IngestResponse r;
    r.http_status = status;
    r.content_type = json ? "application/json" : "application/x-protobuf";
    r.body = EncodeRpcStatus(json, RpcCode(status), msg);
    return Failed(std::move(r));
  };
  if (body.size() > options.max_body_bytes) {
    return error(413, "request body of " + std::to_string(body.size()) + " bytes exceeds the limit of " +
                          std::to_string(options.max_body_bytes));
  }
  std::string enc = NormalizeToken(content_encoding);
  auto scratch = Acquire();
  std::string_view payload = body;
  if (enc == "gzip" || enc == "x-gzip" || enc == "deflate") {
    Status st = GzipDecompress(body, options.max_decompressed_bytes, &scratch->decompressed);
    if (!st.ok()) {
      Release(std::move(scratch));
      return error(st.code() == StatusCode::kResourceExhausted ? 413 : 400, st.message());
    }
    payload = scratch->decompressed;
    bytes_out.Add(payload.size());
  } else if (!enc.empty() && enc != "identity") {
    Release(std::move(scratch));
    return error(415, "unsupported Content-Encoding \"" + std::string(content_encoding) + "\"");
  } else if (body.size() > options.max_decompressed_bytes) {
    Release(std::move(scratch));
    return error(413, "request body exceeds the limit of " + std::to_string(options.max_decompressed_bytes));
  }
  OtlpRequest req;
  Status st = json ? DecodeOtlpJson(payload, options.otlp_max_data_points, &req)
                   : DecodeOtlpProto(payload, options.otlp_max_data_points, &req);
  if (!st.ok()) {
    Release(std::move(scratch));
    return error(st.code() == StatusCode::kResourceExhausted ? 413 : 400, st.message());
  }
  IngestOptions current = options;
  {
    std::lock_guard lock(otlp_mu);
    current.otlp = otlp;
  }
  BatchWriter writer(storage, current);
  OtlpTranslateResult tr = TranslateOtlp(req, current, writer, metadata, deltas);
  Status commit = writer.Finish();
  Release(std::move(scratch));
  Account(writer);
  rejects.Record("OTLP", writer);
  if (!commit.ok()) return error(RetryableStatus(commit), "storage: " + commit.message());
  // As Prometheus' OTLP receiver answers samples it will never take: 400, so the sender drops
  // them instead of retrying (the valid points are committed).
  if (writer.rejected_limits() > 0) return error(400, writer.Summary());
  IngestResponse r;
  r.http_status = 200;
  r.content_type = json ? "application/json" : "application/x-protobuf";
  std::string msg;
  if (tr.points_rejected > 0) {
    msg = "rejected " + std::to_string(tr.points_rejected) + " of " + std::to_string(tr.points_total) +
          " data points; samples " + writer.Summary();
  }
  r.body = EncodeOtlpResponse(json, static_cast<int64_t>(tr.points_rejected), msg);
  return r;
}

Ingester::Ingester(Appendable& storage, IngestOptions options)
    : impl_(std::make_unique<Impl>(storage, std::move(options))) {}

Ingester::~Ingester() = default;

void Ingester::SetOtlpConfig(IngestOptions::Otlp otlp) {
  std::lock_guard lock(impl_->otlp_mu);
  impl_->otlp = std::move(otlp);
}

IngestResponse Ingester::RemoteWrite(std::string_view body, std::string_view content_type,
                                     std::string_view content_encoding) {
  return impl_->RemoteWrite(body, content_type, content_encoding);
}

IngestResponse Ingester::Otlp(std::string_view body, std::string_view content_type,
                              std::string_view content_encoding) {
  return impl_->Otlp(body, content_type, content_encoding);
}

std::vector<MetricMetadata> Ingester::Metadata(std::string_view metric, size_t limit) const {
  return impl_->metadata.List(metric, limit);
}

void Ingester::AddMetadata(const std::vector<MetricMetadata>& metadata) {
  for (const MetricMetadata& m : metadata) impl_->metadata.Put(m.metric, m.type, m.help, m.unit);
}

IngestStats Ingester::Stats() const {
  const Impl& i = *impl_;
  IngestStats s;
  s.requests_remote_write_v1 = i.rw1.Get();
  s.requests_remote_write_v2 = i.rw2.Get();
  s.requests_otlp_protobuf = i.otlp_pb.Get();
  s.requests_otlp_json = i.otlp_json.Get();
  s.requests_failed = i.failed.Get();
  s.samples_accepted = i.accepted.Get();
  s.samples_rejected_invalid = i.rej_invalid.Get();
  s.samples_rejected_out_of_order = i.rej_ooo.Get();
  s.samples_rejected_duplicate = i.rej_dup.Get();
  s.samples_rejected_unsupported = i.rej_unsupported.Get();
  for (size_t l = 0; l < kIngestLimits; ++l) s.samples_rejected_limit[l] = i.rej_limit[l].Get();
  s.exemplars_ignored = i.exemplars.Get();
  s.histograms_ignored = i.histograms.Get();
  s.metadata_received = i.metadata_received.Get();
  s.bytes_received = i.bytes_in.Get();
  s.bytes_decompressed = i.bytes_out.Get();
  return s;
}

std::string_view MetricTypeName(uint32_t type) {
  static constexpr std::string_view kNames[] = {"unknown", "counter", "gauge", "histogram",
                                                "gaugehistogram", "summary", "info", "stateset"};
  return type < std::size(kNames) ? kNames[type] : "unknown";
}

}  // namespace tidemark::ingest
