// Series creation through the whole remote-write path: Ingester::RemoteWrite into a real store on
// disk, every request 2,000 series never seen before (1 sample each), as a sender's first minutes
// against a fresh server. CPU per request covers decode, resolve, creation and the durable commit.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../storage/tsdb_bench_util.h"
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

constexpr int kSeriesPerRequest = 2000;

// Request `r`: series r*2000 .. r*2000+1999, labels shaped like node_exporter/kube metrics.
std::string MakeRequest(int r) {
  std::string req;
  for (int k = 0; k < kSeriesPerRequest; ++k) {
    const int s = r * kSeriesPerRequest + k;
    const LabelPairs labels = bench::KubeLabels(
        s, "10.2." + std::to_string(s / 64 % 250) + "." + std::to_string(s / 16000) + ":9100",
        "checkout-" + std::to_string(s / 4));
    AppendLenField(&req, 1, RwTimeSeries(labels, SamplePairs{{1700000000000, 1.0 + s}}).str());
  }
  return tidemark::testing::Snappy(req);
}

// range(0): series the store holds before the timed requests.
void BM_RemoteWriteNewSeries(benchmark::State& state) {
  bench::BenchDir dir;
  StorageOptions o;
  o.dir = dir.path();
  auto db = Storage::Open(o);
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return;
  }
  Ingester ingester(**db, {});
  const int before = static_cast<int>(state.range(0)) / kSeriesPerRequest;
  const int timed = static_cast<int>(state.max_iterations);
  std::vector<std::string> bodies;
  for (int r = 0; r < before + timed; ++r) bodies.push_back(MakeRequest(r));
  auto send = [&](int r) {
    IngestResponse resp = ingester.RemoteWrite(bodies[r], "application/x-protobuf", "snappy");
    if (resp.http_status != 204) state.SkipWithError(resp.body.c_str());
    return resp.http_status == 204;
  };
  for (int r = 0; r < before; ++r) {
    if (!send(r)) return;
  }
  int next = before;
  for (auto _ : state) {
    if (!send(next++)) return;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kSeriesPerRequest);
  (void)(*db)->Close();
}
BENCHMARK(BM_RemoteWriteNewSeries)->ArgName("existing")->Arg(100'000)->Iterations(100)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tidemark::ingest

BENCHMARK_MAIN();
