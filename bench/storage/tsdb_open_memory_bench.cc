// RSS after Open of a store with 200k series of which 10k are active (the rest last wrote 4 h
// before the newest sample), with inactive-series eviction on (default threshold, 3 h) and off
// (every series resident: how Open worked before). The store is written by a forked child so the
// measuring process' heap holds nothing from the write phase.
#include <sys/wait.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <chrono>

#include "tsdb_bench_util.h"

namespace tidemark::bench {
namespace {

constexpr size_t kSeries = 200'000;
constexpr size_t kActive = 10'000;
constexpr int64_t kMinute = 60'000;

// Old series: 4 samples at the start. Active series: one sample a minute for 4 h.
bool WriteStore(const std::string& dir) {
  StorageOptions o;
  o.dir = dir;
  o.block_cache_bytes = 8 << 20;
  auto db = Storage::Open(o);
  if (!db.ok()) return false;
  std::vector<Labels> labels = MakeSeriesLabels(kSeries);
  const Timestamp base = testing::kDefaultStart;
  auto app = (*db)->NewAppender();
  size_t in_batch = 0;
  auto add = [&](size_t i, Timestamp t) {
    (void)app->Append(0, labels[i], {0, t, double(i) + double(t % 997)});
    if (++in_batch == 2000) {
      (void)app->Commit();
      in_batch = 0;
    }
  };
  for (int r = 0; r < 4; ++r) {
    for (size_t i = kActive; i < kSeries; ++i) add(i, base + r * 15'000);
  }
  for (int m = 0; m <= 240; ++m) {
    for (size_t i = 0; i < kActive; ++i) add(i, base + m * kMinute);
  }
  (void)app->Commit();
  return (*db)->Close().ok();
}

void BM_TsdbOpenMemory(benchmark::State& state) {
  const bool evict = state.range(0) != 0;
  for (auto _ : state) {
    state.PauseTiming();
    BenchDir dir;
    pid_t pid = fork();
    if (pid == 0) _exit(WriteStore(dir.path()) ? 0 : 1);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
      state.SkipWithError("writing the store failed");
      return;
    }
    StorageOptions o;
    o.dir = dir.path();
    o.block_cache_bytes = 8 << 20;
    o.series_inactive_after_ms = evict ? 3 * 60 * kMinute : 0;
    const uint64_t rss0 = RssBytes();
    state.ResumeTiming();
    auto db = Storage::Open(o).value();
    state.PauseTiming();
    const uint64_t rss1 = RssBytes();
    StorageStats st = db->Stats();
    state.counters["rss_after_open_bytes"] = static_cast<double>(rss1);
    state.counters["rss_delta_open_bytes"] = static_cast<double>(rss1 - rss0);
    state.counters["resident_series"] = static_cast<double>(st.resident_series);
    state.counters["num_series"] = static_cast<double>(st.num_series);
    // Stats() reads the persisted index when series are outside memory: its cost matters for
    // the /metrics collector, which calls it on every scrape.
    auto t0 = std::chrono::steady_clock::now();
    (void)db->Stats();
    state.counters["stats_ms"] =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    (void)db->Close();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_TsdbOpenMemory)->ArgName("evict")->Arg(0)->Arg(1)->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tidemark::bench

BENCHMARK_MAIN();
