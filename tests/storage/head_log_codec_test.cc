// Head-log record codec: bit-exact round trips of version 2, version-1 records still read, the
// size of exporter-shaped records, and malformed input refused as corruption.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "support/status_matchers.h"
#include "tsdb/head_log.h"

namespace tidemark::tsdb {
namespace {

std::vector<LoggedSample> Decode(std::string_view rec, Status* st) {
  std::vector<LoggedSample> out;
  *st = DecodeHeadLogRecord(rec, [&](const LoggedSample& s) { out.push_back(s); });
  return out;
}

void ExpectSame(const std::vector<LoggedSample>& want, const std::vector<LoggedSample>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(want[i].ref, got[i].ref) << i;
    EXPECT_EQ(want[i].t, got[i].t) << i;
    EXPECT_EQ(std::bit_cast<uint64_t>(want[i].v), std::bit_cast<uint64_t>(got[i].v)) << i;
  }
}

// Version 1 as docs/format/keys.md describes it: what stores written before version 2 hold.
std::string EncodeV1(const std::vector<LoggedSample>& samples) {
  std::string out;
  AppendUvarint(&out, samples.size());
  Timestamp prev = 0;
  for (const LoggedSample& s : samples) {
    AppendUvarint(&out, s.ref);
    AppendUvarint(&out, ZigZag(static_cast<int64_t>(static_cast<uint64_t>(s.t) -
                                                 static_cast<uint64_t>(prev))));
    prev = s.t;
    uint64_t bits = std::bit_cast<uint64_t>(s.v);
    for (int b = 0; b < 8; ++b, bits >>= 8) out.push_back(static_cast<char>(bits & 0xff));
  }
  return out;
}

std::vector<LoggedSample> EdgeSamples() {
  constexpr auto kMin = std::numeric_limits<int64_t>::min();
  constexpr auto kMax = std::numeric_limits<int64_t>::max();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> values = {
      0.0, -0.0, 1.0, -1.0, 12345.67, 0.001, 1e-5, 4096, -3, 1e15, 123456789012345678.0, 0.1 + 0.2,
      inf, -inf, std::numeric_limits<double>::quiet_NaN(), StaleNaN(),
      std::bit_cast<double>(uint64_t{0x7ff4000000000001}),  // signalling NaN with a payload
      std::bit_cast<double>(uint64_t{0xfff8000000000123}),  // negative NaN
      std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max(),
      std::numeric_limits<double>::lowest(), 9007199254740993.0, -9007199254740992.0,
      0.7234987234987123};
  const std::vector<int64_t> times = {0, 0, 1, -1, kMin, kMax, kMin, 1700000000000, 1700000000000,
                                      1699999985000, kMax, 0};
  const std::vector<SeriesRef> refs = {1, 1, 2, 0, std::numeric_limits<SeriesRef>::max(), 7, 3,
                                       std::numeric_limits<SeriesRef>::max() - 1, 100000};
  std::vector<LoggedSample> out;
  for (size_t i = 0; i < values.size() * 3; ++i) {
    out.push_back({refs[i % refs.size()], times[i % times.size()], values[i % values.size()]});
  }
  return out;
}

TEST(HeadLogCodecTest, RoundTripsEdgeValuesBitExactly) {
  const auto samples = EdgeSamples();
  std::string rec;
  EncodeHeadLogRecord(samples.data(), samples.size(), &rec);
  ASSERT_EQ(rec[0], '\0');
  Status st;
  ExpectSame(samples, Decode(rec, &st));
  EXPECT_OK(st);
}

TEST(HeadLogCodecTest, RoundTripsRandomBits) {
  std::mt19937_64 rng(19);
  std::vector<LoggedSample> samples(5000);
  for (auto& s : samples) {
    s = {rng(), static_cast<Timestamp>(rng()), std::bit_cast<double>(rng())};
  }
  std::string rec;
  EncodeHeadLogRecord(samples.data(), samples.size(), &rec);
  Status st;
  ExpectSame(samples, Decode(rec, &st));
  EXPECT_OK(st);
}

TEST(HeadLogCodecTest, ReadsVersionOneRecords) {
  const auto samples = EdgeSamples();
  Status st;
  ExpectSame(samples, Decode(EncodeV1(samples), &st));
  EXPECT_OK(st);
  // One sample each: the first byte is the count (1), never the version-2 marker.
  const std::vector<LoggedSample> one = {{5, 1700000000000, 2.5}};
  ExpectSame(one, Decode(EncodeV1(one), &st));
  EXPECT_OK(st);
  ExpectSame({}, Decode(std::string(1, '\0'), &st));  // a version-1 record of no samples
  EXPECT_OK(st);
}

// A remote-write batch of exporter-shaped samples (close refs, a few scrape timestamps, decimal
// values) costs a fraction of version 1's ~12 bytes per sample.
TEST(HeadLogCodecTest, ExporterShapedBatchIsCompact) {
  std::mt19937_64 rng(7);
  std::vector<LoggedSample> samples;
  SeriesRef ref = 50000;
  for (int host = 0; host < 10; ++host) {
    const Timestamp t = 1700000000000 + host * 1237;
    for (int i = 0; i < 200; ++i) {
      ref += 1 + rng() % 8;
      double v;
      switch (i % 4) {
        case 0: v = static_cast<double>(rng() % 100000000) / 100; break;  // centiseconds
        case 1: v = static_cast<double>(rng() % (uint64_t{1} << 40)); break;  // bytes
        case 2: v = static_cast<double>(rng() % 2); break;  // up, flags
        default: v = static_cast<double>(rng() % 1000) / 1000; break;  // ratios
      }
      samples.push_back({ref, t, v});
    }
  }
  std::string rec;
  EncodeHeadLogRecord(samples.data(), samples.size(), &rec);
  Status st;
  ExpectSame(samples, Decode(rec, &st));
  EXPECT_OK(st);
  const double per_sample = static_cast<double>(rec.size()) / static_cast<double>(samples.size());
  EXPECT_LT(per_sample, 6.0);
  EXPECT_GT(static_cast<double>(EncodeV1(samples).size()) / static_cast<double>(samples.size()),
            2 * per_sample);
}

TEST(HeadLogCodecTest, MalformedRecordsAreCorruption) {
  const auto samples = EdgeSamples();
  std::string rec;
  EncodeHeadLogRecord(samples.data(), samples.size(), &rec);
  Status st;
  // Every strict prefix that still reads as version 2 is cut short somewhere.
  for (size_t n = 2; n < rec.size(); ++n) {
    Decode(std::string_view(rec).substr(0, n), &st);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << n;
  }
  Decode(rec + "x", &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  // A tag with a reserved bit or an unknown value code.
  for (char tag : {'\x40', '\x80', '\x11', '\x1f'}) {
    std::string bad("\0\x01\x02", 3);
    bad.push_back(tag);
    bad.append(8, '\0');
    Decode(bad, &st);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << static_cast<int>(tag);
  }
}

}  // namespace
}  // namespace tidemark::tsdb
