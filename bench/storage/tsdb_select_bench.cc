// Query path: select + decode 1k series x 1 h at 15 s from persisted chunks (head flushed) or
// from the head, read sample by sample (Next/At) or a decoded chunk at a time (ReadBatch); and
// an instant selector's last samples with and without the last_sample_only hint.
#include <benchmark/benchmark.h>

#include <algorithm>

#include "tsdb_bench_util.h"

namespace tidemark::bench {
namespace {

constexpr size_t kSeries = 1000;
constexpr int kSamples = 240;  // 1 h at 15 s
constexpr Timestamp kStart = testing::kDefaultStart;

// A store in `dir` holding kSeries series "bench_metric" of `samples` samples each, flushed to
// persisted chunks or left in the head; null (benchmark skipped) on error. *newest: the
// newest sample's time.
std::unique_ptr<Storage> LoadStore(benchmark::State& state, const BenchDir& dir, int samples,
                                   bool flush, Timestamp* newest) {
  StorageOptions o;
  o.dir = dir.path();
  o.retention_ms = 0;
  auto opened = Storage::Open(o);
  if (!opened.ok()) {
    state.SkipWithError(opened.status().ToString().c_str());
    return nullptr;
  }
  auto db = std::move(opened).value();
  std::vector<Labels> labels = MakeSeriesLabels(kSeries);
  for (auto& l : labels) l = l.With("__name__", "bench_metric");
  *newest = kStart;
  auto app = db->NewAppender();
  for (size_t i = 0; i < kSeries; ++i) {
    auto gen = testing::GenerateSeries({testing::RealisticMixPattern(i),
                                        testing::TimePattern::kJittered},
                                       samples, i, kStart);
    for (const auto& smp : gen) {
      if (!app->Append(0, labels[i], {0, smp.t, smp.v}).ok()) {
        state.SkipWithError("append");
        return nullptr;
      }
      *newest = std::max(*newest, smp.t);
    }
  }
  if (!app->Commit().ok() || (flush && !db->Flush().ok())) {
    state.SkipWithError("commit/flush");
    return nullptr;
  }
  return db;
}

// range(0): 1 = flushed to persisted chunks, 0 = left in the head; range(1): 1 = ReadBatch.
void BM_TsdbSelectDecode(benchmark::State& state) {
  const bool flush = state.range(0) != 0, bulk = state.range(1) != 0;
  BenchDir dir;
  Timestamp newest;
  auto db = LoadStore(state, dir, kSamples, flush, &newest);
  if (!db) return;
  auto m = Matcher::Make(MatchType::kEqual, "__name__", "bench_metric").value();
  uint64_t samples = 0;
  for (auto _ : state) {
    auto q = db->NewQuerier(kStart, kStart + 3600 * 1000 + 60'000);
    auto set = (*q)->Select(true, nullptr, {m});
    if (!set.ok()) {
      state.SkipWithError(set.status().ToString().c_str());
      return;
    }
    std::unique_ptr<SeriesIterator> it;
    size_t n = 0, series = 0;
    double sum = 0;
    while ((*set)->Next()) {
      ++series;
      it = (*set)->At().Iterator(std::move(it));
      if (bulk) {
        Sample buf[256];
        ValueType vt = it->Next();
        while (vt == ValueType::kFloat) {
          const size_t k = it->ReadBatch(kMaxTimestamp, buf, 256, &vt);
          for (size_t i = 0; i < k; ++i) sum += buf[i].v;
          n += k;
        }
        continue;
      }
      while (it->Next() != ValueType::kNone) {
        sum += it->At().v;
        ++n;
      }
    }
    benchmark::DoNotOptimize(sum);
    if (series != kSeries || n != kSeries * kSamples) state.SkipWithError("wrong result size");
    samples += n;
  }
  state.SetItemsProcessed(static_cast<int64_t>(samples));
  state.counters["series"] = kSeries;
  (void)db->Close();
}
BENCHMARK(BM_TsdbSelectDecode)
    ->ArgNames({"flushed", "bulk"})
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// An instant vector selector over the head: each series' last sample in the 5 min before the
// newest one, with (range(0) = 1) or without the last_sample_only hint.
void BM_TsdbSelectLastSample(benchmark::State& state) {
  const bool hint = state.range(0) != 0;
  BenchDir dir;
  Timestamp newest;
  auto db = LoadStore(state, dir, 100, false, &newest);
  if (!db) return;
  auto m = Matcher::Make(MatchType::kEqual, "__name__", "bench_metric").value();
  SelectHints hints;
  hints.start = newest - 300'000 + 1;
  hints.end = newest;
  hints.last_sample_only = hint;
  for (auto _ : state) {
    auto q = db->NewQuerier(hints.start, hints.end);
    auto set = (*q)->Select(true, &hints, {m});
    if (!set.ok()) {
      state.SkipWithError(set.status().ToString().c_str());
      return;
    }
    std::unique_ptr<SeriesIterator> it;
    size_t series = 0;
    double sum = 0;
    while ((*set)->Next()) {
      it = (*set)->At().Iterator(std::move(it));
      Sample last;
      for (ValueType vt = it->Seek(hints.start); vt == ValueType::kFloat; vt = it->Next()) {
        last = it->At();
      }
      sum += last.v;
      ++series;
    }
    benchmark::DoNotOptimize(sum);
    if (series != kSeries) state.SkipWithError("wrong result size");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kSeries));
  (void)db->Close();
}
BENCHMARK(BM_TsdbSelectLastSample)->ArgName("hint")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tidemark::bench

BENCHMARK_MAIN();
