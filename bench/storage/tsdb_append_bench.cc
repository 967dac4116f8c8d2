// Append throughput into the RocksDB store with durability on (every Commit in RocksDB's WAL
// before it returns): 100k series, remote-write-like batches of 2000 samples; the existing-series
// fast path alone; and the creation of new series.
#include <benchmark/benchmark.h>

#include <algorithm>

#include "tsdb_bench_util.h"

namespace tidemark::bench {
namespace {

constexpr size_t kSeries = 100'000;
constexpr size_t kBatch = 2000;
constexpr Timestamp kStart = testing::kDefaultStart;

// A store in `o.dir`; null (and the benchmark skipped) when it cannot be opened.
std::unique_ptr<Storage> OpenOrSkip(benchmark::State& state, const StorageOptions& o) {
  auto opened = Storage::Open(o);
  if (!opened.ok()) {
    state.SkipWithError(opened.status().ToString().c_str());
    return nullptr;
  }
  return std::move(opened).value();
}

// Each series' label pairs as views, the way a remote-write request body holds them.
std::vector<std::vector<LabelPairView>> PairViews(const std::vector<Labels>& labels) {
  std::vector<std::vector<LabelPairView>> pairs(labels.size());
  for (size_t s = 0; s < labels.size(); ++s) {
    for (const Label& l : labels[s]) pairs[s].push_back({l.name, l.value});
  }
  return pairs;
}

// args: 0 = no ref hints (a remote-write request through Append), 1 = cached refs (a
//       scraper-like caller), 2 = the ingester's remote-write path (AppendExisting on the
//       label pairs, Append only to create a series); sync policy 0 = kWal, 1 = kFsyncBatch.
void BM_TsdbAppend(benchmark::State& state) {
  const bool hints = state.range(0) == 1;
  const bool views = state.range(0) == 2;
  BenchDir dir;
  StorageOptions o;
  o.dir = dir.path();
  o.sync = state.range(1) ? SyncPolicy::kFsyncBatch : SyncPolicy::kWal;
  auto db = OpenOrSkip(state, o);
  if (!db) return;
  const std::vector<Labels> labels = MakeSeriesLabels(kSeries);
  std::vector<SeriesRef> refs(kSeries, 0);
  const std::vector<std::vector<LabelPairView>> pairs = PairViews(labels);
  const std::vector<double> values =
      testing::GenerateValues(testing::ValuePattern::kCounter, 1 << 16, 7);
  auto app = db->NewAppender();
  uint64_t n = 0;  // global sample counter: series n % kSeries, round n / kSeries
  auto append_batch = [&]() -> bool {
    for (size_t k = 0; k < kBatch; ++k, ++n) {
      size_t s = n % kSeries;
      Timestamp t = kStart + static_cast<Timestamp>(n / kSeries) * 15'000;
      const SampleIn in{0, t, values[n & 0xffff] + double(n / kSeries)};
      if (views) {
        const SeriesViewIn item{pairs[s], std::span(&in, 1)};
        size_t partial = 0;
        if (app->AppendExisting(std::span(&item, 1), &partial, nullptr) == 1) continue;
      }
      auto r = app->Append(hints ? refs[s] : 0, labels[s], in);
      if (!r.ok()) {
        state.SkipWithError(r.status().ToString().c_str());
        return false;
      }
      refs[s] = *r;
    }
    Status st = app->Commit();
    if (!st.ok()) {
      state.SkipWithError(st.ToString().c_str());
      return false;
    }
    return true;
  };
  // Create every series first: steady-state ingestion, not series churn, is measured.
  while (n < kSeries) {
    if (!append_batch()) return;
  }
  for (auto _ : state) {
    if (!append_batch()) return;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
  StorageStats st = db->Stats();
  // Asserted once: every sample landed.
  if (st.num_samples_appended != n) state.SkipWithError("sample count mismatch");
  state.counters["series"] = static_cast<double>(st.num_series);
  state.counters["head_chunks"] = static_cast<double>(st.head_chunks);
  (void)db->Close();
}
BENCHMARK(BM_TsdbAppend)->ArgNames({"hints", "fsync"})->Args({0, 0})->Args({1, 0})->Args({2, 0})->Args({0, 1})
    ->UseRealTime()->Unit(benchmark::kMillisecond);

// Series creation: every iteration commits one remote-write-like batch of kBatch samples of
// series never seen before (the store already holds `range(0)` series), so the series rows,
// hash entries and postings of kBatch new series go into RocksDB with the head-log record.
void BM_TsdbCreateSeries(benchmark::State& state) {
  BenchDir dir;
  StorageOptions o;
  o.dir = dir.path();
  auto db = OpenOrSkip(state, o);
  if (!db) return;
  const size_t total = static_cast<size_t>(state.range(0)) + kBatch * 200;
  const std::vector<Labels> labels = MakeSeriesLabels(total);
  auto app = db->NewAppender();
  size_t next = 0;
  auto append_batch = [&]() -> bool {
    for (size_t k = 0; k < kBatch; ++k, ++next) {
      auto r = app->Append(0, labels[next % total], SampleIn{0, kStart, 1.0});
      if (!r.ok()) {
        state.SkipWithError(r.status().ToString().c_str());
        return false;
      }
    }
    Status st = app->Commit();
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    return st.ok();
  };
  while (next < static_cast<size_t>(state.range(0))) {
    if (!append_batch()) return;
  }
  for (auto _ : state) {
    if (next + kBatch > total) {
      state.SkipWithError("ran out of new series");
      return;
    }
    if (!append_batch()) return;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
  (void)db->Close();
}
BENCHMARK(BM_TsdbCreateSeries)->ArgName("existing")->Arg(100'000)->Iterations(100)
    ->Unit(benchmark::kMillisecond);

// The fast path alone, without the commit that dominates BM_TsdbAppend: AppendExisting for
// kBatch samples of existing series, `per_call` series per call (1 = a caller sending one series
// at a time, 64 = the ingester's run), then Rollback. CPU per batch of kBatch samples.
void BM_TsdbStageExisting(benchmark::State& state) {
  const size_t per_call = static_cast<size_t>(state.range(0));
  BenchDir dir;
  StorageOptions o;
  o.dir = dir.path();
  auto db = OpenOrSkip(state, o);
  if (!db) return;
  const std::vector<Labels> labels = MakeSeriesLabels(kSeries);
  const std::vector<std::vector<LabelPairView>> pairs = PairViews(labels);
  auto app = db->NewAppender();
  for (size_t s = 0; s < kSeries; ++s) {
    if (!app->Append(0, labels[s], SampleIn{0, kStart, 1}).ok()) {
      state.SkipWithError("create failed");
      return;
    }
    if ((s % kBatch == kBatch - 1 || s + 1 == kSeries) && !app->Commit().ok()) {
      state.SkipWithError("commit failed");
      return;
    }
  }
  const SampleIn in{0, kStart + 15'000, 2};  // newer than each series' sample: accepted
  std::vector<SeriesViewIn> items(kBatch);
  size_t next = 0;  // series of the next item
  for (auto _ : state) {
    for (size_t k = 0; k < kBatch; ++k, next = (next + 1) % kSeries) {
      items[k] = {pairs[next], std::span(&in, 1)};
    }
    for (size_t k = 0; k < kBatch; k += per_call) {
      size_t partial = 0;
      const size_t n = std::min(per_call, kBatch - k);
      if (app->AppendExisting(std::span(items).subspan(k, n), &partial, nullptr) != n) {
        state.SkipWithError("a series was not found");
        return;
      }
    }
    (void)app->Rollback();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
  (void)db->Close();
}
BENCHMARK(BM_TsdbStageExisting)->ArgName("per_call")->Arg(1)->Arg(64)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tidemark::bench

BENCHMARK_MAIN();
