// Prometheus XOR chunk encoding for streamed remote read: known bytes, and round trips of every
// timestamp bucket and awkward float through an independent reader.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "prom_xor.h"
#include "prom_xor_reader.h"

namespace tidemark::ingest {
namespace {

using testing::DecodePrometheusXor;

void ExpectRoundTrip(const std::vector<Sample>& in) {
  std::string chunk = EncodePrometheusXor(in);
  auto out = DecodePrometheusXor(chunk);
  ASSERT_TRUE(out.has_value());
  ASSERT_EQ(out->size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ((*out)[i].t, in[i].t) << "sample " << i;
    EXPECT_EQ(std::bit_cast<uint64_t>((*out)[i].v), std::bit_cast<uint64_t>(in[i].v)) << "sample " << i;
  }
}

TEST(PrometheusXorTest, KnownBytes) {
  // count 2; t0 = 1000 as zigzag varint (2000 = d0 0f); 1.0 raw; delta 15000 as uvarint (98 75);
  // unchanged value: one 0 bit.
  std::vector<Sample> s = {{1000, 1.0}, {16000, 1.0}};
  const unsigned char want[] = {0x00, 0x02, 0xd0, 0x0f, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x98, 0x75, 0x00};
  EXPECT_EQ(EncodePrometheusXor(s), std::string(reinterpret_cast<const char*>(want), sizeof(want)));
}

TEST(PrometheusXorTest, EmptyChunkIsJustTheCount) {
  EXPECT_EQ(EncodePrometheusXor({}), std::string(2, '\0'));
}

TEST(PrometheusXorTest, EveryDeltaOfDeltaBucketAndEdge) {
  // Deltas chosen so delta-of-delta hits each bucket's edges: 14 bits holds -8191..8192,
  // 17 bits -65535..65536, 20 bits -524287..524288, then 64 bits.
  const int64_t dods[] = {0, 1, -1, 8191, 8192, -8191, -8192, 8193, 65536, -65535, -65536, 65537,
                          524288, -524287, -524288, 524289, int64_t{1} << 40, -(int64_t{1} << 40)};
  std::vector<Sample> s = {{-5'000'000'000'000, 1}, {-4'999'999'000'000, 2}};
  int64_t delta = 1'000'000'000'000;  // large enough that negative dods keep time increasing
  for (int64_t d : dods) {
    delta += d;
    s.push_back({s.back().t + delta, static_cast<double>(s.size())});
  }
  ExpectRoundTrip(s);
}

TEST(PrometheusXorTest, AwkwardValues) {
  std::vector<double> vals = {0.0, -0.0, StaleNaN(), std::numeric_limits<double>::quiet_NaN(),
                              std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                              std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max(),
                              1.0, 1.0, 1.5, -1.5, 1e-300, 42};
  std::vector<Sample> s;
  for (size_t i = 0; i < vals.size(); ++i) s.push_back({static_cast<int64_t>(i) * 15000, vals[i]});
  ExpectRoundTrip(s);
}

TEST(PrometheusXorTest, RandomSeriesRoundTrip) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<Sample> s;
    int64_t t = static_cast<int64_t>(rng() % 2'000'000'000'000ULL);
    for (int i = 0; i < 120; ++i) {
      t += 1 + static_cast<int64_t>(rng() % (round % 2 ? 100 : 10'000'000));
      double v = round % 3 == 0 ? std::bit_cast<double>(rng()) : static_cast<double>(rng() % 1000) / 8;
      s.push_back({t, v});
    }
    ExpectRoundTrip(s);
  }
}

}  // namespace
}  // namespace tidemark::ingest
