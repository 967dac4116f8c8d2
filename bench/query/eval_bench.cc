// Evaluator benchmarks on the in-memory store: dashboard-style range queries over 10k series.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "tidemark/query/engine.h"
#include "tidemark/storage/storage.h"

namespace {

using tidemark::Labels;
using tidemark::SampleIn;
using tidemark::Storage;

constexpr int64_t kScrapeMs = 15'000;
constexpr int64_t kHourMs = 3'600'000;

// 10k counter series `x` (100 jobs × 100 instances), one sample per 15 s for 1 h.
Storage& CounterStore() {
  static std::unique_ptr<Storage> store = [] {
    auto s = tidemark::NewMemStorage();
    auto app = s->NewAppender();
    for (int job = 0; job < 100; ++job) {
      for (int inst = 0; inst < 100; ++inst) {
        Labels l{{"__name__", "x"}, {"job", "job" + std::to_string(job)},
                 {"instance", "i" + std::to_string(inst)}};
        tidemark::SeriesRef ref = 0;
        for (int64_t t = 0; t <= kHourMs; t += kScrapeMs) {
          auto r = app->Append(ref, l, SampleIn{0, t, static_cast<double>(t / 1000 * (inst + 1))});
          if (r.ok()) ref = *r;
        }
      }
    }
    (void)app->Commit();
    return s;
  }();
  return *store;
}

// Classic histogram h_bucket: 100 instances × 11 buckets, 1 h at 15 s.
Storage& HistogramStore() {
  static std::unique_ptr<Storage> store = [] {
    auto s = tidemark::NewMemStorage();
    auto app = s->NewAppender();
    const char* les[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"};
    for (int inst = 0; inst < 100; ++inst) {
      for (int b = 0; b < 11; ++b) {
        Labels l{{"__name__", "h_bucket"}, {"instance", "i" + std::to_string(inst)}, {"le", les[b]}};
        tidemark::SeriesRef ref = 0;
        for (int64_t t = 0; t <= kHourMs; t += kScrapeMs) {
          auto r = app->Append(ref, l, SampleIn{0, t, static_cast<double>(t / 1000 * (b + 1))});
          if (r.ok()) ref = *r;
        }
      }
    }
    (void)app->Commit();
    return s;
  }();
  return *store;
}

void RunRange(benchmark::State& state, Storage& store, const std::string& q) {
  tidemark::promql::Engine engine(store, tidemark::promql::EngineOptions{});
  for (auto _ : state) {
    auto r = engine.RangeQuery(q, 0, kHourMs, 15'000);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
}

void BM_SumByJobRate10kSeries(benchmark::State& state) {
  Storage& store = CounterStore();
  RunRange(state, store, "sum by (job) (rate(x[5m]))");
  state.counters["series"] = 10000;
  state.counters["steps"] = 241;
}
BENCHMARK(BM_SumByJobRate10kSeries)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_HistogramQuantile99(benchmark::State& state) {
  Storage& store = HistogramStore();
  RunRange(state, store, "histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))");
  state.counters["bucket_series"] = 1100;
}
BENCHMARK(BM_HistogramQuantile99)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
