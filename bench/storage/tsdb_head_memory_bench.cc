// Memory per active head series: RSS delta after 100k series each got 60 samples (a half-full
// open chunk), divided by the series count. Includes RocksDB memtables holding the head log.
#include <benchmark/benchmark.h>

#include "tsdb_bench_util.h"

namespace tidemark::bench {
namespace {

constexpr size_t kSeries = 100'000;
constexpr int kSamplesPerSeries = 60;

void BM_TsdbHeadMemoryPerSeries(benchmark::State& state) {
  for (auto _ : state) {
    BenchDir dir;
    StorageOptions o;
    o.dir = dir.path();
    o.block_cache_bytes = 8 << 20;
    std::vector<Labels> labels = MakeSeriesLabels(kSeries);
    const uint64_t rss0 = RssBytes();
    auto db = Storage::Open(o).value();
    auto app = db->NewAppender();
    size_t in_batch = 0;
    for (int r = 0; r < kSamplesPerSeries; ++r) {
      for (size_t i = 0; i < kSeries; ++i) {
        (void)app->Append(0, labels[i], {0, testing::kDefaultStart + r * 15'000, double(r + i)});
        if (++in_batch == 2000) {
          (void)app->Commit();
          in_batch = 0;
        }
      }
    }
    (void)app->Commit();
    const uint64_t rss1 = RssBytes();
    StorageStats st = db->Stats();
    if (st.head_series != kSeries) state.SkipWithError("head series count mismatch");
    state.counters["rss_bytes_per_series"] =
        static_cast<double>(rss1 - rss0) / static_cast<double>(kSeries);
    state.counters["head_series"] = static_cast<double>(st.head_series);
    (void)db->Close();
  }
}
BENCHMARK(BM_TsdbHeadMemoryPerSeries)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tidemark::bench

BENCHMARK_MAIN();
