// Chunk codec benchmarks: encode/decode throughput (samples/s) and bytes/sample of the XOR
// (head) and cold (sealed) encodings, per data pattern and on a node-exporter-like mix.
//
// Data comes from tests/support/datagen (fixed seeds, generated before timing). Every benchmark
// checks one full round trip bit-exactly before it times anything and skips with an error if it
// fails. Run: build-*/bench/storage/chunk_bench (see bench/RESULTS.md for the exact command).
#include <benchmark/benchmark.h>

#include <bit>
#include <memory>
#include <string>
#include <vector>

#include "support/datagen.h"
#include "tidemark/storage/chunk/chunk.h"
#include "tidemark/storage/chunk/cold.h"

namespace tidemark::chunk {
namespace {

using ::tidemark::testing::GenerateSeries;
using ::tidemark::testing::Pattern;
using ::tidemark::testing::TimePattern;
using ::tidemark::testing::ValuePattern;

// Enough series that per-series variation (rates, magnitudes) averages out.
constexpr size_t kSeries = 200;

using SeriesList = std::vector<std::vector<Sample>>;

// One benchmark's data set: `kSeries` series of `n` samples each.
struct DataSet {
  std::string name;
  SeriesList series;
  size_t total_samples = 0;
};

DataSet MakePatternData(Pattern p, size_t n) {
  DataSet d;
  d.name = ::tidemark::testing::PatternName(p);
  for (size_t i = 0; i < kSeries; ++i) {
    d.series.push_back(GenerateSeries(p, n, /*seed=*/1000 + i));
    d.total_samples += n;
  }
  return d;
}

// Node-exporter-like: series i gets RealisticMixPattern(i).
DataSet MakeMixData(TimePattern tp, size_t n) {
  DataSet d;
  d.name = std::string("realistic_mix/") + std::string(::tidemark::testing::TimePatternName(tp));
  for (size_t i = 0; i < kSeries * 5; ++i) {
    d.series.push_back(GenerateSeries({::tidemark::testing::RealisticMixPattern(i), tp}, n,
                                      /*seed=*/5000 + i));
    d.total_samples += n;
  }
  return d;
}

bool SameBits(const std::vector<Sample>& a, const std::vector<Sample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].t != b[i].t || std::bit_cast<uint64_t>(a[i].v) != std::bit_cast<uint64_t>(b[i].v)) {
      return false;
    }
  }
  return true;
}

// Encodes every series of `d` (XOR or cold) into `out`; false + message on failure.
bool EncodeAll(const DataSet& d, Encoding enc, ColdEncoder* cold, std::vector<std::string>* out,
               std::string* error) {
  out->clear();
  for (const auto& s : d.series) {
    if (enc == Encoding::kXor) {
      out->push_back(EncodeXor(s));
    } else {
      auto r = cold->Encode(s);
      if (!r.ok()) {
        *error = r.status().ToString();
        return false;
      }
      out->push_back(std::move(r).value());
    }
  }
  return true;
}

size_t TotalBytes(const std::vector<std::string>& blocks) {
  size_t n = 0;
  for (const auto& b : blocks) n += b.size();
  return n;
}

// Round-trips everything once; an error message, or empty when bit-exact.
std::string CheckRoundTrip(const DataSet& d, Encoding enc, const std::vector<std::string>& blocks) {
  for (size_t i = 0; i < blocks.size(); ++i) {
    auto c = ChunkFromBytes(enc, AsBytes(blocks[i]));
    if (!c.ok()) return c.status().ToString();
    auto all = DecodeAll(**c);
    if (!all.ok()) return all.status().ToString();
    if (!SameBits(d.series[i], *all)) return "round trip mismatch in series " + std::to_string(i);
  }
  return "";
}

void SetCounters(benchmark::State& state, const DataSet& d, size_t bytes) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * d.total_samples));
  state.counters["bytes_per_sample"] =
      static_cast<double>(bytes) / static_cast<double>(d.total_samples);
}

ColdOptions BenchColdOptions(int zstd_level) {
  ColdOptions o;
  o.zstd_level = zstd_level;
  return o;
}

// Encodes `d` into `blocks` and checks they decode back bit-exactly; on failure skips the
// benchmark with the reason and returns false.
bool EncodeChecked(benchmark::State& state, const DataSet& d, Encoding enc, ColdEncoder* cold,
                   std::vector<std::string>* blocks) {
  std::string error;
  if (!EncodeAll(d, enc, cold, blocks, &error)) {
    state.SkipWithError(error.c_str());
    return false;
  }
  if (std::string e = CheckRoundTrip(d, enc, *blocks); !e.empty()) {
    state.SkipWithError(e.c_str());
    return false;
  }
  return true;
}

void BM_Encode(benchmark::State& state, const DataSet* d, Encoding enc, int zstd_level) {
  ColdEncoder cold(BenchColdOptions(zstd_level));
  std::vector<std::string> blocks;
  if (!EncodeChecked(state, *d, enc, &cold, &blocks)) return;
  const size_t bytes = TotalBytes(blocks);
  std::string error;
  for (auto _ : state) {
    if (!EncodeAll(*d, enc, &cold, &blocks, &error)) {
      state.SkipWithError(error.c_str());
      return;
    }
    benchmark::DoNotOptimize(blocks.data());
  }
  SetCounters(state, *d, bytes);
}

void BM_Decode(benchmark::State& state, const DataSet* d, Encoding enc, int zstd_level) {
  ColdEncoder cold(BenchColdOptions(zstd_level));
  std::vector<std::string> blocks;
  if (!EncodeChecked(state, *d, enc, &cold, &blocks)) return;
  std::vector<std::unique_ptr<Chunk>> chunks;
  for (const auto& b : blocks) {
    auto c = ChunkFromBytes(enc, AsBytes(b));
    if (!c.ok()) {
      state.SkipWithError(c.status().ToString().c_str());
      return;
    }
    chunks.push_back(std::move(c).value());
  }
  std::unique_ptr<ChunkIterator> it;
  for (auto _ : state) {
    double sum = 0;
    int64_t tsum = 0;
    for (const auto& c : chunks) {
      it = c->iterator(std::move(it));
      while (it->Next() == ValueType::kFloat) {
        const Sample s = it->At();
        tsum += s.t;
        sum += s.v;
      }
    }
    benchmark::DoNotOptimize(sum);
    benchmark::DoNotOptimize(tsum);
  }
  SetCounters(state, *d, TotalBytes(blocks));
}

// Data sets live for the whole run (benchmarks hold pointers to them).
struct Registry {
  std::vector<std::unique_ptr<DataSet>> data;

  const DataSet* Add(DataSet d) {
    data.push_back(std::make_unique<DataSet>(std::move(d)));
    return data.back().get();
  }
};

void RegisterFor(const DataSet* d, const std::string& size_tag, bool xor_too) {
  const std::string suffix = "/" + d->name + "/" + size_tag;
  if (xor_too) {
    benchmark::RegisterBenchmark(("XorEncode" + suffix).c_str(), BM_Encode, d, Encoding::kXor, 0);
    benchmark::RegisterBenchmark(("XorDecode" + suffix).c_str(), BM_Decode, d, Encoding::kXor, 0);
  }
  benchmark::RegisterBenchmark(("ColdEncode" + suffix).c_str(), BM_Encode, d, Encoding::kCold, 3);
  benchmark::RegisterBenchmark(("ColdDecode" + suffix).c_str(), BM_Decode, d, Encoding::kCold, 3);
}

}  // namespace
}  // namespace tidemark::chunk

int main(int argc, char** argv) {
  using namespace tidemark::chunk;  // NOLINT(google-build-using-namespace): main only
  Registry reg;
  // Head-sized chunks (120 samples = 30 min at 15 s) for every pattern; cold blocks of 960
  // samples (4 h: eight sealed head chunks merged) where the cold encoding is meant to be used.
  for (auto vp : tidemark::testing::AllValuePatterns()) {
    const Pattern p{vp, TimePattern::kJittered};
    RegisterFor(reg.Add(MakePatternData(p, kTargetSamplesPerChunk)), "120", true);
    RegisterFor(reg.Add(MakePatternData(p, 960)), "960", false);
  }
  for (TimePattern tp : {TimePattern::kRegular, TimePattern::kJittered}) {
    RegisterFor(reg.Add(MakeMixData(tp, kTargetSamplesPerChunk)), "120", true);
    RegisterFor(reg.Add(MakeMixData(tp, 960)), "960", true);
    RegisterFor(reg.Add(MakeMixData(tp, 3840)), "3840", false);
  }
  // zstd level trade-off on the mix, 960-sample blocks.
  const DataSet* mix = reg.Add(MakeMixData(TimePattern::kJittered, 960));
  for (int level : {1, 9, 19}) {
    const std::string name = "ColdEncode/realistic_mix/jittered/960/zstd" + std::to_string(level);
    benchmark::RegisterBenchmark(name.c_str(), BM_Encode, mix, Encoding::kCold, level);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
