// The sender's request encoder (forward/write_request.h): 1.0 and 2.0 bodies decoded by our own
// receiver's decoders give back exactly the series and samples encoded, grouped per series in
// first-seen order; 2.0's symbols table starts with "" and holds each string once.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "compression.h"
#include "forward/write_request.h"
#include "remote_write_decode.h"

namespace tidemark::ingest::forward {
namespace {

struct Decoded {
  std::vector<std::string> order;  // series in the order they appear
  std::map<std::string, std::vector<std::pair<Timestamp, double>>> samples;
  std::vector<std::string> symbols;  // 2.0 only
};

std::string Key(std::span<const LabelView> labels) {
  std::string k;
  for (const auto& l : labels) k += std::string(l.name) + "=" + std::string(l.value) + ",";
  return k;
}

std::string Key(const Labels& labels) {
  std::string k;
  for (const Label& l : labels.items()) k += l.name + "=" + l.value + ",";
  return k;
}

Decoded Decode(const std::string& body, WireVersion v) {
  std::string raw;
  EXPECT_TRUE(SnappyDecompress(body, 64 << 20, &raw).ok());
  Decoded d;
  struct Visitor {
    Decoded* d;
    void OnSeries(const SeriesView& s) {
      const std::string k = Key(s.labels);
      EXPECT_EQ(d->samples.count(k), 0u) << "series sent twice: " << k;
      d->order.push_back(k);
      for (const SampleIn& x : s.samples) d->samples[k].push_back({x.t, x.v});
    }
    void OnMetadata(const MetadataView&) {}
  } visitor{&d};
  DecodeScratch scratch;
  Status st = v == WireVersion::kV1 ? DecodeRemoteWriteV1(raw, scratch, visitor)
                                    : DecodeRemoteWriteV2(raw, scratch, visitor);
  EXPECT_TRUE(st.ok()) << st.ToString();
  for (auto s : scratch.symbols) d.symbols.emplace_back(s);
  return d;
}

class EncoderTest : public ::testing::TestWithParam<WireVersion> {};

TEST_P(EncoderTest, ReceiverDecodesExactlyWhatWasEncoded) {
  // Interleaved series sharing names and values, an empty-looking value reused as a name, a
  // negative timestamp, special floats.
  std::vector<Labels> series = {
      Labels({{"__name__", "up"}, {"job", "node"}, {"instance", "a:9100"}}),
      Labels({{"__name__", "up"}, {"job", "prom"}, {"instance", "a:9100"}}),
      Labels({{"__name__", "node"}, {"job", "job"}}),
      Labels({{"__name__", "x"}, {"long", std::string(300, 'v')}}),
  };
  std::vector<OutSample> in;
  std::map<std::string, std::vector<std::pair<Timestamp, double>>> want;
  std::vector<std::string> want_order;
  const double values[] = {0.0, -1.5, 1e300, std::numeric_limits<double>::infinity(), 42};
  for (int i = 0; i < 23; ++i) {
    const Labels& l = series[(i * 7) % series.size()];
    const Timestamp t = i == 5 ? -1000 : 1'700'000'000'000 + i * 15'000;
    const double v = values[i % 5];
    in.push_back({&l, t, v});
    if (!want.count(Key(l))) want_order.push_back(Key(l));
    want[Key(l)].push_back({t, v});
  }
  WriteRequestEncoder enc;
  std::string body;
  for (int round = 0; round < 2; ++round) {  // the encoder's reused buffers give the same result
    enc.Encode(in, GetParam(), &body);
    Decoded got = Decode(body, GetParam());
    EXPECT_EQ(got.order, want_order);
    EXPECT_EQ(got.samples, want);
    if (GetParam() == WireVersion::kV2) {
      ASSERT_FALSE(got.symbols.empty());
      EXPECT_EQ(got.symbols[0], "");
      EXPECT_EQ(std::set<std::string>(got.symbols.begin(), got.symbols.end()).size(), got.symbols.size());
      // "up", "job", "node", "__name__", ...: each once, shared across series.
      EXPECT_EQ(got.symbols.size(), 11u);
    }
  }
}

TEST_P(EncoderTest, EmptyBatchIsAnEmptyRequest) {
  WriteRequestEncoder enc;
  std::string body = "stale";
  enc.Encode({}, GetParam(), &body);
  Decoded got = Decode(body, GetParam());
  EXPECT_TRUE(got.order.empty());
}

INSTANTIATE_TEST_SUITE_P(Versions, EncoderTest, ::testing::Values(WireVersion::kV1, WireVersion::kV2),
                         [](const auto& p) { return p.param == WireVersion::kV1 ? "V1" : "V2"; });

}  // namespace
}  // namespace tidemark::ingest::forward
