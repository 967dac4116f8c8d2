// Tests of the cold block encoding: bit-exact round trips, codec choice, Seek, reuse and
// corruption (checksum) handling.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "storage/chunk_test_util.h"
#include "support/datagen.h"
#include "support/status_matchers.h"
#include "tidemark/storage/chunk/chunk.h"
#include "tidemark/storage/chunk/cold.h"
#include "tidemark/storage/chunk/crc32c.h"

namespace tidemark::chunk {
namespace {

using ::tidemark::chunk::testutil::BitIdentical;
using ::tidemark::testing::GenerateSeries;
using ::tidemark::testing::Pattern;
using ::tidemark::testing::PatternName;
using ::tidemark::testing::Rng;
using ::tidemark::testing::TimePattern;
using ::tidemark::testing::ValuePattern;

double FromBits(uint64_t b) { return std::bit_cast<double>(b); }

// Encodes, checks InspectCold agrees with the reported info, decodes through the Chunk API.
std::vector<Sample> RoundTrip(const std::vector<Sample>& samples, ColdBlockInfo* info_out,
                              const ColdOptions& options = {}) {
  ColdBlockInfo info;
  auto block = EncodeCold(samples, options, &info);
  EXPECT_TRUE(block.ok()) << block.status().ToString();
  if (!block.ok()) return {};
  EXPECT_EQ(info.encoded_bytes, block->size());
  auto inspected = InspectCold(AsBytes(*block));
  EXPECT_TRUE(inspected.ok());
  if (inspected.ok()) {
    EXPECT_EQ(inspected->num_samples, samples.size());
    EXPECT_EQ(inspected->value_codec, info.value_codec);
    EXPECT_EQ(inspected->time_codec, info.time_codec);
    EXPECT_EQ(inspected->decimal_exponent, info.decimal_exponent);
    EXPECT_EQ(inspected->zstd, info.zstd);
  }
  if (info_out != nullptr) *info_out = info;
  auto c = ChunkFromBytes(Encoding::kCold, AsBytes(*block));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return {};
  EXPECT_EQ((*c)->num_samples(), samples.size());
  EXPECT_EQ((*c)->encoding(), Encoding::kCold);
  auto all = DecodeAll(**c);
  EXPECT_TRUE(all.ok()) << all.status().ToString();
  return all.ok() ? *all : std::vector<Sample>{};
}

TEST(ColdChunkTest, EveryPatternRoundTripsBitExact) {
  for (TimePattern tp : {TimePattern::kRegular, TimePattern::kJittered}) {
    for (auto vp : ::tidemark::testing::AllValuePatterns()) {
      for (size_t n : {size_t{1}, size_t{2}, size_t{3}, size_t{120}, size_t{1000}}) {
        const Pattern p{vp, tp};
        const auto samples = GenerateSeries(p, n, /*seed=*/11);
        EXPECT_TRUE(BitIdentical(samples, RoundTrip(samples, nullptr)))
            << PatternName(p) << " n=" << n;
      }
    }
  }
}

bool IsDecimal(ColdValueCodec c) {
  return c == ColdValueCodec::kDecimalDelta || c == ColdValueCodec::kDecimalDod;
}

TEST(ColdChunkTest, MaximalBlockRoundTrips) {
  for (auto vp : {ValuePattern::kCpuSeconds, ValuePattern::kRandomFloat}) {
    const auto samples =
        GenerateSeries({vp, TimePattern::kJittered}, kMaxSamplesPerColdBlock, /*seed=*/11);
    EXPECT_TRUE(BitIdentical(samples, RoundTrip(samples, nullptr)));
  }
}

TEST(ColdChunkTest, ChoosesCodecPerBlock) {
  struct Case {
    ValuePattern pattern;
    bool decimal;  // else: the expected codec below
    ColdValueCodec codec;
    int exponent;
  };
  const std::vector<Case> cases = {
      {ValuePattern::kConstant, false, ColdValueCodec::kConstant, 0},
      {ValuePattern::kCounter, true, ColdValueCodec::kDecimalDelta, 0},
      {ValuePattern::kCpuSeconds, true, ColdValueCodec::kDecimalDelta, 2},
      {ValuePattern::kGauge, true, ColdValueCodec::kDecimalDelta, 2},
      {ValuePattern::kMemoryBytes, true, ColdValueCodec::kDecimalDelta, 0},
      {ValuePattern::kRandomFloat, false, ColdValueCodec::kXor, 0},
  };
  for (const Case& c : cases) {
    const auto samples = GenerateSeries({c.pattern, TimePattern::kJittered}, 1000, 12);
    ColdBlockInfo info;
    EXPECT_TRUE(BitIdentical(samples, RoundTrip(samples, &info)));
    const auto name = testing::ValuePatternName(c.pattern);
    if (c.decimal) {
      EXPECT_TRUE(IsDecimal(info.value_codec)) << name;
    } else {
      EXPECT_EQ(info.value_codec, c.codec) << name;
    }
    EXPECT_EQ(info.decimal_exponent, c.exponent) << name;
  }
}

TEST(ColdChunkTest, DecimalCodecDividesByCommonFactor) {
  // Values moving in whole 4 KiB blocks: with the common divisor each change is a 1-byte varint.
  std::vector<Sample> samples;
  for (int i = 0; i < 100; ++i) {
    samples.push_back({i * 15'000, static_cast<double>((1'000'000 + (i * 37 % 61)) * 4096LL)});
  }
  ColdOptions opts;
  opts.try_zstd = false;  // measure the codec itself
  ColdBlockInfo info;
  EXPECT_TRUE(BitIdentical(samples, RoundTrip(samples, &info, opts)));
  ASSERT_TRUE(IsDecimal(info.value_codec));
  EXPECT_EQ(info.time_codec, ColdTimeCodec::kGridOffset);
  // 1 flags + 2 time codec extension + 1 count + time (anchor 1 + step 3 + no missed scrapes 1 +
  // width 1 + 100 one-bit zero offsets 13) + values (1 exception count + 2 gcd + 5 m0 + 99
  // one-byte deltas of at most +-60 blocks) + 4 crc.
  EXPECT_EQ(info.encoded_bytes, 1u + 2 + 1 + 19 + 107 + 4);
}

TEST(ColdChunkTest, TimeCodecFollowsTheData) {
  ColdBlockInfo info;
  // Exactly regular scrapes: zstd squeezes the zero delta-of-deltas to nothing, and the grid
  // codec's two extension bytes make it lose. Without zstd, 1-bit grid offsets beat 1-byte dods.
  const auto regular = GenerateSeries({ValuePattern::kCounter, TimePattern::kRegular}, 500, 1);
  EXPECT_TRUE(BitIdentical(regular, RoundTrip(regular, &info)));
  EXPECT_EQ(info.time_codec, ColdTimeCodec::kDod);
  ColdOptions raw;
  raw.try_zstd = false;
  EXPECT_TRUE(BitIdentical(regular, RoundTrip(regular, &info, raw)));
  EXPECT_EQ(info.time_codec, ColdTimeCodec::kGridOffset);
  // Scrapes late by a few ms: offsets from the grid (chunk_cold_time_test.cc).
  const auto jittered = GenerateSeries({ValuePattern::kCounter, TimePattern::kJittered}, 500, 1);
  EXPECT_TRUE(BitIdentical(jittered, RoundTrip(jittered, &info)));
  EXPECT_EQ(info.time_codec, ColdTimeCodec::kGridOffset);
  // Steadily growing gaps: a constant delta-of-delta and no grid.
  std::vector<Sample> ramp;
  for (int64_t i = 0; i < 500; ++i) ramp.push_back({1'000'000 + i * i * 1000, 1.0});
  EXPECT_TRUE(BitIdentical(ramp, RoundTrip(ramp, &info)));
  EXPECT_EQ(info.time_codec, ColdTimeCodec::kDod);
  // Gaps that alternate around a step that drifts: offsets from the previous sample's delta.
  std::vector<Sample> wobble;
  int64_t t = 0;
  for (int64_t i = 0; i < 500; ++i) wobble.push_back({t += 15'000 + (i % 2 ? 7 : -7) + i, 1.0});
  EXPECT_TRUE(BitIdentical(wobble, RoundTrip(wobble, &info)));
  EXPECT_NE(info.time_codec, ColdTimeCodec::kGridOffset);
}

TEST(ColdChunkTest, LargeBlocksUseZstdAndBeatXor) {
  for (auto vp : {ValuePattern::kCounter, ValuePattern::kCpuSeconds, ValuePattern::kGauge,
                  ValuePattern::kConstant}) {
    const auto samples = GenerateSeries({vp, TimePattern::kJittered}, 2000, 13);
    ColdBlockInfo info;
    EXPECT_TRUE(BitIdentical(samples, RoundTrip(samples, &info)));
    EXPECT_LT(info.encoded_bytes, EncodeXor(samples).size()) << testing::ValuePatternName(vp);
  }
  const auto counter = GenerateSeries({ValuePattern::kCounter, TimePattern::kRegular}, 2000, 13);
  ColdBlockInfo info;
  EXPECT_TRUE(BitIdentical(counter, RoundTrip(counter, &info)));
  EXPECT_TRUE(info.zstd);
  ColdOptions no_zstd;
  no_zstd.try_zstd = false;
  ColdBlockInfo raw_info;
  EXPECT_TRUE(BitIdentical(counter, RoundTrip(counter, &raw_info, no_zstd)));
  EXPECT_FALSE(raw_info.zstd);
  EXPECT_LT(info.encoded_bytes, raw_info.encoded_bytes);
}

TEST(ColdChunkTest, DecimalBlockKeepsSpecialValuesAsExceptions) {
  auto samples = GenerateSeries({ValuePattern::kGauge, TimePattern::kJittered}, 300, 14);
  samples[10].v = -0.0;                          // would come back as +0.0 from m = 0
  samples[20].v = std::numeric_limits<double>::infinity();
  samples[30].v = 0.1 + 0.2;                     // 0.30000000000000004: needs 17 digits
  samples[40].v = FromBits(0x7ff8000000000123ULL);  // NaN with a payload
  samples[41].v = 0x1p60;                        // integer beyond 2^53
  samples[299].v = StaleNaN();                   // series went stale
  ColdBlockInfo info;
  const auto got = RoundTrip(samples, &info);
  EXPECT_TRUE(BitIdentical(samples, got));
  EXPECT_EQ(info.value_codec, ColdValueCodec::kDecimalDelta);
  EXPECT_EQ(info.decimal_exponent, 2);
  ASSERT_EQ(got.size(), samples.size());
  EXPECT_TRUE(std::signbit(got[10].v));
  EXPECT_TRUE(IsStaleNaN(got[299].v));
}

TEST(ColdChunkTest, SpecialFloatsAndRandomBitsRoundTrip) {
  Rng r(15);
  for (int round = 0; round < 100; ++round) {
    std::vector<Sample> samples(1 + r.Uniform(400));
    for (auto& s : samples) {
      s.t = static_cast<Timestamp>(r.Next());
      switch (r.Uniform(4)) {
        case 0: s.v = FromBits(r.Next()); break;
        case 1: s.v = static_cast<double>(static_cast<int64_t>(r.Uniform(1000))) / 100; break;
        case 2: s.v = FromBits(kStaleNaNBits); break;
        default: s.v = FromBits(0x8000000000000000ULL); break;
      }
    }
    ASSERT_TRUE(BitIdentical(samples, RoundTrip(samples, nullptr))) << "round " << round;
  }
}

TEST(ColdChunkTest, ExtremeTimestampsRoundTrip) {
  constexpr auto kMin = std::numeric_limits<int64_t>::min();
  constexpr auto kMax = std::numeric_limits<int64_t>::max();
  const std::vector<Sample> samples = {{kMin, 1}, {kMax, 2},  {kMin, 3},     {0, 4},
                                       {-1, 5},   {kMax, 6}, {kMin + 1, 7}, {-15'000, 8}};
  EXPECT_TRUE(BitIdentical(samples, RoundTrip(samples, nullptr)));
}

TEST(ColdChunkTest, ForcedXorValuesRoundTrip) {
  ColdOptions opts;
  opts.force_xor_values = true;
  const auto samples = GenerateSeries({ValuePattern::kConstant, TimePattern::kJittered}, 200, 16);
  ColdBlockInfo info;
  EXPECT_TRUE(BitIdentical(samples, RoundTrip(samples, &info, opts)));
  EXPECT_EQ(info.value_codec, ColdValueCodec::kXor);
}

TEST(ColdChunkTest, RejectsEmptyAndOversizedInput) {
  auto empty = EncodeCold({});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  const auto big = GenerateSeries({}, kMaxSamplesPerColdBlock + 1, 1);
  auto too_big = EncodeCold(big);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().code(), StatusCode::kInvalidArgument);
}

TEST(ColdChunkTest, IsImmutable) {
  ASSERT_OK_AND_ASSIGN(std::string block, EncodeCold(GenerateSeries({}, 10, 1)));
  ASSERT_OK_AND_ASSIGN(auto c, ChunkFromOwnedBytes(Encoding::kCold, block));
  auto app = c->appender();
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().code(), StatusCode::kInvalidArgument);
}

TEST(ColdChunkTest, SeekIsForwardOnlyAndBinarySearches) {
  std::vector<Sample> samples;
  for (int i = 0; i < 1000; ++i) samples.push_back({1000 + i * 10, static_cast<double>(i)});
  ASSERT_OK_AND_ASSIGN(std::string block, EncodeCold(samples));
  ASSERT_OK_AND_ASSIGN(auto c, ChunkFromBytes(Encoding::kCold, AsBytes(block)));
  auto it = c->iterator(nullptr);
  EXPECT_EQ(it->Seek(0), ValueType::kFloat);
  EXPECT_EQ(it->At().t, 1000);
  EXPECT_EQ(it->Seek(5005), ValueType::kFloat);
  EXPECT_EQ(it->At().t, 5010);
  EXPECT_EQ(it->At().v, 401.0);
  EXPECT_EQ(it->Seek(5010), ValueType::kFloat);  // no-op
  EXPECT_EQ(it->Seek(10), ValueType::kFloat);    // backwards: no-op
  EXPECT_EQ(it->At().t, 5010);
  EXPECT_EQ(it->Next(), ValueType::kFloat);
  EXPECT_EQ(it->At().t, 5020);
  EXPECT_EQ(it->Seek(10'990), ValueType::kFloat);
  EXPECT_EQ(it->At().v, 999.0);
  EXPECT_EQ(it->Next(), ValueType::kNone);
  EXPECT_EQ(it->Seek(0), ValueType::kNone);
  EXPECT_OK(it->status());
  auto it2 = c->iterator(nullptr);
  EXPECT_EQ(it2->Seek(11'000), ValueType::kNone);
  EXPECT_EQ(it2->Next(), ValueType::kNone);
}

TEST(ColdChunkTest, SeekOnUnsortedBlockScansForward) {
  const std::vector<Sample> samples = {{50, 1}, {10, 2}, {70, 3}, {20, 4}};
  ASSERT_OK_AND_ASSIGN(std::string block, EncodeCold(samples));
  ASSERT_OK_AND_ASSIGN(auto c, ChunkFromBytes(Encoding::kCold, AsBytes(block)));
  auto it = c->iterator(nullptr);
  EXPECT_EQ(it->Seek(60), ValueType::kFloat);  // first sample in stored order with t >= 60
  EXPECT_EQ(it->At().v, 3.0);
}

TEST(ColdChunkTest, IteratorsAreReusedAndMixWithXor) {
  const auto a = GenerateSeries({}, 300, 1), b = GenerateSeries({}, 500, 2);
  ASSERT_OK_AND_ASSIGN(std::string ba, EncodeCold(a));
  ASSERT_OK_AND_ASSIGN(std::string bb, EncodeCold(b));
  const std::string xb = EncodeXor(b);
  ASSERT_OK_AND_ASSIGN(auto ca, ChunkFromBytes(Encoding::kCold, AsBytes(ba)));
  ASSERT_OK_AND_ASSIGN(auto cb, ChunkFromBytes(Encoding::kCold, AsBytes(bb)));
  ASSERT_OK_AND_ASSIGN(auto cx, ChunkFromBytes(Encoding::kXor, AsBytes(xb)));
  auto it = ca->iterator(nullptr);
  ASSERT_EQ(it->Next(), ValueType::kFloat);
  ChunkIterator* raw = it.get();
  it = cb->iterator(std::move(it));
  EXPECT_EQ(it.get(), raw);
  std::vector<Sample> got;
  while (it->Next() == ValueType::kFloat) got.push_back(it->At());
  EXPECT_TRUE(BitIdentical(b, got));
  it = cx->iterator(std::move(it));  // wrong type for XOR: a fresh iterator
  got.clear();
  while (it->Next() == ValueType::kFloat) got.push_back(it->At());
  EXPECT_TRUE(BitIdentical(b, got));
}

TEST(ColdChunkTest, EveryTruncationAndBitFlipIsCorruption) {
  const auto samples = GenerateSeries({ValuePattern::kCpuSeconds, TimePattern::kJittered}, 500, 17);
  ASSERT_OK_AND_ASSIGN(std::string block, EncodeCold(samples));
  for (size_t len = 0; len < block.size(); ++len) {
    auto c = ChunkFromBytes(Encoding::kCold, AsBytes(std::string_view(block).substr(0, len)));
    ASSERT_FALSE(c.ok()) << len;
    EXPECT_EQ(c.status().code(), StatusCode::kCorruption);
  }
  for (size_t bit = 0; bit < block.size() * 8; ++bit) {
    std::string bad = block;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    auto c = ChunkFromBytes(Encoding::kCold, AsBytes(bad));
    ASSERT_FALSE(c.ok()) << bit;  // CRC-32C detects every single-bit error
    EXPECT_EQ(c.status().code(), StatusCode::kCorruption);
    EXPECT_EQ(c.status().message(), "cold block: checksum mismatch");
  }
}

// Damage behind a recomputed checksum exercises the decoders themselves.
std::string Reseal(std::string block) {
  block.resize(block.size() - 4);
  const uint32_t crc = Crc32c(AsBytes(block));
  for (int i = 0; i < 4; ++i) block.push_back(static_cast<char>(crc >> (8 * i)));
  return block;
}

TEST(ColdChunkTest, DamageBehindAValidChecksumNeverCrashes) {
  for (auto vp : {ValuePattern::kCounter, ValuePattern::kRandomFloat, ValuePattern::kConstant}) {
    for (bool zstd : {false, true}) {
      ColdOptions opts;
      opts.try_zstd = zstd;
      const auto samples = GenerateSeries({vp, TimePattern::kRegular}, 100, 18);
      ASSERT_OK_AND_ASSIGN(std::string block, EncodeCold(samples, opts));
      ASSERT_OK_AND_ASSIGN(ColdBlockInfo info, InspectCold(AsBytes(block)));
      if (vp == ValuePattern::kCounter) {
        EXPECT_EQ(info.zstd, zstd);  // both payload paths are exercised
      }
      int errors = 0;
      std::unique_ptr<ChunkIterator> it;
      for (size_t bit = 0; bit < (block.size() - 4) * 8; ++bit) {
        std::string bad = block;
        bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
        bad = Reseal(bad);
        auto c = ChunkFromBytes(Encoding::kCold, AsBytes(bad));
        if (!c.ok()) {
          EXPECT_EQ(c.status().code(), StatusCode::kCorruption);
          ++errors;
          continue;
        }
        it = (*c)->iterator(std::move(it));  // recycled: one zstd context for all rounds
        uint32_t n = 0;
        while (it->Next() == ValueType::kFloat) ++n;
        if (!it->status().ok()) {
          EXPECT_EQ(it->status().code(), StatusCode::kCorruption);
          ++errors;
        } else {
          EXPECT_EQ(n, (*c)->num_samples());
        }
      }
      EXPECT_GT(errors, 0);
    }
  }
}

TEST(ColdChunkTest, ShortBlockIsCorruption) {
  for (std::string s : {std::string(), std::string("\x01\x01", 2)}) {
    auto c = ChunkFromBytes(Encoding::kCold, AsBytes(s));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), StatusCode::kCorruption);
  }
  // A well-sealed block that claims zero samples.
  auto c = ChunkFromBytes(Encoding::kCold, AsBytes(Reseal(std::string("\x00\x00....", 6))));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kCorruption);
}

TEST(ColdChunkTest, Crc32cMatchesKnownVector) {
  // RFC 3720 B.4: CRC-32C of "123456789" is 0xE3069283.
  EXPECT_EQ(Crc32c(AsBytes("123456789")), 0xE3069283u);
  EXPECT_EQ(Crc32c(AsBytes("56789"), Crc32c(AsBytes("1234"))), 0xE3069283u);
}

}  // namespace
}  // namespace tidemark::chunk
