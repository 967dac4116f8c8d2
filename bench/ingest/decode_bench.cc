// Decode-path benchmark: snappy + remote-write 1.0 protobuf decoding of ~2,000-sample batches with
// realistic label sets, without storage (the visitor only counts). Reports MB/s of compressed
// body and samples/s.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "../../ingest/src/compression.h"
#include "../../ingest/src/remote_write_decode.h"
#include "kube_labels.h"
#include "support/compress.h"
#include "support/pb_encoder.h"
#include "tidemark/ingest/ingester.h"
#include "tidemark/ingest/protowire_writer.h"

namespace tidemark::ingest {
namespace {

using testing::LabelPairs;
using testing::RwTimeSeries;
using testing::SamplePairs;

// 400 series x 5 samples = 2,000 samples, labels shaped like node_exporter/kube metrics.
std::string MakeBatch() {
  std::string req;
  int64_t t0 = 1700000000000;
  for (int s = 0; s < 400; ++s) {
    const LabelPairs labels = bench::KubeLabels(
        s, "10.2." + std::to_string(s % 7) + "." + std::to_string(s % 250) + ":9100",
        "checkout-7d9f8b6c5-" + std::to_string(10000 + s));
    SamplePairs samples;
    for (int i = 0; i < 5; ++i) samples.emplace_back(t0 + i * 15000, 1234.5 + s * 0.25 + i);
    AppendLenField(&req, 1, RwTimeSeries(labels, samples).str());
  }
  return req;
}

struct CountingVisitor {
  size_t samples = 0;
  size_t labels = 0;
  void OnSeries(const SeriesView& s) {
    samples += s.samples.size();
    labels += s.labels.size();
  }
  void OnMetadata(const MetadataView&) {}
};

void BM_RemoteWriteV1Decode(benchmark::State& state) {
  std::string raw = MakeBatch();
  std::string body = tidemark::testing::Snappy(raw);
  std::string decompressed;
  DecodeScratch scratch;
  size_t samples = 0;
  for (auto _ : state) {
    if (!SnappyDecompress(body, 256u << 20, &decompressed).ok()) state.SkipWithError("snappy");
    CountingVisitor v;
    if (!DecodeRemoteWriteV1(decompressed, scratch, v).ok()) state.SkipWithError("decode");
    samples += v.samples;
    benchmark::DoNotOptimize(v.labels);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
  state.counters["compressed_bytes"] = static_cast<double>(body.size());
  state.counters["raw_bytes"] = static_cast<double>(raw.size());
}
BENCHMARK(BM_RemoteWriteV1Decode);

void BM_RemoteWriteV1DecodeNoSnappy(benchmark::State& state) {
  std::string raw = MakeBatch();
  DecodeScratch scratch;
  size_t samples = 0;
  for (auto _ : state) {
    CountingVisitor v;
    if (!DecodeRemoteWriteV1(raw, scratch, v).ok()) state.SkipWithError("decode");
    samples += v.samples;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw.size()));
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RemoteWriteV1DecodeNoSnappy);

// A store that accepts everything and keeps nothing, so the Ingester path (decode, Labels
// construction, validation, limits) is measured without storage costs.
class NullStore : public Appendable {
 public:
  std::unique_ptr<Appender> NewAppender() override { return std::make_unique<App>(); }

 private:
  class App : public Appender {
   public:
    Result<SeriesRef> Append(SeriesRef, const Labels& l, const SampleIn&, const AppendOptions&) override {
      benchmark::DoNotOptimize(l.size());
      return SeriesRef{1};
    }
    Status Commit() override { return Status::OK(); }
    Status Rollback() override { return Status::OK(); }
  };
};

void BM_IngesterRemoteWriteNullStore(benchmark::State& state) {
  std::string raw = MakeBatch();
  std::string body = tidemark::testing::Snappy(raw);
  NullStore store;
  Ingester ingester(store, {});
  for (auto _ : state) {
    IngestResponse r = ingester.RemoteWrite(body, "application/x-protobuf", "snappy");
    if (r.http_status != 204) state.SkipWithError("not 204");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["samples/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * 2000), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_IngesterRemoteWriteNullStore);

}  // namespace
}  // namespace tidemark::ingest
BENCHMARK_MAIN();
