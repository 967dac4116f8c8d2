// Remote read: ReadRequest decoding (round trips, bad input), response negotiation, and the
// RemoteReader over a real in-memory store (SAMPLES and STREAMED_XOR_CHUNKS, hints, limits,
// external labels).
#include <gtest/gtest.h>

#include "compression.h"
#include "prom_xor_reader.h"
#include "protowire.h"
#include "remote_read_codec.h"
#include "support/compress.h"
#include "support/pb_encoder.h"
#include "support/status_matchers.h"
#include "tidemark/ingest/remote_read.h"
#include "tidemark/storage/chunk/chunk.h"
#include "tidemark/storage/chunk/crc32c.h"
#include "tidemark/storage/storage.h"

namespace tidemark::ingest {
namespace {

using testing::PbWriter;
using tidemark::testing::Snappy;

PbWriter MatcherMsg(uint64_t type, std::string_view name, std::string_view value) {
  return std::move(PbWriter().Varint(1, type).Bytes(2, name).Bytes(3, value));
}

PbWriter QueryMsg(int64_t start, int64_t end, const std::vector<PbWriter>& matchers) {
  PbWriter q;
  q.Varint(1, static_cast<uint64_t>(start)).Varint(2, static_cast<uint64_t>(end));
  for (const PbWriter& m : matchers) q.Message(3, m);
  return q;
}

TEST(ReadRequestDecodeTest, RoundTripsEveryField) {
  PbWriter hints;
  hints.Varint(1, 15000).Bytes(2, "rate").Varint(3, 1000).Varint(4, 9000).Bytes(5, "job").Bytes(5, "le")
      .Varint(6, 1).Varint(7, 300000).Varint(99, 1);  // unknown fields are skipped
  PbWriter q = QueryMsg(-5, 10000, {MatcherMsg(0, "__name__", "up"), MatcherMsg(3, "job", "a|b")});
  q.Message(4, hints);
  PbWriter req;
  req.Message(1, q).Message(1, QueryMsg(1, 2, {MatcherMsg(1, "x", "")})).PackedVarint(2, {1, 0});
  req.Varint(2, 5);  // an unpacked element after a packed run
  ASSERT_OK_AND_ASSIGN(ReadRequest r, DecodeReadRequest(req.str()));
  ASSERT_EQ(r.queries.size(), 2u);
  EXPECT_EQ(r.queries[0].start_ms, -5);
  EXPECT_EQ(r.queries[0].end_ms, 10000);
  ASSERT_EQ(r.queries[0].matchers.size(), 2u);
  EXPECT_EQ(r.queries[0].matchers[1].ToString(), "job!~\"a|b\"");
  ASSERT_TRUE(r.queries[0].hints.has_value());
  const ReadHints& h = *r.queries[0].hints;
  EXPECT_EQ(h.step_ms, 15000);
  EXPECT_EQ(h.func, "rate");
  EXPECT_EQ(h.start_ms, 1000);
  EXPECT_EQ(h.end_ms, 9000);
  EXPECT_EQ(h.grouping, (std::vector<std::string>{"job", "le"}));
  EXPECT_TRUE(h.by);
  EXPECT_EQ(h.range_ms, 300000);
  EXPECT_FALSE(r.queries[1].hints.has_value());
  EXPECT_EQ(r.queries[1].matchers[0].ToString(), "x!=\"\"");
  EXPECT_EQ(r.accepted_response_types, (std::vector<uint64_t>{1, 0, 5}));
}

TEST(ReadRequestDecodeTest, BadInputNamesWhatIsWrong) {
  struct Case {
    std::string body;
    std::string want;
  };
  PbWriter bad_type, bad_regex, bad_hints;
  bad_type.Message(1, QueryMsg(0, 1, {MatcherMsg(4, "a", "b")}));
  bad_regex.Message(1, QueryMsg(0, 1, {MatcherMsg(0, "a", "b"), MatcherMsg(2, "a", "(")}));
  bad_hints.Message(1, QueryMsg(0, 1, {}).Bytes(4, "\x08"));
  const Case cases[] = {
      {"\x0a\x05\x08", "malformed protobuf ReadRequest"},
      {"\x0b", "malformed protobuf ReadRequest"},  // group wire type
      {std::string("\x0a\x02\x0a\x01", 4), "malformed protobuf ReadRequest: queries[0]"},
      {bad_type.str(), "queries[0].matchers[0]: invalid matcher type 4"},
      {bad_regex.str(), "queries[0].matchers[1]: invalid regular expression"},
      {bad_hints.str(), "queries[0].hints"},
  };
  for (const Case& c : cases) {
    auto r = DecodeReadRequest(c.body);
    ASSERT_FALSE(r.ok()) << c.want;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
  }
}

TEST(NegotiateResponseTypeTest, FirstSupportedInClientOrder) {
  EXPECT_EQ(*NegotiateResponseType({}), ReadResponseType::kSamples);
  EXPECT_EQ(*NegotiateResponseType({1, 0}), ReadResponseType::kStreamedXorChunks);
  EXPECT_EQ(*NegotiateResponseType({7, 0, 1}), ReadResponseType::kSamples);
  auto none = NegotiateResponseType({7, 9});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("[7 9]"), std::string::npos);
}

// ---- RemoteReader over a store ----

struct ReadSeries {
  Labels labels;
  std::vector<Sample> samples;
};

Labels LabelsOf(std::string_view msgs_field1) {
  std::vector<Label> out;
  ProtoReader r(msgs_field1);
  while (r.Next()) {
    std::string_view m;
    if (r.field() != 1 || !r.Bytes(&m)) {
      r.Skip();
      continue;
    }
    ProtoReader l(m);
    Label lab;
    while (l.Next()) {
      std::string_view s;
      if (l.Bytes(&s)) (l.field() == 1 ? lab.name : lab.value) = std::string(s);
    }
    out.push_back(lab);
  }
  return Labels(std::move(out));
}

// Parses a SAMPLES answer into results[query][series].
std::vector<std::vector<ReadSeries>> ParseSamples(const IngestResponse& resp) {
  std::string raw;
  EXPECT_OK(SnappyDecompress(resp.body, 1 << 30, &raw));
  std::vector<std::vector<ReadSeries>> out;
  ProtoReader top(raw);
  while (top.Next()) {
    std::string_view qr;
    EXPECT_TRUE(top.Bytes(&qr));
    auto& results = out.emplace_back();
    ProtoReader q(qr);
    while (q.Next()) {
      std::string_view ts;
      EXPECT_TRUE(q.Bytes(&ts));
      ReadSeries s;
      s.labels = LabelsOf(ts);
      ProtoReader t(ts);
      while (t.Next()) {
        std::string_view m;
        if (t.field() != 2 || !t.Bytes(&m)) {
          t.Skip();
          continue;
        }
        ProtoReader sm(m);
        Sample smp;
        uint64_t u;
        while (sm.Next()) {
          if (sm.field() == 1) sm.Double(&smp.v);
          if (sm.field() == 2 && sm.Varint(&u)) smp.t = static_cast<int64_t>(u);
        }
        s.samples.push_back(smp);
      }
      results.push_back(std::move(s));
    }
  }
  return out;
}

struct Frame {
  int64_t query = 0;
  Labels labels;
  std::vector<std::vector<Sample>> chunks;
  size_t size = 0;
};

std::vector<Frame> ParseStream(std::string_view body) {
  std::vector<Frame> out;
  while (!body.empty()) {
    uint64_t n = 0;
    EXPECT_TRUE(ReadUvarint(&body, &n));
    EXPECT_GE(body.size(), n + 4);
    if (body.size() < n + 4) break;
    uint32_t crc = 0;
    for (int i = 0; i < 4; ++i) crc = (crc << 8) | static_cast<uint8_t>(body[i]);
    std::string_view msg = body.substr(4, n);
    body.remove_prefix(4 + n);
    EXPECT_EQ(crc, chunk::Crc32c(chunk::AsBytes(msg)));
    Frame f;
    f.size = n;
    ProtoReader r(msg);
    uint64_t u;
    while (r.Next()) {
      std::string_view cs;
      if (r.field() == 2 && r.Varint(&u)) f.query = static_cast<int64_t>(u);
      if (r.field() != 1 || !r.Bytes(&cs)) continue;
      f.labels = LabelsOf(cs);
      ProtoReader c(cs);
      while (c.Next()) {
        std::string_view chk;
        if (c.field() != 2 || !c.Bytes(&chk)) {
          c.Skip();
          continue;
        }
        ProtoReader cr(chk);
        int64_t mint = 0, maxt = 0;
        std::string_view data;
        while (cr.Next()) {
          if (cr.field() == 4) {
            cr.Bytes(&data);
          } else if (cr.Varint(&u)) {
            if (cr.field() == 1) mint = static_cast<int64_t>(u);
            if (cr.field() == 2) maxt = static_cast<int64_t>(u);
            if (cr.field() == 3) {
              EXPECT_EQ(u, 1u);
            }
          }
        }
        auto samples = testing::DecodePrometheusXor(data);
        EXPECT_TRUE(samples.has_value());
        if (!samples || samples->empty()) continue;
        EXPECT_EQ(samples->front().t, mint);
        EXPECT_EQ(samples->back().t, maxt);
        f.chunks.push_back(std::move(*samples));
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

class RemoteReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto app = store_->NewAppender();
    for (int s = 0; s < 3; ++s) {
      Labels l{{"__name__", "m"}, {"job", "j"}, {"i", std::to_string(s)}};
      for (int k = 0; k < 300; ++k) {
        ASSERT_TRUE(app->Append(0, l, SampleIn{0, k * 1000, static_cast<double>(s * 1000 + k)}).ok());
      }
    }
    ASSERT_TRUE(app->Append(0, Labels{{"__name__", "other"}, {"zone", "own"}}, SampleIn{0, 5000, 1}).ok());
    ASSERT_OK(app->Commit());
  }

  std::string Request(const std::vector<PbWriter>& queries, std::vector<uint64_t> accepted = {}) {
    PbWriter req;
    for (const PbWriter& q : queries) req.Message(1, q);
    if (!accepted.empty()) req.PackedVarint(2, accepted);
    return Snappy(req.str());
  }

  std::unique_ptr<Storage> store_ = NewMemStorage();
};

TEST_F(RemoteReaderTest, SamplesAnswerHonoursRangeMatchersAndExternalLabels) {
  RemoteReader reader(*store_, {});
  Labels ext{{"zone", "eu"}, {"a", "b"}};
  ASSERT_OK_AND_ASSIGN(IngestResponse r, reader.Read(
      Request({QueryMsg(10'000, 19'500, {MatcherMsg(0, "__name__", "m"), MatcherMsg(2, "i", "[01]")}),
               QueryMsg(0, 100'000, {MatcherMsg(0, "__name__", "other")}),
               QueryMsg(0, 100'000, {MatcherMsg(0, "__name__", "m"), MatcherMsg(0, "zone", "eu"),
                                     MatcherMsg(0, "i", "2")})}),
      ext));
  ASSERT_EQ(r.http_status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/x-protobuf");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Content-Encoding", "snappy"}));
  auto res = ParseSamples(r);
  ASSERT_EQ(res.size(), 3u);
  ASSERT_EQ(res[0].size(), 2u);
  for (int s = 0; s < 2; ++s) {
    EXPECT_EQ(res[0][s].labels, (Labels{{"__name__", "m"}, {"a", "b"}, {"i", std::to_string(s)},
                                        {"job", "j"}, {"zone", "eu"}}));
    ASSERT_EQ(res[0][s].samples.size(), 10u);  // 10 s .. 19 s
    EXPECT_EQ(res[0][s].samples.front().t, 10'000);
    EXPECT_EQ(res[0][s].samples.back().v, s * 1000 + 19);
  }
  // The series' own zone wins over the external one.
  ASSERT_EQ(res[1].size(), 1u);
  EXPECT_EQ(res[1][0].labels.Get("zone"), "own");
  // zone="eu" is the external label: it selects series that lack zone.
  ASSERT_EQ(res[2].size(), 1u);
  EXPECT_EQ(res[2][0].samples.size(), 101u);  // 0 s .. 100 s, both ends inclusive
}

TEST_F(RemoteReaderTest, HintsNarrowTheWindowAndSeriesFuncReturnsLabelsOnly) {
  RemoteReader reader(*store_, {});
  PbWriter narrow = QueryMsg(0, 300'000, {MatcherMsg(0, "i", "1")});
  narrow.Message(4, PbWriter().Varint(3, 50'000).Varint(4, 59'000));
  PbWriter series = QueryMsg(0, 300'000, {MatcherMsg(0, "i", "1")});
  series.Message(4, PbWriter().Bytes(2, "series").Varint(3, 0).Varint(4, 300'000));
  ASSERT_OK_AND_ASSIGN(IngestResponse r, reader.Read(Request({narrow, series}), {}));
  auto res = ParseSamples(r);
  ASSERT_EQ(res.size(), 2u);
  ASSERT_EQ(res[0].size(), 1u);
  ASSERT_EQ(res[0][0].samples.size(), 10u);
  EXPECT_EQ(res[0][0].samples.front().t, 50'000);
  ASSERT_EQ(res[1].size(), 1u);
  EXPECT_TRUE(res[1][0].samples.empty());
  EXPECT_EQ(res[1][0].labels.Get("i"), "1");
}

TEST_F(RemoteReaderTest, SampleLimitAnswers400AsPrometheus) {
  RemoteReadOptions o;
  o.sample_limit = 599;  // two series of 300
  RemoteReader reader(*store_, o);
  auto r = reader.Read(Request({QueryMsg(0, 1'000'000, {MatcherMsg(2, "i", "[01]")})}), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);  // Prometheus answers 400
  EXPECT_EQ(r.status().message(), "exceeded sample limit (599)");
  // The limit is per query: two queries of 300 each pass.
  r = reader.Read(Request({QueryMsg(0, 1'000'000, {MatcherMsg(0, "i", "0")}),
                           QueryMsg(0, 1'000'000, {MatcherMsg(0, "i", "1")})}),
                  {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->http_status, 200);
  r = reader.Read(Request({QueryMsg(0, 1'000'000, {MatcherMsg(2, "i", "[01]")})}, {1}), {});
  EXPECT_FALSE(r.ok()) << "streamed answers are bounded too";
}

TEST_F(RemoteReaderTest, StreamedChunksSplitSeriesOverFrames) {
  RemoteReadOptions o;
  o.max_bytes_in_frame = 100;  // less than one chunk: every chunk gets a frame of its own
  RemoteReader reader(*store_, o);
  ASSERT_OK_AND_ASSIGN(IngestResponse r, reader.Read(
      Request({QueryMsg(0, 1'000'000, {MatcherMsg(0, "__name__", "m")}),
               QueryMsg(0, 1'000'000, {MatcherMsg(0, "__name__", "other")})},
              {1, 0}),
      Labels{{"zone", "eu"}}));
  ASSERT_EQ(r.http_status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse");
  EXPECT_TRUE(r.headers.empty());
  auto frames = ParseStream(r.body);
  std::map<std::pair<int64_t, std::string>, std::vector<Sample>> got;
  std::map<std::string, int> frames_per_series;
  for (const Frame& f : frames) {
    EXPECT_EQ(f.labels.Get("zone"), f.labels.Get("__name__") == "m" ? "eu" : "own");
    EXPECT_EQ(f.chunks.size(), 1u);
    for (const auto& c : f.chunks) {
      EXPECT_LE(c.size(), 120u);
      auto& v = got[{f.query, f.labels.ToString()}];
      v.insert(v.end(), c.begin(), c.end());
    }
    ++frames_per_series[f.labels.ToString()];
  }
  ASSERT_EQ(got.size(), 4u);
  for (int s = 0; s < 3; ++s) {
    Labels l{{"__name__", "m"}, {"i", std::to_string(s)}, {"job", "j"}, {"zone", "eu"}};
    const auto& v = got[{0, l.ToString()}];
    ASSERT_EQ(v.size(), 300u);
    for (int k = 0; k < 300; ++k) {
      EXPECT_EQ(v[k].t, k * 1000);
      EXPECT_EQ(v[k].v, s * 1000 + k);
    }
    EXPECT_EQ(frames_per_series[l.ToString()], 3) << "300 samples make 3 chunks";
  }
  EXPECT_EQ((got[{1, Labels{{"__name__", "other"}, {"zone", "own"}}.ToString()}].size()), 1u);
}

TEST_F(RemoteReaderTest, BadRequestsAreInvalidArgumentsWithAClearMessage) {
  RemoteReader reader(*store_, {});
  struct Case {
    std::string body;
    std::string want;
  };
  const Case cases[] = {
      {"not snappy", "snappy"},
      {Snappy("\x0a\x09"), "malformed protobuf ReadRequest"},
      {Request({QueryMsg(0, 1, {MatcherMsg(0, "a", "b")})}, {3}),
       "server does not support any of the requested response types: [3]"},
      {Request({QueryMsg(0, 1, {MatcherMsg(2, "a", "*")})}), "queries[0].matchers[0]"},
  };
  for (const Case& c : cases) {
    auto r = reader.Read(c.body, {});
    ASSERT_FALSE(r.ok()) << c.want;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace tidemark::ingest
