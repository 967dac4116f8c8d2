// Deterministic generators of realistic metric data, shared by tests and benchmarks.
#include "support/datagen.h"

#include <array>
#include <cmath>

namespace tidemark::testing {
namespace {

// Separate streams per pattern and per purpose (values vs timestamps) from one seed.
uint64_t StreamSeed(uint64_t seed, uint64_t salt) {
  Rng r(seed * 0x2545f4914f6cdd1dULL + salt);
  return r.Next();
}

void GenConstant(Rng& r, std::vector<double>& out, size_t n) {
  static constexpr std::array<double, 6> kChoices = {0, 1, 2, 4096, 1e9, 16777216};
  const double v = kChoices[r.Uniform(kChoices.size())];
  out.assign(n, v);
}

void GenCounter(Rng& r, std::vector<double>& out, size_t n) {
  // Per-series rate spans 1..100k per scrape (log-uniform); 20% of scrapes see no increment.
  const double rate = std::pow(10.0, r.Unit() * 5);
  int64_t v = static_cast<int64_t>(r.Uniform(1'000'000'000));
  for (size_t i = 0; i < n; ++i) {
    if (r.Chance(1.0 / 2000)) {
      v = 0;  // process restart
    } else if (!r.Chance(0.2)) {
      v += static_cast<int64_t>(rate * (0.5 + r.Unit()));
    }
    out.push_back(static_cast<double>(v));
  }
}

void GenCpuSeconds(Rng& r, std::vector<double>& out, size_t n) {
  // USER_HZ ticks; a CPU mode uses 0..100% of the 15 s (1500 ticks) per scrape.
  const double busy = r.Unit();
  int64_t ticks = static_cast<int64_t>(r.Uniform(100'000'000));
  for (size_t i = 0; i < n; ++i) {
    ticks += static_cast<int64_t>(1500 * busy * (0.8 + 0.4 * r.Unit()));
    out.push_back(static_cast<double>(ticks) / 100.0);
  }
}

void GenGauge(Rng& r, std::vector<double>& out, size_t n) {
  // Random walk in hundredths (e.g. temperatures, load averages, ratios in percent).
  int64_t cents = static_cast<int64_t>(r.Uniform(10'000));
  for (size_t i = 0; i < n; ++i) {
    cents += static_cast<int64_t>(r.Uniform(41)) - 20;
    if (cents < 0) cents = -cents;
    out.push_back(static_cast<double>(cents) / 100.0);
  }
}

void GenFilesystemBytes(Rng& r, std::vector<double>& out, size_t n) {
  int64_t blocks = 10'000'000 + static_cast<int64_t>(r.Uniform(100'000'000));
  for (size_t i = 0; i < n; ++i) {
    if (r.Chance(0.3)) blocks += static_cast<int64_t>(r.Uniform(201)) - 100;
    out.push_back(static_cast<double>(blocks * 4096));
  }
}

void GenMemoryBytes(Rng& r, std::vector<double>& out, size_t n) {
  int64_t kib = 1'000'000 + static_cast<int64_t>(r.Uniform(30'000'000));
  for (size_t i = 0; i < n; ++i) {
    kib += static_cast<int64_t>(r.Uniform(20'001)) - 10'000;
    if (kib < 0) kib = -kib;
    out.push_back(static_cast<double>(kib * 1024));
  }
}

void GenHistogramBucket(Rng& r, std::vector<double>& out, size_t n) {
  // Observations per scrape falling in this bucket: mostly few, sometimes bursts.
  const double mean = std::pow(10.0, r.Unit() * 2) - 1;  // 0..99
  int64_t v = static_cast<int64_t>(r.Uniform(100'000));
  for (size_t i = 0; i < n; ++i) {
    double inc = mean * 2 * r.Unit();
    if (r.Chance(0.02)) inc *= 10;
    v += static_cast<int64_t>(inc);
    out.push_back(static_cast<double>(v));
  }
}

void GenRandomFloat(Rng& r, std::vector<double>& out, size_t n) {
  for (size_t i = 0; i < n; ++i) out.push_back(100 + 50 * (r.Unit() - 0.5));
}

}  // namespace

std::vector<double> GenerateValues(ValuePattern pattern, size_t n, uint64_t seed) {
  Rng r(StreamSeed(seed, 0x100 + static_cast<uint64_t>(pattern)));
  std::vector<double> out;
  out.reserve(n);
  switch (pattern) {
    case ValuePattern::kConstant: GenConstant(r, out, n); break;
    case ValuePattern::kCounter: GenCounter(r, out, n); break;
    case ValuePattern::kCpuSeconds: GenCpuSeconds(r, out, n); break;
    case ValuePattern::kGauge: GenGauge(r, out, n); break;
    case ValuePattern::kFilesystemBytes: GenFilesystemBytes(r, out, n); break;
    case ValuePattern::kMemoryBytes: GenMemoryBytes(r, out, n); break;
    case ValuePattern::kHistogramBucket: GenHistogramBucket(r, out, n); break;
    case ValuePattern::kRandomFloat: GenRandomFloat(r, out, n); break;
  }
  return out;
}

std::vector<Timestamp> GenerateTimestamps(TimePattern pattern, size_t n, uint64_t seed,
                                          Timestamp start, int64_t step_ms) {
  Rng r(StreamSeed(seed, 0x200 + static_cast<uint64_t>(pattern)));
  std::vector<Timestamp> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    Timestamp t = start + static_cast<int64_t>(i) * step_ms;
    if (pattern == TimePattern::kJittered) {
      t += static_cast<int64_t>(r.Chance(0.05) ? r.Uniform(40) : r.Uniform(3));
    }
    out.push_back(t);
  }
  return out;
}

std::vector<Sample> GenerateSeries(Pattern pattern, size_t n, uint64_t seed, Timestamp start,
                                   int64_t step_ms) {
  const std::vector<double> vs = GenerateValues(pattern.values, n, seed);
  const std::vector<Timestamp> ts = GenerateTimestamps(pattern.times, n, seed, start, step_ms);
  std::vector<Sample> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = Sample{ts[i], vs[i]};
  return out;
}

std::span<const ValuePattern> AllValuePatterns() {
  static constexpr std::array<ValuePattern, 8> kAll = {
      ValuePattern::kConstant,        ValuePattern::kCounter,
      ValuePattern::kCpuSeconds,      ValuePattern::kGauge,
      ValuePattern::kFilesystemBytes, ValuePattern::kMemoryBytes,
      ValuePattern::kHistogramBucket, ValuePattern::kRandomFloat};
  return kAll;
}

ValuePattern RealisticMixPattern(uint64_t i) {
  const uint64_t bucket = Rng(i ^ 0x6d1fULL).Next() % 100;
  if (bucket < 40) return ValuePattern::kConstant;
  if (bucket < 58) return ValuePattern::kCounter;
  if (bucket < 64) return ValuePattern::kCpuSeconds;
  if (bucket < 72) return ValuePattern::kGauge;
  if (bucket < 77) return ValuePattern::kFilesystemBytes;
  if (bucket < 87) return ValuePattern::kMemoryBytes;
  if (bucket < 95) return ValuePattern::kHistogramBucket;
  return ValuePattern::kRandomFloat;
}

std::string_view ValuePatternName(ValuePattern p) {
  switch (p) {
    case ValuePattern::kConstant: return "constant";
    case ValuePattern::kCounter: return "counter";
    case ValuePattern::kCpuSeconds: return "cpu_seconds";
    case ValuePattern::kGauge: return "gauge";
    case ValuePattern::kFilesystemBytes: return "fs_bytes";
    case ValuePattern::kMemoryBytes: return "mem_bytes";
    case ValuePattern::kHistogramBucket: return "histogram_bucket";
    case ValuePattern::kRandomFloat: return "random_float";
  }
  return "unknown";
}

std::string_view TimePatternName(TimePattern p) {
  return p == TimePattern::kRegular ? "regular" : "jittered";
}

std::string PatternName(Pattern p) {
  return std::string(ValuePatternName(p.values)) + "/" + std::string(TimePatternName(p.times));
}

}  // namespace tidemark::testing
