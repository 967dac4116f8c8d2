// Tests of the XOR (Gorilla) chunk: round trips, Seek, iterator reuse, appender continuation,
// corruption handling and the capacity contract.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "storage/chunk_test_util.h"
#include "support/datagen.h"
#include "support/status_matchers.h"
#include "tidemark/storage/chunk/chunk.h"

namespace tidemark::chunk {
namespace {

using ::tidemark::chunk::testutil::BitIdentical;
using ::tidemark::testing::GenerateSeries;
using ::tidemark::testing::Pattern;
using ::tidemark::testing::PatternName;
using ::tidemark::testing::Rng;
using ::tidemark::testing::TimePattern;

std::vector<Sample> AppendAll(Chunk& c, const std::vector<Sample>& samples) {
  auto app = c.appender();
  EXPECT_TRUE(app.ok()) << app.status().ToString();
  if (!app.ok()) return {};
  for (const Sample& s : samples) (*app)->Append(s.t, s.v);
  auto decoded = DecodeAll(c);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? *decoded : std::vector<Sample>{};
}

double FromBits(uint64_t b) { return std::bit_cast<double>(b); }

std::vector<Sample> SpecialFloatSamples() {
  const std::vector<uint64_t> bits = {
      kStaleNaNBits,          0x7ff8000000000000ULL,  // StaleNaN, canonical quiet NaN
      0xfff8000000000001ULL,  0x7ff0000000000001ULL,  // negative NaN w/ payload, signaling NaN
      0x7fffffffffffffffULL,  0x7ff0000000000000ULL,  // max-payload NaN, +Inf
      0xfff0000000000000ULL,  0x8000000000000000ULL,  // -Inf, -0.0
      0x0000000000000000ULL,  0x0000000000000001ULL,  // +0.0, smallest denormal
      0x000fffffffffffffULL,  0x0010000000000000ULL,  // largest denormal, smallest normal
      0x7fefffffffffffffULL,  0x8000000000000001ULL,  // DBL_MAX, negative denormal
      kStaleNaNBits,          kStaleNaNBits,          // repeated StaleNaN ("unchanged" path)
      0x3ff0000000000000ULL,  kStaleNaNBits,          // 1.0 then stale
  };
  std::vector<Sample> out;
  Timestamp t = 1'700'000'000'000;
  for (uint64_t b : bits) {
    out.push_back({t, FromBits(b)});
    t += 15'000;
  }
  return out;
}

TEST(XorChunkTest, NewChunkIsEmpty) {
  auto c = NewXorChunk();
  EXPECT_EQ(c->encoding(), Encoding::kXor);
  EXPECT_EQ(c->num_samples(), 0u);
  EXPECT_EQ(c->bytes().size(), 2u);
  auto it = c->iterator(nullptr);
  EXPECT_EQ(it->Next(), ValueType::kNone);
  EXPECT_OK(it->status());
  EXPECT_EQ(it->Seek(0), ValueType::kNone);
}

TEST(XorChunkTest, AppendThenIterateRoundTripsEveryPattern) {
  for (TimePattern tp : {TimePattern::kRegular, TimePattern::kJittered}) {
    for (auto vp : ::tidemark::testing::AllValuePatterns()) {
      for (size_t n : {1u, 2u, 3u, 120u, 2000u}) {
        const Pattern p{vp, tp};
        const auto samples = GenerateSeries(p, n, /*seed=*/42);
        auto c = NewXorChunk();
        EXPECT_TRUE(BitIdentical(samples, AppendAll(*c, samples)))
            << PatternName(p) << " n=" << n;
        EXPECT_EQ(c->num_samples(), n);
      }
    }
  }
}

TEST(XorChunkTest, SpecialFloatsRoundTripBitExact) {
  const auto samples = SpecialFloatSamples();
  auto c = NewXorChunk();
  const auto got = AppendAll(*c, samples);
  EXPECT_TRUE(BitIdentical(samples, got));
  ASSERT_EQ(got.size(), samples.size());
  EXPECT_TRUE(IsStaleNaN(got[0].v));
  EXPECT_FALSE(IsStaleNaN(got[1].v));
  EXPECT_TRUE(std::signbit(got[7].v));
}

TEST(XorChunkTest, RandomBitPatternsAndTimestampsRoundTrip) {
  Rng r(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<Sample> samples(1 + r.Uniform(300));
    for (auto& s : samples) {
      // Mix of arbitrary int64 timestamps (huge, negative, wrapping deltas) and random bits.
      s.t = static_cast<Timestamp>(r.Next());
      s.v = FromBits(r.Next());
    }
    auto c = NewXorChunk();
    ASSERT_TRUE(BitIdentical(samples, AppendAll(*c, samples))) << "round " << round;
  }
}

TEST(XorChunkTest, ExtremeTimestampsRoundTrip) {
  constexpr auto kMin = std::numeric_limits<int64_t>::min();
  constexpr auto kMax = std::numeric_limits<int64_t>::max();
  const std::vector<Sample> samples = {
      {kMin, 1}, {kMax, 2}, {kMin, 3}, {0, 4}, {-1, 5}, {kMax, 6}, {kMax, 7}, {kMin + 1, 8},
      {-1'000'000'000'000, 9}, {-999'999'985'000, 10}, {-999'999'970'000, 11}};
  auto c = NewXorChunk();
  EXPECT_TRUE(BitIdentical(samples, AppendAll(*c, samples)));
}

TEST(XorChunkTest, DeltaOfDeltaBucketEdgesRoundTrip) {
  // Each dod value sits at or just beyond an edge of one of the 4/8/16/64-bit buckets.
  const std::vector<int64_t> dods = {0,      1,      -1,     7,         -8,          8,
                                     -9,     127,    -128,   128,       -129,        32767,
                                     -32768, 32768,  -32769, 1LL << 40, -(1LL << 40)};
  std::vector<Sample> samples = {{0, 0}, {15'000, 1}};
  int64_t delta = 15'000;
  for (int64_t d : dods) {
    delta += d;
    samples.push_back({samples.back().t + delta, static_cast<double>(samples.size())});
  }
  auto c = NewXorChunk();
  EXPECT_TRUE(BitIdentical(samples, AppendAll(*c, samples)));
}

TEST(XorChunkTest, RegularConstantSeriesCostsTwoBitsPerSample) {
  std::vector<Sample> samples;
  for (int i = 0; i < 120; ++i) samples.push_back({1'700'000'000'000 + i * 15'000, 1.0});
  const std::string bytes = EncodeXor(samples);
  // Header 2 + first sample (6-byte varint + 8) + second (3-byte varint delta + 1 bit) +
  // 118 samples x 2 bits.
  const size_t bits = 16 + (6 * 8 + 64) + (3 * 8 + 1) + 118 * 2;
  EXPECT_EQ(bytes.size(), (bits + 7) / 8);
}

TEST(XorChunkTest, SeekIsForwardOnly) {
  std::vector<Sample> samples;
  for (int i = 0; i < 10; ++i) samples.push_back({1000 + i * 10, static_cast<double>(i)});
  const std::string bytes = EncodeXor(samples);
  ASSERT_OK_AND_ASSIGN(auto c, ChunkFromBytes(Encoding::kXor, AsBytes(bytes)));
  auto it = c->iterator(nullptr);
  EXPECT_EQ(it->Seek(0), ValueType::kFloat);  // before the first sample: lands on it
  EXPECT_EQ(it->At().t, 1000);
  EXPECT_EQ(it->Seek(1035), ValueType::kFloat);  // between samples: the next one
  EXPECT_EQ(it->At().t, 1040);
  EXPECT_EQ(it->At().v, 4.0);
  EXPECT_EQ(it->Seek(1040), ValueType::kFloat);  // exact hit on the current sample: no-op
  EXPECT_EQ(it->At().t, 1040);
  EXPECT_EQ(it->Seek(1000), ValueType::kFloat);  // backwards: no-op
  EXPECT_EQ(it->At().t, 1040);
  EXPECT_EQ(it->Next(), ValueType::kFloat);
  EXPECT_EQ(it->At().t, 1050);
  EXPECT_EQ(it->Seek(1090), ValueType::kFloat);  // the last sample
  EXPECT_EQ(it->At().v, 9.0);
  EXPECT_EQ(it->Seek(1091), ValueType::kNone);  // past the end
  EXPECT_EQ(it->Seek(0), ValueType::kNone);     // stays exhausted
  EXPECT_EQ(it->Next(), ValueType::kNone);
  EXPECT_OK(it->status());
}

TEST(XorChunkTest, IteratorIsReusedAcrossChunks) {
  const auto a = GenerateSeries({}, 50, 1);
  const auto b = GenerateSeries({}, 70, 2);
  const std::string ab = EncodeXor(a), bb = EncodeXor(b);
  ASSERT_OK_AND_ASSIGN(auto ca, ChunkFromBytes(Encoding::kXor, AsBytes(ab)));
  ASSERT_OK_AND_ASSIGN(auto cb, ChunkFromBytes(Encoding::kXor, AsBytes(bb)));
  auto it = ca->iterator(nullptr);
  ASSERT_EQ(it->Seek(a[30].t), ValueType::kFloat);
  ChunkIterator* raw = it.get();
  it = cb->iterator(std::move(it));
  EXPECT_EQ(it.get(), raw);  // recycled, not reallocated
  std::vector<Sample> got;
  while (it->Next() == ValueType::kFloat) got.push_back(it->At());
  EXPECT_OK(it->status());
  EXPECT_TRUE(BitIdentical(b, got));
}

TEST(XorChunkTest, AppenderContinuesExistingChunkByteForByte) {
  auto samples = GenerateSeries({testing::ValuePattern::kGauge, TimePattern::kJittered}, 40, 3);
  samples.push_back({samples.back().t + 15'000, StaleNaN()});
  const std::string whole = EncodeXor(samples);
  for (size_t k = 0; k <= samples.size(); ++k) {
    const std::string prefix =
        EncodeXor(std::span<const Sample>(samples.data(), k));
    ASSERT_OK_AND_ASSIGN(auto c, ChunkFromBytes(Encoding::kXor, AsBytes(prefix)));
    ASSERT_OK_AND_ASSIGN(auto app, c->appender());
    for (size_t i = k; i < samples.size(); ++i) app->Append(samples[i].t, samples[i].v);
    const auto b = c->bytes();
    ASSERT_EQ(std::string(reinterpret_cast<const char*>(b.data()), b.size()), whole) << k;
    // The viewed prefix was copied on write, not modified.
    EXPECT_EQ(prefix, EncodeXor(std::span<const Sample>(samples.data(), k)));
  }
}

TEST(XorChunkTest, AppenderIgnoresGarbageAfterTheLastSample) {
  const auto samples = GenerateSeries({}, 10, 4);
  std::string bytes = EncodeXor(std::span<const Sample>(samples.data(), 5));
  bytes.back() = static_cast<char>(bytes.back() | 0x01);  // set a padding bit (if any)
  bytes += "\xff\xff";                                    // and trailing junk
  ASSERT_OK_AND_ASSIGN(auto c, ChunkFromOwnedBytes(Encoding::kXor, bytes));
  ASSERT_OK_AND_ASSIGN(auto app, c->appender());
  for (size_t i = 5; i < samples.size(); ++i) app->Append(samples[i].t, samples[i].v);
  ASSERT_OK_AND_ASSIGN(auto got, DecodeAll(*c));
  // Sample 4 may differ if the flipped bit was not padding; samples 5.. are always intact.
  ASSERT_EQ(got.size(), samples.size());
  for (size_t i = 5; i < samples.size(); ++i) EXPECT_EQ(got[i].t, samples[i].t);
}

TEST(XorChunkTest, ShortInputIsCorruption) {
  for (std::string s : {std::string(), std::string("\x01", 1)}) {
    auto c = ChunkFromBytes(Encoding::kXor, AsBytes(s));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), StatusCode::kCorruption);
  }
}

TEST(XorChunkTest, UnknownEncodingIsInvalidArgument) {
  const std::string bytes = EncodeXor(GenerateSeries({}, 3, 1));
  for (auto e : {Encoding::kNone, static_cast<Encoding>(77)}) {
    auto c = ChunkFromBytes(e, AsBytes(bytes));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(XorChunkTest, CountLargerThanBytesCanHoldIsRejectedUpFront) {
  std::string bytes = EncodeXor(GenerateSeries({}, 3, 1));
  bytes[0] = '\x10';  // claims 4099 samples in ~20 bytes
  auto c = ChunkFromBytes(Encoding::kXor, AsBytes(bytes));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kCorruption);
}

TEST(XorChunkTest, EveryTruncationIsCorruption) {
  const std::string whole = EncodeXor(
      GenerateSeries({testing::ValuePattern::kRandomFloat, TimePattern::kJittered}, 120, 5));
  for (size_t len = 0; len < whole.size(); ++len) {
    const std::string cut = whole.substr(0, len);
    auto c = ChunkFromBytes(Encoding::kXor, AsBytes(cut));
    if (!c.ok()) {
      EXPECT_EQ(c.status().code(), StatusCode::kCorruption) << len;
      continue;
    }
    const Status s = ValidateChunk(**c);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << "len " << len << ": " << s.ToString();
    auto all = DecodeAll(**c);
    ASSERT_FALSE(all.ok());
    EXPECT_EQ(all.status().code(), StatusCode::kCorruption);
  }
}

TEST(XorChunkTest, BitFlipsNeverCrashAndAreOftenDetected) {
  const auto samples =
      GenerateSeries({testing::ValuePattern::kCounter, TimePattern::kJittered}, 120, 6);
  const std::string whole = EncodeXor(samples);
  int detected = 0, changed = 0;
  for (size_t bit = 0; bit < whole.size() * 8; ++bit) {
    std::string bad = whole;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (0x80 >> (bit % 8)));
    auto c = ChunkFromBytes(Encoding::kXor, AsBytes(bad));
    if (!c.ok()) {
      EXPECT_EQ(c.status().code(), StatusCode::kCorruption);
      ++detected;
      continue;
    }
    auto it = (*c)->iterator(nullptr);
    std::vector<Sample> got;
    while (it->Next() == ValueType::kFloat) got.push_back(it->At());
    if (!it->status().ok()) {
      EXPECT_EQ(it->status().code(), StatusCode::kCorruption);
      ++detected;
    } else if (!BitIdentical(samples, got)) {
      ++changed;  // XOR chunks carry no checksum (RocksDB checksums blocks): silent change.
    } else {
      // Only the zero padding after the last sample may be flipped without effect.
      EXPECT_EQ(bit / 8, whole.size() - 1) << "flip of bit " << bit << " had no effect";
    }
  }
  EXPECT_GT(detected, 0);
  EXPECT_GT(changed, 0);
}

// Reads `bytes` in batches of `batch` up to `mid`, then to the end, both ways; everything handed
// out, where each batch leaves the iterator, and the final status must be the same.
void ExpectBatchesMatchAtAndNext(const std::string& bytes, size_t batch, Timestamp mid,
                                 const std::string& what) {
  auto c = ChunkFromBytes(Encoding::kXor, AsBytes(bytes));
  if (!c.ok()) return;
  auto ref = (*c)->iterator(nullptr);
  auto fast = (*c)->iterator(nullptr);
  ValueType vr = ref->Next(), vf = fast->Next();
  ASSERT_EQ(vr, vf) << what;
  for (Timestamp maxt : {mid, std::numeric_limits<Timestamp>::max()}) {
    while (vr == ValueType::kFloat) {
      std::vector<Sample> a(batch), b(batch);
      // ChunkIterator's own ReadBatch is the At()/Next() loop the batch decoder must match.
      const size_t ka = ref->ChunkIterator::ReadBatch(maxt, a.data(), batch, &vr);
      const size_t kb = fast->ReadBatch(maxt, b.data(), batch, &vf);
      ASSERT_EQ(ka, kb) << what;
      a.resize(ka);
      b.resize(kb);
      ASSERT_TRUE(BitIdentical(a, b)) << what;
      ASSERT_EQ(vr, vf) << what;
      if (vr == ValueType::kFloat) {
        ASSERT_EQ(ref->At().t, fast->At().t) << what;
        ASSERT_EQ(std::bit_cast<uint64_t>(ref->At().v), std::bit_cast<uint64_t>(fast->At().v))
            << what;
      }
      if (ka == 0) break;  // at the first sample after maxt
    }
  }
  EXPECT_EQ(ref->status().ToString(), fast->status().ToString()) << what;
}

TEST(XorChunkTest, ReadBatchYieldsWhatAtAndNextYield) {
  std::vector<std::pair<std::string, std::vector<Sample>>> inputs;
  for (TimePattern tp : {TimePattern::kRegular, TimePattern::kJittered}) {
    for (auto vp : ::tidemark::testing::AllValuePatterns()) {
      const Pattern p{vp, tp};
      inputs.emplace_back(PatternName(p), GenerateSeries(p, 240, 9));
    }
  }
  inputs.emplace_back("special floats", SpecialFloatSamples());
  Rng r(11);
  std::vector<Sample> wild(300);
  for (auto& s : wild) s = {static_cast<Timestamp>(r.Next()), FromBits(r.Next())};
  inputs.emplace_back("random bits", wild);
  for (const auto& [name, samples] : inputs) {
    const std::string bytes = EncodeXor(samples);
    const Timestamp mid = samples[samples.size() / 2].t;
    for (size_t batch : {1u, 2u, 3u, 7u, 64u, 1000u}) {
      ExpectBatchesMatchAtAndNext(bytes, batch, mid, name + " batch " + std::to_string(batch));
    }
  }
  // Damaged chunks: the batch decoder hands the broken sample to Next(), which reports it.
  const auto samples =
      GenerateSeries({testing::ValuePattern::kRandomFloat, TimePattern::kJittered}, 120, 12);
  const std::string whole = EncodeXor(samples);
  const Timestamp mid = samples[60].t;
  for (size_t bit = 16; bit < whole.size() * 8; bit += 3) {
    std::string bad = whole;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (0x80 >> (bit % 8)));
    ExpectBatchesMatchAtAndNext(bad, 64, mid, "flip " + std::to_string(bit));
  }
  for (size_t len = 2; len < whole.size(); len += 5) {
    ExpectBatchesMatchAtAndNext(whole.substr(0, len), 16, mid, "cut " + std::to_string(len));
  }
}

TEST(XorChunkTest, WorstCaseSampleFitsTheDocumentedBound) {
  // Random bits with alternating huge timestamp jumps force the 64-bit dod bucket and a fresh
  // 64-bit XOR window as often as possible.
  Rng r(9);
  std::string buf;
  auto c = NewXorChunk();
  ASSERT_OK_AND_ASSIGN(auto app, c->appender());
  size_t prev = c->bytes().size();
  for (uint32_t i = 0; i < kTargetSamplesPerChunk; ++i) {
    const Timestamp t = (i % 2 ? 1 : -1) * static_cast<Timestamp>(r.Next() >> 2);
    app->Append(t, FromBits(r.Next() | 1 | (1ULL << 63)));
    const size_t now = c->bytes().size();
    EXPECT_LE(now - prev, kMaxXorBytesPerSample) << i;
    prev = now;
  }
  EXPECT_LE(c->bytes().size(), kTargetSamplesPerChunk * kMaxXorBytesPerSample + 2);
}

TEST(XorChunkTest, RandomFloatChunkStaysWithinMaxBytes) {
  const auto samples =
      GenerateSeries({testing::ValuePattern::kRandomFloat, TimePattern::kJittered},
                     kTargetSamplesPerChunk, 10);
  EXPECT_LE(EncodeXor(samples).size(), kMaxXorChunkBytes);
}

}  // namespace
}  // namespace tidemark::chunk
