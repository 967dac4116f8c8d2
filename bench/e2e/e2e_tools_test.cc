// Tests of the end-to-end benchmark tools: wire encoding, data generator properties, batch files.
#include <gtest/gtest.h>
#include <snappy.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <unistd.h>

#include "batch_file.h"
#include "node_data.h"
#include "remote_write_encoder.h"

namespace tidemark::e2e {
namespace {

struct DecodedSeries {
  LabelPairs labels;
  std::vector<std::pair<int64_t, uint64_t>> samples;  // (ts, value bits)
};

// Minimal protobuf reader for the subset the builder writes.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool done() const { return pos_ >= s_.size(); }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; pos_ < s_.size(); shift += 7) {
      const uint8_t b = static_cast<uint8_t>(s_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) break;
    }
    return v;
  }
  std::string_view Bytes() {
    const size_t n = Varint();
    std::string_view out = s_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  uint64_t Fixed64() {
    uint64_t v;
    std::memcpy(&v, s_.data() + pos_, 8);
    pos_ += 8;
    return v;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

std::vector<DecodedSeries> Decode(std::string_view compressed) {
  std::string raw;
  EXPECT_TRUE(snappy::Uncompress(compressed.data(), compressed.size(), &raw));
  std::vector<DecodedSeries> out;
  Reader req(raw);
  while (!req.done()) {
    EXPECT_EQ(req.Varint(), (1u << 3) | 2);
    Reader ts(req.Bytes());
    DecodedSeries series;
    while (!ts.done()) {
      const uint64_t tag = ts.Varint();
      Reader sub(ts.Bytes());
      if (tag == ((1u << 3) | 2)) {
        std::pair<std::string, std::string> l;
        EXPECT_EQ(sub.Varint(), (1u << 3) | 2);
        l.first = std::string(sub.Bytes());
        EXPECT_EQ(sub.Varint(), (2u << 3) | 2);
        l.second = std::string(sub.Bytes());
        series.labels.push_back(l);
      } else {
        EXPECT_EQ(tag, (2u << 3) | 2);
        EXPECT_EQ(sub.Varint(), (1u << 3) | 1);
        const uint64_t bits = sub.Fixed64();
        EXPECT_EQ(sub.Varint(), (2u << 3) | 0);
        series.samples.emplace_back(static_cast<int64_t>(sub.Varint()), bits);
      }
    }
    out.push_back(std::move(series));
  }
  return out;
}

TEST(WriteRequestBuilderTest, RoundTripsLabelsTimestampsAndValueBits) {
  const LabelPairs labels = {{"__name__", "node_load1"}, {"instance", "host-00001:9100"}};
  const std::string enc = EncodeTimeSeriesLabels(labels);
  const double stale_nan = std::bit_cast<double>(uint64_t{0x7ff0000000000002});
  WriteRequestBuilder b;
  b.Add(enc, 1700000000123, 0.42);
  b.Add(enc, 1, stale_nan);
  b.Add(enc, 1700000015000, -0.0);
  EXPECT_EQ(b.num_samples(), 3);
  const auto decoded = Decode(b.FinishCompressed());
  EXPECT_EQ(b.num_samples(), 0);
  ASSERT_EQ(decoded.size(), 3u);
  EXPECT_EQ(decoded[0].labels, labels);
  EXPECT_EQ(decoded[0].samples[0], std::make_pair(int64_t{1700000000123}, std::bit_cast<uint64_t>(0.42)));
  EXPECT_EQ(decoded[1].samples[0], std::make_pair(int64_t{1}, uint64_t{0x7ff0000000000002}));
  EXPECT_EQ(decoded[2].samples[0].second, std::bit_cast<uint64_t>(-0.0));
}

std::vector<std::vector<double>> GenerateValues(int64_t series, int steps) {
  NodeDataOptions opt;
  opt.num_series = series;
  NodeDataGenerator gen(opt);
  std::vector<std::vector<double>> values(series);
  for (int k = 0; k < steps; ++k)
    gen.NextStep([&](int64_t s, int64_t, double v) { values[s].push_back(v); });
  return values;
}

TEST(NodeDataGeneratorTest, DeterministicAndIndependentOfSeriesCount) {
  const auto a = GenerateValues(500, 20);
  const auto b = GenerateValues(500, 20);
  const auto c = GenerateValues(250, 20);  // a partial last host
  EXPECT_EQ(a, b);
  for (size_t s = 0; s < c.size(); ++s) EXPECT_EQ(c[s], a[s]) << s;
}

TEST(NodeDataGeneratorTest, TimestampsFollowScrapeSlotsWithJitter) {
  NodeDataOptions opt;
  opt.num_series = 300;
  opt.start_ms = 1'000'000'000;
  NodeDataGenerator gen(opt);
  std::map<int64_t, int64_t> first_ts;
  for (int k = 0; k < 10; ++k) {
    gen.NextStep([&](int64_t s, int64_t ts, double) {
      const int64_t host = s / NodeDataGenerator::SeriesPerHost();
      if (k == 0) first_ts.emplace(host, ts);
      const int64_t drift = ts - first_ts[host] - k * opt.interval_ms;
      EXPECT_LE(std::abs(drift), 2 * opt.max_jitter_ms);
      EXPECT_GE(ts, opt.start_ms - opt.max_jitter_ms);
      EXPECT_LT(ts, opt.start_ms + (k + 1) * opt.interval_ms + opt.max_jitter_ms);
    });
  }
  EXPECT_EQ(first_ts.size(), 3u);
}

TEST(NodeDataGeneratorTest, SeriesHaveTheExpectedShapes) {
  NodeDataOptions opt;
  opt.num_series = 20 * NodeDataGenerator::SeriesPerHost();
  NodeDataGenerator gen(opt);
  std::vector<std::vector<double>> v(gen.num_series());
  for (int k = 0; k < 240; ++k) gen.NextStep([&](int64_t s, int64_t, double x) { v[s].push_back(x); });
  int constant = 0, decreases = 0, counters = 0;
  for (int64_t s = 0; s < gen.num_series(); ++s) {
    std::map<std::string, std::string> l(gen.labels(s).begin(), gen.labels(s).end());
    const std::string& name = l["__name__"];
    ASSERT_TRUE(std::is_sorted(gen.labels(s).begin(), gen.labels(s).end()));
    if (std::all_of(v[s].begin(), v[s].end(), [&](double x) { return x == v[s][0]; })) ++constant;
    if (name.ends_with("_total") || name.ends_with("_bucket")) {
      ++counters;
      for (size_t i = 1; i < v[s].size(); ++i) decreases += v[s][i] < v[s][i - 1];
    }
    if (name == "node_cpu_seconds_total") {  // 2 decimals, as node exporter reports
      for (double x : v[s]) EXPECT_EQ(x, std::round(x * 100) / 100);
    }
    if (name == "node_load1") {
      for (double x : v[s]) EXPECT_EQ(x, std::round(x * 100) / 100);
    }
    if (name == "http_request_duration_seconds_bucket" && l["le"] == "+Inf") {
      // +Inf bucket == _count (two series later) and >= the 10 s bucket (one before).
      EXPECT_EQ(v[s], v[s + 2]);
      for (size_t i = 0; i < v[s].size(); ++i) EXPECT_GE(v[s][i], v[s - 1][i]);
    }
  }
  EXPECT_GT(constant, 20 * 8);   // MemTotal, sizes, uname, up, zero-cpu modes ...
  EXPECT_GT(counters, 20 * 40);
  // Resets happen but are rare (reboots / app restarts at most a few times in 20 hosts × 1 h).
  EXPECT_LT(decreases, counters / 4);
}

TEST(BatchFileTest, RoundTripsHeaderAndRecords) {
  char path[] = "/tmp/tm_e2e_batch_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  BatchFileWriter w;
  std::string error;
  ASSERT_TRUE(w.Open(path, &error)) << error;
  ASSERT_TRUE(w.Append(1, 0, 2000, "abc"));
  ASSERT_TRUE(w.Append(0, 3, 17, std::string(70000, 'x')));
  BatchFileHeader h;
  h.num_shards = 2;
  h.num_windows = 4;
  h.num_series = 10;
  h.num_samples = 2017;
  h.min_ts = -5;
  h.max_ts = 99;
  ASSERT_TRUE(w.Close(h, &error)) << error;
  LoadedBatchFile f;
  ASSERT_TRUE(LoadBatchFile(path, &f, &error)) << error;
  std::remove(path);
  EXPECT_EQ(f.header.num_windows, 4u);
  EXPECT_EQ(f.header.num_samples, 2017);
  EXPECT_EQ(f.header.min_ts, -5);
  ASSERT_EQ(f.batches.size(), 2u);
  EXPECT_EQ(f.batches[0].body, "abc");
  EXPECT_EQ(f.batches[0].shard, 1u);
  EXPECT_EQ(f.batches[1].window, 3u);
  EXPECT_EQ(f.batches[1].num_samples, 17u);
  EXPECT_EQ(f.batches[1].body.size(), 70000u);
}

}  // namespace
}  // namespace tidemark::e2e
