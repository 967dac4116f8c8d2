// Remote-read execution: decode, select through the Queryable per query, encode (remote_read.h).
#include "tidemark/ingest/remote_read.h"

#include <algorithm>
#include <snappy.h>

#include "compression.h"
#include "remote_read_codec.h"
#include "tidemark/ingest/protowire_writer.h"

namespace tidemark::ingest {

namespace {

// Prometheus' decodeReadLimit: compressed and decompressed request bodies.
constexpr size_t kMaxReadRequestBytes = 32u << 20;

// An equality matcher on an external label with its value selects series without that label:
// the store never holds external labels, they are added on the way out.
Matchers FilterExternalLabels(const Matchers& in, const Labels& external) {
  Matchers out;
  out.reserve(in.size());
  for (const Matcher& m : in) {
    if (m.type() == MatchType::kEqual && external.Has(m.name()) && external.Get(m.name()) == m.value()) {
      auto empty = Matcher::Make(MatchType::kEqual, m.name(), "");
      if (empty.ok()) {
        out.push_back(std::move(*empty));
        continue;
      }
    }
    out.push_back(m);
  }
  return out;
}

// Receives each selected series of one query with its samples in the requested window.
class SeriesSink {
 public:
  virtual ~SeriesSink() = default;
  virtual void Add(const Labels& labels, std::span<const Sample> samples) = 0;
};

class SamplesSink : public SeriesSink {
 public:
  void Add(const Labels& labels, std::span<const Sample> samples) override {
    AppendTimeSeries(&result, labels, samples);
  }
  std::string result;  // one QueryResult message
};

class StreamSink : public SeriesSink {
 public:
  StreamSink(std::string* out, int64_t index, size_t max_bytes) : writer_(out, index, max_bytes) {}
  void Add(const Labels& labels, std::span<const Sample> samples) override {
    writer_.WriteSeries(labels, samples);
  }

 private:
  ChunkedSeriesWriter writer_;
};

}  // namespace

RemoteReader::RemoteReader(Queryable& storage, RemoteReadOptions options)
    : storage_(storage), options_(options) {}

Result<IngestResponse> RemoteReader::Read(std::string_view body, const Labels& external_labels) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (options_.concurrent_limit > 0) {
      slot_freed_.wait(lock, [&] { return running_ < options_.concurrent_limit; });
    }
    ++running_;
  }
  struct Release {
    RemoteReader* r;
    ~Release() {
      {
        std::lock_guard<std::mutex> lock(r->mu_);
        --r->running_;
      }
      r->slot_freed_.notify_one();
    }
  } release{this};

  if (body.size() > kMaxReadRequestBytes) {
    return Status::InvalidArgument("request body of " + std::to_string(body.size()) +
                                   " bytes exceeds limit " + std::to_string(kMaxReadRequestBytes));
  }
  std::string proto;
  Status st = SnappyDecompress(body, kMaxReadRequestBytes, &proto);
  if (!st.ok()) return Status::InvalidArgument(st.message());  // too large is a bad request here too
  TM_ASSIGN_OR_RETURN(ReadRequest req, DecodeReadRequest(proto));
  TM_ASSIGN_OR_RETURN(ReadResponseType type, NegotiateResponseType(req.accepted_response_types));
  const bool streamed = type == ReadResponseType::kStreamedXorChunks;

  std::string out;  // ReadResponse, or the frames of the stream
  std::vector<Sample> samples;
  for (size_t qi = 0; qi < req.queries.size(); ++qi) {
    const ReadQuery& q = req.queries[qi];
    TM_ASSIGN_OR_RETURN(auto querier, storage_.NewQuerier(q.start_ms, q.end_ms));
    // With hints, Prometheus' TSDB returns samples of the hinted window (within the queried one)
    // and, for func "series", labels only.
    SelectHints hints;
    Timestamp lo = q.start_ms, hi = q.end_ms;
    bool labels_only = false;
    if (q.hints) {
      hints.start = q.hints->start_ms;
      hints.end = q.hints->end_ms;
      hints.step_ms = q.hints->step_ms;
      hints.range_ms = q.hints->range_ms;
      hints.func = q.hints->func;
      lo = std::max(lo, q.hints->start_ms);
      hi = std::min(hi, q.hints->end_ms);
      labels_only = q.hints->func == "series";
    }
    TM_ASSIGN_OR_RETURN(auto set, (querier->Select(true, q.hints ? &hints : nullptr,
                                                   FilterExternalLabels(q.matchers, external_labels))));
    SamplesSink samples_sink;
    StreamSink stream_sink(&out, static_cast<int64_t>(qi), options_.max_bytes_in_frame);
    SeriesSink& sink = streamed ? static_cast<SeriesSink&>(stream_sink) : samples_sink;
    size_t count = 0;
    std::unique_ptr<SeriesIterator> it;
    while (set->Next()) {
      const Series& s = set->At();
      samples.clear();
      if (!labels_only) {
        it = s.Iterator(std::move(it));
        for (ValueType vt = it->Seek(lo); vt == ValueType::kFloat; vt = it->Next()) {
          Sample smp = it->At();
          if (smp.t > hi) break;
          if (options_.sample_limit > 0 && ++count > options_.sample_limit) {
            return Status::InvalidArgument("exceeded sample limit (" +
                                           std::to_string(options_.sample_limit) + ")");
          }
          samples.push_back(smp);
        }
        TM_RETURN_IF_ERROR(it->status());
        if (samples.empty()) continue;
      }
      sink.Add(MergeExternalLabels(s.labels(), external_labels), samples);
    }
    TM_RETURN_IF_ERROR(set->status());
    if (!streamed) AppendLenField(&out, 1, samples_sink.result);
  }

  IngestResponse r;
  r.http_status = 200;
  if (streamed) {
    r.content_type = "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse";
    r.body = std::move(out);
  } else {
    r.content_type = "application/x-protobuf";
    r.headers.emplace_back("Content-Encoding", "snappy");
    snappy::Compress(out.data(), out.size(), &r.body);
  }
  return r;
}

}  // namespace tidemark::ingest
