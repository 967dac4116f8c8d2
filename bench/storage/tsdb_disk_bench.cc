// Bytes per sample on disk for the whole store (chunks, index, queue, RocksDB files) after cold
// compaction, on the realistic node-exporter-like mix with ms-jittered scrapes.
#include <benchmark/benchmark.h>

#include "tsdb_bench_util.h"

namespace tidemark::bench {
namespace {

// args: series, samples per series (15 s apart)
void BM_TsdbBytesPerSampleCompacted(benchmark::State& state) {
  const size_t series = static_cast<size_t>(state.range(0));
  const size_t per_series = static_cast<size_t>(state.range(1));
  const std::vector<Labels> labels = MakeSeriesLabels(series);
  std::vector<std::vector<Sample>> data(series);
  for (size_t i = 0; i < series; ++i) {
    data[i] = testing::GenerateSeries(
        {testing::RealisticMixPattern(static_cast<int>(i)), testing::TimePattern::kJittered},
        per_series, i);
  }
  for (auto _ : state) {
    BenchDir dir;
    StorageOptions o;
    o.dir = dir.path();
    o.retention_ms = 0;
    auto db = Storage::Open(o);
    if (!db.ok()) {
      state.SkipWithError(db.status().ToString().c_str());
      return;
    }
    // Remote-write-like batches: every series' next 10 samples.
    for (size_t k = 0; k < per_series; k += 10) {
      auto app = (*db)->NewAppender();
      for (size_t i = 0; i < series; ++i) {
        for (size_t j = k; j < std::min(per_series, k + 10); ++j) {
          if (!app->Append(0, labels[i], {0, data[i][j].t, data[i][j].v}).ok()) {
            state.SkipWithError("append failed");
            return;
          }
        }
      }
      if (!app->Commit().ok()) {
        state.SkipWithError("commit failed");
        return;
      }
    }
    (*db)->Flush().IgnoreError();
    const double xor_bytes = static_cast<double>((*db)->Stats().bytes_on_disk);
    Status c = (*db)->Compact(CompactScope::kEverything);
    if (!c.ok()) {
      state.SkipWithError(c.ToString().c_str());
      return;
    }
    const double samples = static_cast<double>(series * per_series);
    state.counters["xor_bytes_per_sample"] = xor_bytes / samples;
    state.counters["bytes_per_sample"] = static_cast<double>((*db)->Stats().bytes_on_disk) / samples;
  }
}
// 1 h, 6 h and 24 h of 15 s scrapes for 1000 series.
BENCHMARK(BM_TsdbBytesPerSampleCompacted)
    ->Args({1000, 240})
    ->Args({1000, 1440})
    ->Args({1000, 5760})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tidemark::bench

BENCHMARK_MAIN();
