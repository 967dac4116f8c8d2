// Tests of the cold block time codecs: the grid-offset codec's exact round trip on edge cases,
// its exact layout, the per-block choice, the header extension, and that blocks written before
// the grid codec existed still decode (fixed byte vectors).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
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
using ::tidemark::testing::Rng;
using ::tidemark::testing::TimePattern;
using ::tidemark::testing::ValuePattern;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kStep = 15'000;
constexpr ColdTimeCodec kAllTimeCodecs[] = {ColdTimeCodec::kDod, ColdTimeCodec::kDeltaFromBase,
                                            ColdTimeCodec::kGridOffset};

std::vector<Sample> WithTimes(const std::vector<int64_t>& ts) {
  std::vector<Sample> out;
  for (size_t i = 0; i < ts.size(); ++i) out.push_back({ts[i], static_cast<double>(i % 7)});
  return out;
}

// Encodes with `codec` forced (zstd on or off), checks the header says so, decodes.
std::vector<Sample> ForcedRoundTrip(const std::vector<Sample>& samples, ColdTimeCodec codec,
                                    bool zstd, ColdBlockInfo* info_out = nullptr) {
  ColdOptions opts;
  opts.force_time_codec = codec;
  opts.try_zstd = zstd;
  ColdBlockInfo info;
  auto block = EncodeCold(samples, opts, &info);
  EXPECT_TRUE(block.ok()) << block.status().ToString();
  if (!block.ok()) return {};
  EXPECT_EQ(info.time_codec, codec);
  EXPECT_EQ(info.encoded_bytes, block->size());
  auto inspected = InspectCold(AsBytes(*block));
  EXPECT_TRUE(inspected.ok()) << inspected.status().ToString();
  if (inspected.ok()) {
    EXPECT_EQ(inspected->time_codec, codec);
  }
  if (info_out != nullptr) *info_out = info;
  auto c = ChunkFromBytes(Encoding::kCold, AsBytes(*block));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return {};
  auto all = DecodeAll(**c);
  EXPECT_TRUE(all.ok()) << all.status().ToString();
  return all.ok() ? *all : std::vector<Sample>{};
}

// Timestamp sequences the grid codec must reproduce exactly, scrape-like or not.
std::vector<std::pair<std::string, std::vector<int64_t>>> EdgeCases() {
  std::vector<std::pair<std::string, std::vector<int64_t>>> cases;
  cases.push_back({"one sample", {kT0}});
  cases.push_back({"one sample at INT64_MIN", {kMin}});
  cases.push_back({"two samples", {kT0, kT0 + kStep + 3}});
  cases.push_back({"two equal samples", {kT0, kT0}});
  std::vector<int64_t> jitter, negative, missed, huge, irregular, drift, step1;
  for (int64_t i = 0; i < 300; ++i) {
    const int64_t late = (i * 7919) % 3 + ((i % 17 == 0) ? 35 : 0);
    jitter.push_back(kT0 + i * kStep + late);
    negative.push_back(-9'000'000 + i * kStep + late);  // crosses zero
    // Missed scrapes: runs of 1, 2 and 40 missing grid points, one at the very start.
    const int64_t k = i + (i >= 1 ? 1 : 0) + (i >= 50 ? 2 : 0) + (i >= 200 ? 40 : 0);
    missed.push_back(kT0 + k * kStep + late);
    // Lateness of up to a whole step and beyond (wraps to the next grid point).
    huge.push_back(kT0 + i * kStep + static_cast<int64_t>((i * 2654435761u) % 40'000));
    irregular.push_back(kT0 + i * i * 37 + (i % 5) * 1'000'003);
    drift.push_back(kT0 + i * kStep + i / 3);  // a slowly drifting clock
    step1.push_back(kMax - 300 + i);           // 1 ms steps up to INT64_MAX - 1
  }
  cases.push_back({"jitter", jitter});
  cases.push_back({"negative", negative});
  cases.push_back({"missed scrapes", missed});
  cases.push_back({"huge jitter", huge});
  cases.push_back({"irregular gaps", irregular});
  cases.push_back({"drift", drift});
  cases.push_back({"1 ms step near INT64_MAX", step1});
  cases.push_back({"extremes", {kMin, kMax, kMin, 0, -1, kMax, kMin + 1, -15'000}});
  cases.push_back({"wrapping grid", {kMax - 10, kMin + 5, kMin + 25, kMin + 40, kMin + 61}});
  cases.push_back({"descending", {kT0, kT0 - kStep, kT0 - 2 * kStep, kT0 - 3 * kStep + 1}});
  cases.push_back({"duplicates", {kT0, kT0, kT0 + 1, kT0 + 1, kT0 + 1}});
  cases.push_back({"huge steps", {kMin, 0, kMax, kMin, 0, kMax}});
  std::vector<int64_t> random;
  Rng rng(42);
  for (int i = 0; i < 500; ++i) random.push_back(static_cast<int64_t>(rng.Next()));
  cases.push_back({"random bits", random});
  return cases;
}

TEST(ColdTimeCodecTest, EveryTimeCodecRoundTripsEdgeCasesExactly) {
  for (const auto& [name, ts] : EdgeCases()) {
    const auto samples = WithTimes(ts);
    for (ColdTimeCodec codec : kAllTimeCodecs) {
      for (bool zstd : {false, true}) {
        EXPECT_TRUE(BitIdentical(samples, ForcedRoundTrip(samples, codec, zstd)))
            << name << ", codec " << static_cast<int>(codec) << ", zstd " << zstd;
      }
    }
  }
}

TEST(ColdTimeCodecTest, DefaultChoiceRoundTripsEdgeCases) {
  for (const auto& [name, ts] : EdgeCases()) {
    const auto samples = WithTimes(ts);
    auto block = EncodeCold(samples);
    ASSERT_TRUE(block.ok()) << name;
    ASSERT_OK_AND_ASSIGN(auto c, ChunkFromBytes(Encoding::kCold, AsBytes(*block)));
    ASSERT_OK_AND_ASSIGN(auto got, DecodeAll(*c));
    EXPECT_TRUE(BitIdentical(samples, got)) << name;
  }
}

// The documented layout, byte for byte: 100 constant samples on a 15 s grid, 0-2 ms late, one
// missed scrape before sample 40.
TEST(ColdTimeCodecTest, GridLayoutIsExact) {
  std::vector<Sample> samples;
  for (int64_t i = 0; i < 100; ++i) {
    const int64_t k = i + (i >= 40 ? 1 : 0);
    samples.push_back({kT0 + 5 + k * kStep + (i % 3), 42.0});
  }
  samples[0].t += 1;  // the first scrape is not the earliest phase: the anchor is kT0 + 5
  ColdOptions opts;
  opts.try_zstd = false;
  ColdBlockInfo info;
  ASSERT_OK_AND_ASSIGN(std::string block, EncodeCold(samples, opts, &info));
  EXPECT_EQ(info.time_codec, ColdTimeCodec::kGridOffset);
  EXPECT_EQ(info.value_codec, ColdValueCodec::kConstant);
  const auto* b = reinterpret_cast<const uint8_t*>(block.data());
  EXPECT_EQ(b[0], 0x03);  // constant values, time codec bit 0, no zstd
  EXPECT_EQ(b[1], 0x00);  // extension marker
  EXPECT_EQ(b[2], 0x02);  // kGridOffset
  EXPECT_EQ(b[3], 100);   // n
  // varint anchor: zigzag(kT0 + 5) = 3'400'000'000'010 takes 6 bytes.
  std::string anchor;
  uint64_t z = (uint64_t{kT0} + 5) * 2;
  while (z >= 0x80) {
    anchor.push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  anchor.push_back(static_cast<char>(z));
  ASSERT_EQ(anchor.size(), 6u);
  EXPECT_EQ(block.substr(4, 6), anchor);
  EXPECT_EQ(block.substr(10, 3), std::string("\xb0\xea\x01", 3));  // varint step 15000
  EXPECT_EQ(b[13], 1);                                             // one missed-scrape entry
  EXPECT_EQ(b[14], 40);                                            // at sample 40
  EXPECT_EQ(b[15], 1);                                             // one grid point missed
  EXPECT_EQ(b[16], 2);                                             // offsets packed 2 bits each
  // Offsets 1 (sample 0: kT0 + 6), then 1, 2, 0, 1, 2, ... : 0b01'01'10'00, 0b01'10'00'01, ...
  EXPECT_EQ(b[17], 0x58);
  EXPECT_EQ(b[18], 0x61);
  // 25 packed bytes, no escapes, 8 bytes of value, 4 of checksum.
  EXPECT_EQ(block.size(), 17u + 25 + 8 + 4);
}

TEST(ColdTimeCodecTest, LateScrapesBecomeEscapes) {
  std::vector<Sample> samples;
  for (int64_t i = 0; i < 64; ++i) samples.push_back({kT0 + i * kStep + (i == 10 ? 500 : 1), 1});
  ColdOptions opts;
  opts.try_zstd = false;
  ColdBlockInfo info;
  ASSERT_OK_AND_ASSIGN(std::string block, EncodeCold(samples, opts, &info));
  EXPECT_EQ(info.time_codec, ColdTimeCodec::kGridOffset);
  // Offsets 0 except 499 at sample 10: 1-bit codes (8 bytes) + one escape uvarint(498) (2 bytes).
  // flags, extension (2), n, anchor (6), step (3), no skips (1), width (1), then the codes.
  EXPECT_EQ(block[14], 1);                                     // width
  EXPECT_EQ(block.substr(15, 2), std::string("\x00\x20", 2));  // sample 10 has the escape code
  EXPECT_EQ(block.substr(23, 2), std::string("\xf2\x03", 2));  // 498 = 0x1f2
  EXPECT_EQ(block.size(), 25u + 8 + 4);
  ASSERT_OK_AND_ASSIGN(auto c, ChunkFromBytes(Encoding::kCold, AsBytes(block)));
  ASSERT_OK_AND_ASSIGN(auto got, DecodeAll(*c));
  EXPECT_TRUE(BitIdentical(samples, got));
}

TEST(ColdTimeCodecTest, ChooserPicksGridOnJitteredScrapes) {
  for (ValuePattern vp : {ValuePattern::kConstant, ValuePattern::kCounter, ValuePattern::kGauge,
                          ValuePattern::kRandomFloat}) {
    for (size_t n : {120u, 960u, 3840u}) {
      const auto samples = GenerateSeries({vp, TimePattern::kJittered}, n, 7);
      for (bool zstd : {true, false}) {
        ColdOptions opts;
        opts.try_zstd = zstd;
        ColdBlockInfo info;
        ASSERT_OK_AND_ASSIGN(std::string block, EncodeCold(samples, opts, &info));
        EXPECT_EQ(info.time_codec, ColdTimeCodec::kGridOffset)
            << testing::ValuePatternName(vp) << " n=" << n << " zstd=" << zstd;
        // And it is smaller than each older codec would have been.
        for (ColdTimeCodec old : {ColdTimeCodec::kDod, ColdTimeCodec::kDeltaFromBase}) {
          opts.force_time_codec = old;
          ASSERT_OK_AND_ASSIGN(std::string other, EncodeCold(samples, opts));
          EXPECT_LT(block.size(), other.size()) << static_cast<int>(old);
          opts.force_time_codec.reset();
        }
      }
    }
  }
}

TEST(ColdTimeCodecTest, ChooserNeverLosesToAForcedCodec) {
  std::vector<std::pair<std::string, std::vector<Sample>>> data;
  data.push_back(
      {"regular", GenerateSeries({ValuePattern::kCounter, TimePattern::kRegular}, 960, 3)});
  data.push_back(
      {"jittered", GenerateSeries({ValuePattern::kGauge, TimePattern::kJittered}, 960, 3)});
  std::vector<int64_t> ts;
  Rng rng(5);
  int64_t t = kT0;
  for (int i = 0; i < 500; ++i) ts.push_back(t += static_cast<int64_t>(rng.Next() % 100'000));
  data.push_back({"irregular", WithTimes(ts)});
  for (const auto& [name, samples] : data) {
    for (bool zstd : {true, false}) {
      ColdOptions opts;
      opts.try_zstd = zstd;
      ASSERT_OK_AND_ASSIGN(std::string chosen, EncodeCold(samples, opts));
      for (ColdTimeCodec codec : kAllTimeCodecs) {
        opts.force_time_codec = codec;
        ASSERT_OK_AND_ASSIGN(std::string forced, EncodeCold(samples, opts));
        EXPECT_LE(chosen.size(), forced.size())
            << name << " zstd=" << zstd << " codec " << static_cast<int>(codec);
      }
    }
  }
}

TEST(ColdTimeCodecTest, MissedScrapesCostAFewBytesEach) {
  auto samples = GenerateSeries({ValuePattern::kConstant, TimePattern::kJittered}, 961, 9);
  ColdOptions opts;
  opts.try_zstd = false;
  ColdBlockInfo info;
  ASSERT_OK_AND_ASSIGN(std::string full, EncodeCold(samples, opts, &info));
  // Drop 11 scrapes (single misses, spread out): each costs a (gap, count) pair of 1-2 bytes,
  // and 2 bits fewer of packed offsets.
  std::vector<Sample> gappy;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (i % 90 != 45) gappy.push_back(samples[i]);
  }
  ASSERT_EQ(gappy.size(), 950u);
  ColdBlockInfo gappy_info;
  ASSERT_OK_AND_ASSIGN(std::string block, EncodeCold(gappy, opts, &gappy_info));
  EXPECT_EQ(gappy_info.time_codec, ColdTimeCodec::kGridOffset);
  EXPECT_LE(block.size(), full.size() + 11 * 3);
  ASSERT_OK_AND_ASSIGN(auto c, ChunkFromBytes(Encoding::kCold, AsBytes(block)));
  ASSERT_OK_AND_ASSIGN(auto got, DecodeAll(*c));
  EXPECT_TRUE(BitIdentical(gappy, got));
}

std::string Reseal(std::string block) {
  block.resize(block.size() - 4);
  const uint32_t crc = Crc32c(AsBytes(block));
  for (int i = 0; i < 4; ++i) block.push_back(static_cast<char>(crc >> (8 * i)));
  return block;
}

TEST(ColdTimeCodecTest, ExtendedHeaderIsValidated) {
  const auto samples = GenerateSeries({ValuePattern::kConstant, TimePattern::kJittered}, 50, 4);
  ColdOptions opts;
  opts.try_zstd = false;
  opts.force_time_codec = ColdTimeCodec::kGridOffset;
  ASSERT_OK_AND_ASSIGN(std::string block, EncodeCold(samples, opts));
  ASSERT_EQ(block[1], '\x00');
  ASSERT_EQ(block[2], '\x02');
  struct Damage {
    size_t pos;
    char byte;
    std::string message;
  };
  for (const Damage& d : {Damage{2, '\x03', "cold block: unknown time codec 3"},
                          Damage{2, '\x00', "cold block: unknown time codec 0"},
                          Damage{2, '\x01', "cold block: unknown time codec 1"},
                          Damage{0, '\x07', "cold block: bad extended header"}}) {
    std::string bad = block;
    bad[d.pos] = d.byte;
    bad = Reseal(bad);
    auto c = ChunkFromBytes(Encoding::kCold, AsBytes(bad));
    ASSERT_FALSE(c.ok()) << d.message;
    EXPECT_EQ(c.status().code(), StatusCode::kCorruption);
    EXPECT_EQ(c.status().message(), d.message);
  }
}

TEST(ColdTimeCodecTest, DamagedGridSectionNeverCrashes) {
  std::vector<int64_t> ts;
  for (int64_t i = 0; i < 80; ++i) ts.push_back(kT0 + (i + (i > 30 ? 3 : 0)) * kStep + i % 3);
  ts[20] += 700;  // an escape
  const auto samples = WithTimes(ts);
  ColdOptions opts;
  opts.try_zstd = false;
  opts.force_time_codec = ColdTimeCodec::kGridOffset;
  ASSERT_OK_AND_ASSIGN(std::string block, EncodeCold(samples, opts));
  int errors = 0, decoded = 0;
  for (size_t pos = 3; pos + 4 < block.size(); ++pos) {
    for (int delta : {1, 0x40, 0x80, 0xff}) {
      std::string bad = block;
      bad[pos] = static_cast<char>(static_cast<uint8_t>(bad[pos]) + delta);
      bad = Reseal(bad);  // the chunk views these bytes: keep them alive
      auto c = ChunkFromBytes(Encoding::kCold, AsBytes(bad));
      if (!c.ok()) {
        EXPECT_EQ(c.status().code(), StatusCode::kCorruption);
        ++errors;
        continue;
      }
      auto all = DecodeAll(**c);
      if (all.ok()) {
        EXPECT_EQ(all->size(), (*c)->num_samples());
        ++decoded;
      } else {
        EXPECT_EQ(all.status().code(), StatusCode::kCorruption);
        ++errors;
      }
    }
  }
  EXPECT_GT(errors, 0);
  EXPECT_GT(decoded, 0);  // e.g. a changed offset code still decodes, to other timestamps
}

// Blocks encoded by the code before the grid codec existed (same generator as below), so the old
// time codecs stay readable from disk. Generated once; never regenerate these.
struct Golden {
  const char* name;
  const char* hex;
  ColdTimeCodec time_codec;
  ColdValueCodec value_codec;
  bool zstd;
  std::vector<Sample> samples;
};

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::vector<Golden> GoldenBlocks() {
  constexpr int64_t kJit[] = {1, 0, 2, 37, 1, 1, 0, 2, 1, 0};
  std::vector<Golden> g;
  g.push_back({"dod_decimal",
               "210880a0abfef962b0ea010000000000000019ac0202020202020202c25ca63a",
               ColdTimeCodec::kDod,
               ColdValueCodec::kDecimalDelta,
               false,
               {}});
  for (int i = 0; i < 8; ++i) g.back().samples.push_back({kT0 + i * kStep, 0.25 * i + 1.5});
  g.push_back({"base_constant",
               "070a82a0abfef962aeea01000648450200060000000000000000454033e129a6",
               ColdTimeCodec::kDeltaFromBase,
               ColdValueCodec::kConstant,
               false,
               {}});
  for (int i = 0; i < 10; ++i) g.back().samples.push_back({kT0 + i * kStep + kJit[i], 42.0});
  g.push_back({"base_xor",
               "040a82a0abfef962aeea010006484502000600003ff6a09e667f3bcdd9a68b724713bbb3e1fbffd"
               "db3d742c26558000f1bbcdcbfa5480013dfcc7cf6ac380035978deedece2dd9715c39f5b864fb34"
               "ea09e667f3bcd853160eb696d4e3c42aa92734677a8410f7",
               ColdTimeCodec::kDeltaFromBase,
               ColdValueCodec::kXor,
               false,
               {}});
  for (int i = 0; i < 10; ++i) {
    g.back().samples.push_back({kT0 + i * kStep + kJit[i], std::sqrt(2.0 + i)});
  }
  g.push_back({"base_extremes",
               "0404ffffffffffffffffff010100fdffffffffffffffff01043ff0000000000000c25fffc45fffc0"
               "6fffc00cc4e6a7",
               ColdTimeCodec::kDeltaFromBase,
               ColdValueCodec::kXor,
               false,
               {{kMin, 1}, {kMax, 2}, {-1, std::nan("")}, {0, -0.0}}});
  g.push_back({"zstd_counter",
               "0ec8019a030000450100d082a0abfef962aeea010006484502000600000400010004150415040037"
               "982480615c4bea4a9530ea822f8c",
               ColdTimeCodec::kDeltaFromBase,
               ColdValueCodec::kDecimalDod,
               true,
               {}});
  double v = 0;
  for (int i = 0; i < 200; ++i) {
    v += (i * 7919) % 13;
    g.back().samples.push_back({kT0 + i * kStep + kJit[i % 10], v});
  }
  return g;
}

TEST(ColdTimeCodecTest, BlocksFromBeforeTheGridCodecStillDecode) {
  for (const Golden& g : GoldenBlocks()) {
    const std::string block = FromHex(g.hex);
    ASSERT_OK_AND_ASSIGN(ColdBlockInfo info, InspectCold(AsBytes(block)));
    EXPECT_EQ(info.time_codec, g.time_codec) << g.name;
    EXPECT_EQ(info.value_codec, g.value_codec) << g.name;
    EXPECT_EQ(info.zstd, g.zstd) << g.name;
    EXPECT_EQ(info.num_samples, g.samples.size()) << g.name;
    ASSERT_OK_AND_ASSIGN(auto c, ChunkFromBytes(Encoding::kCold, AsBytes(block)));
    ASSERT_OK_AND_ASSIGN(auto got, DecodeAll(*c));
    EXPECT_TRUE(BitIdentical(g.samples, got)) << g.name;
  }
}

}  // namespace
}  // namespace tidemark::chunk
