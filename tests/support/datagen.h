// Deterministic generators of realistic metric data, shared by tests and benchmarks.
//
// Every series is generated from (pattern, seed) alone with its own random stream, so adding a
// case or reordering callers never shifts anyone else's data. Values are produced the way real
// exporters produce them (e.g. CPU seconds are ticks / 100.0), so decimal structure is realistic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/storage/model/sample.h"

namespace tidemark::testing {

enum class ValuePattern : uint8_t {
  kConstant,         // one value forever (info metrics, sizes, flags)
  kCounter,          // integer counter, varied increments (often 0), rare resets
  kCpuSeconds,       // float counter in 1/100 s ticks, like node_cpu_seconds_total
  kGauge,            // gauge with few significant digits (2 decimals), random walk
  kFilesystemBytes,  // large integer, mostly unchanged, moves by whole 4 KiB blocks
  kMemoryBytes,      // large integer gauge, changes every scrape by whole KiB
  kHistogramBucket,  // cumulative bucket counter: small, bursty increments
  kRandomFloat,      // full-mantissa noise (the Gorilla worst case; not realistic)
};

enum class TimePattern : uint8_t {
  kRegular,   // exactly start + i * step
  kJittered,  // each scrape a little late, as real scrapers are: 95% by 0-2 ms, 5% by 0-39 ms
};

struct Pattern {
  ValuePattern values = ValuePattern::kCounter;
  TimePattern times = TimePattern::kJittered;
};

inline constexpr Timestamp kDefaultStart = 1'700'000'000'000;  // 2023-11-14, ms
inline constexpr int64_t kDefaultStepMs = 15'000;

// `n` samples of one series with increasing timestamps.
std::vector<Sample> GenerateSeries(Pattern pattern, size_t n, uint64_t seed,
                                   Timestamp start = kDefaultStart,
                                   int64_t step_ms = kDefaultStepMs);

// Only the values (or only the timestamps) of a pattern, for callers that pair them differently.
std::vector<double> GenerateValues(ValuePattern pattern, size_t n, uint64_t seed);
std::vector<Timestamp> GenerateTimestamps(TimePattern pattern, size_t n, uint64_t seed,
                                          Timestamp start, int64_t step_ms);

// Every value pattern, in declaration order.
std::span<const ValuePattern> AllValuePatterns();
// A node-exporter-like mix: the value pattern of series number `i` (stable for a given i).
// Proportions, from the shape of a typical node_exporter + process/go metrics page: 40% constant
// (sizes, info metrics, error/drop counters that stay 0, idle CPU modes), 18% counter (bytes,
// packets, vmstat), 6% cpu seconds, 8% gauge (load, temperatures, ratios), 5% filesystem bytes,
// 10% memory bytes, 8% histogram buckets, 5% random float (durations such as
// node_scrape_collector_duration_seconds).
ValuePattern RealisticMixPattern(uint64_t i);

std::string_view ValuePatternName(ValuePattern p);
std::string_view TimePatternName(TimePattern p);
// "counter/jittered"
std::string PatternName(Pattern p);

// Deterministic 64-bit PRNG (SplitMix64): identical on every platform and standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0. (Modulo bias is irrelevant for test data.)
  uint64_t Uniform(uint64_t n) { return Next() % n; }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }

 private:
  uint64_t state_;
};

}  // namespace tidemark::testing
