// Head-log records on the e2e benchmark's data: bytes per sample (version 2 as written, and what
// version 1 took for the same samples) and the cost of encoding (on the commit path, under the
// commit lock) and decoding (recovery, commit-log readers) one remote-write batch.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "node_data.h"
#include "tsdb/head_log.h"

namespace tidemark::bench {
namespace {

constexpr int64_t kSeries = 100'000;
constexpr int64_t kSteps = 20;     // scrapes: 2 M samples
constexpr size_t kBatch = 2000;    // samples per remote-write request (tm_e2e_load's default)
constexpr uint32_t kShards = 8;    // concurrent senders, series spread by hash (as tm_e2e_load)

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

// The batches one commit each, as the store sees them: refs handed out in first-commit order.
std::vector<std::vector<tsdb::LoggedSample>> Batches() {
  e2e::NodeDataOptions o;
  o.num_series = kSeries;
  o.start_ms = 1'700'000'000'000;
  e2e::NodeDataGenerator gen(o);
  std::vector<SeriesRef> ref_of(kSeries, 0);
  SeriesRef next_ref = 1;
  std::vector<std::vector<tsdb::LoggedSample>> shards(kShards), out;
  for (int64_t k = 0; k < kSteps; ++k) {
    gen.NextStep([&](int64_t s, int64_t ts, double v) {
      auto& b = shards[Mix(static_cast<uint64_t>(s) + 1) % kShards];
      b.push_back({static_cast<SeriesRef>(s), ts, v});
      if (b.size() < kBatch) return;
      for (auto& ls : b) {
        if (ref_of[ls.ref] == 0) ref_of[ls.ref] = next_ref++;
        ls.ref = ref_of[ls.ref];
      }
      out.push_back(std::move(b));
      b.clear();
    });
  }
  return out;
}

// Version 1's size of a record, from its layout (docs/format/keys.md).
size_t V1Size(const std::vector<tsdb::LoggedSample>& b) {
  size_t n = UvarintSize(b.size());
  Timestamp prev = 0;
  for (const auto& s : b) {
    n += UvarintSize(s.ref) + 8 +
         UvarintSize(ZigZag(static_cast<int64_t>(static_cast<uint64_t>(s.t) -
                                                 static_cast<uint64_t>(prev))));
    prev = s.t;
  }
  return n;
}

void BM_HeadLogEncode(benchmark::State& state) {
  const auto batches = Batches();
  std::string rec;
  size_t bytes = 0, v1_bytes = 0, samples = 0;
  for (const auto& b : batches) {
    tsdb::EncodeHeadLogRecord(b.data(), b.size(), &rec);
    bytes += rec.size();
    v1_bytes += V1Size(b);
    samples += b.size();
  }
  for (auto _ : state) {
    for (const auto& b : batches) {
      tsdb::EncodeHeadLogRecord(b.data(), b.size(), &rec);
      benchmark::DoNotOptimize(rec.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * samples));
  state.counters["bytes_per_sample"] = static_cast<double>(bytes) / static_cast<double>(samples);
  state.counters["v1_bytes_per_sample"] =
      static_cast<double>(v1_bytes) / static_cast<double>(samples);
}
BENCHMARK(BM_HeadLogEncode)->Unit(benchmark::kMillisecond);

void BM_HeadLogDecode(benchmark::State& state) {
  const auto batches = Batches();
  std::vector<std::string> recs(batches.size());
  size_t samples = 0;
  for (size_t i = 0; i < batches.size(); ++i) {
    tsdb::EncodeHeadLogRecord(batches[i].data(), batches[i].size(), &recs[i]);
    samples += batches[i].size();
  }
  for (auto _ : state) {
    double sum = 0;
    for (const auto& r : recs) {
      Status st = tsdb::DecodeHeadLogRecord(r, [&](const tsdb::LoggedSample& s) { sum += s.v; });
      if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * samples));
}
BENCHMARK(BM_HeadLogDecode)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tidemark::bench

BENCHMARK_MAIN();
