// Memory per active head series: RSS delta after 100k series each got 60 samples (a half-full
// open chunk), divided by the series count. That includes RocksDB's memtables (a fixed budget,
// mostly the head log), so a second 100k series are added and their marginal cost is reported
// too: that is what each additional active series really costs.
#include <benchmark/benchmark.h>

#include "tsdb_bench_util.h"

namespace tidemark::bench {
namespace {

constexpr size_t kSeries = 200'000;  // measured in two halves of 100k
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
    auto fill = [&](size_t from, size_t to) {
      for (int r = 0; r < kSamplesPerSeries; ++r) {
        for (size_t i = from; i < to; ++i) {
          (void)app->Append(0, labels[i], {0, testing::kDefaultStart + r * 15'000, double(r + i)});
          if (++in_batch == 2000) {
            (void)app->Commit();
            in_batch = 0;
          }
        }
      }
      (void)app->Commit();
    };
    fill(0, kSeries / 2);
    const uint64_t rss1 = RssBytes();
    fill(kSeries / 2, kSeries);
    const uint64_t rss2 = RssBytes();
    StorageStats st = db->Stats();
    if (st.head_series != kSeries) state.SkipWithError("head series count mismatch");
    state.counters["rss_bytes_per_series"] =
        static_cast<double>(rss2 - rss0) / static_cast<double>(kSeries);
    state.counters["marginal_bytes_per_series"] =
        static_cast<double>(rss2 - rss1) / static_cast<double>(kSeries / 2);
    state.counters["head_series"] = static_cast<double>(st.head_series);
    (void)db->Close();
  }
}
BENCHMARK(BM_TsdbHeadMemoryPerSeries)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tidemark::bench

BENCHMARK_MAIN();
