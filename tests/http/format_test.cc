// Value, timestamp and result rendering must match Prometheus byte for byte.
#include "tidemark/http/format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace tidemark::http {
namespace {

TEST(FormatSampleValueTest, MatchesPrometheusMarshalFloat) {
  EXPECT_EQ(FormatSampleValue(0), "0");
  EXPECT_EQ(FormatSampleValue(1), "1");
  EXPECT_EQ(FormatSampleValue(-2.5), "-2.5");
  EXPECT_EQ(FormatSampleValue(1e6), "1000000");
  EXPECT_EQ(FormatSampleValue(1e-7), "1e-07");
  EXPECT_EQ(FormatSampleValue(1e-6), "0.000001");
  EXPECT_EQ(FormatSampleValue(-5e-324), "-5e-324");
  EXPECT_EQ(FormatSampleValue(1e300), "1e+300");
  EXPECT_EQ(FormatSampleValue(-0.0), "-0");
  EXPECT_EQ(FormatSampleValue(0.1), "0.1");
  EXPECT_EQ(FormatSampleValue(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(FormatSampleValue(123456789012.5), "123456789012.5");
  EXPECT_EQ(FormatSampleValue(1e21), "1e+21");
  EXPECT_EQ(FormatSampleValue(999999999999999900000.0), "999999999999999900000");
  EXPECT_EQ(FormatSampleValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatSampleValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatSampleValue(StaleNaN()), "NaN");
}

TEST(FormatTimestampTest, SecondsWithMillis) {
  EXPECT_EQ(FormatTimestamp(1700000000123), "1700000000.123");
  EXPECT_EQ(FormatTimestamp(1700000000000), "1700000000");
  EXPECT_EQ(FormatTimestamp(1500), "1.500");
  EXPECT_EQ(FormatTimestamp(1001), "1.001");
  EXPECT_EQ(FormatTimestamp(0), "0");
  EXPECT_EQ(FormatTimestamp(-1500), "-1.500");
}

// A point writes its value in one buffer when it can; every value must read as
// FormatSampleValue gives it, on both sides of each notation's bounds.
TEST(PointJsonTest, ValuesReadAsFormatSampleValue) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> values = {0.0, -0.0, 1e15, -1e15, 1e-6, -1e-6, 1e21, 5e-324, -inf, inf,
                                std::nan(""), StaleNaN(), 1.7976931348623157e308};
  for (double v : {1e15, 1e-6, 1e21}) {
    values.push_back(std::nextafter(v, 0.0));
    values.push_back(std::nextafter(v, inf));
  }
  uint64_t rng = 3;
  for (int i = 0; i < 20000; ++i) {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    const double mantissa = static_cast<double>(rng >> 11) / 9007199254740992.0;
    values.push_back((i % 2 ? -1 : 1) * mantissa * std::pow(10.0, static_cast<int>(rng % 50) - 25));
  }
  for (double v : values) {
    for (Timestamp t : {Timestamp{0}, Timestamp{1796550540123}, Timestamp{-1500}}) {
      std::string out = "x";
      AppendPointJson(out, t, v);
      EXPECT_EQ(out, "x[" + FormatTimestamp(t) + ",\"" + FormatSampleValue(v) + "\"]") << v;
    }
  }
}

TEST(JsonTest, StringEscapingLikeGo) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\n<&>\x01");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u003c\\u0026\\u003e\\u0001\"");
}

TEST(JsonTest, ErrorEnvelope) {
  EXPECT_EQ(ErrorJson("bad_data", "x"),
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"x\"}");
  EXPECT_EQ(SuccessJson("[]", {"w"}), "{\"status\":\"success\",\"data\":[],\"warnings\":[\"w\"]}");
}

std::string ReadGolden(const std::string& name) {
  std::ifstream in(std::string(TM_SOURCE_DIR) + "/tests/http/testdata/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

TEST(QueryDataJsonTest, VectorGolden) {
  query::QueryValue v;
  v.kind = query::ValueKind::kVector;
  v.vector.push_back({Labels{{"__name__", "up"}, {"job", "a"}}, 1700000000123, 1});
  v.vector.push_back({Labels{{"job", "b"}}, 1700000000123, std::nan("")});
  EXPECT_EQ(SuccessJson(QueryDataJson(v)), ReadGolden("vector.json"));
}

TEST(QueryDataJsonTest, MatrixGolden) {
  query::QueryValue v;
  v.kind = query::ValueKind::kMatrix;
  v.matrix.push_back({Labels{{"__name__", "x"}}, {{1000, 1.5}, {2000, 1e6}, {3500, -1e-3}}});
  EXPECT_EQ(SuccessJson(QueryDataJson(v)), ReadGolden("matrix.json"));
}

// Series with gaps put other times at the same point index: each point keeps its own.
TEST(QueryDataJsonTest, MatrixSeriesWithDifferentSteps) {
  query::QueryValue v;
  v.kind = query::ValueKind::kMatrix;
  v.matrix.push_back({Labels{{"a", "1"}}, {{1000, 1}, {2000, 2}, {3000, 3}}});
  v.matrix.push_back({Labels{{"a", "2"}}, {{2000, 4}, {3500, 5}}});
  v.matrix.push_back({Labels{{"a", "3"}}, {{1000, 6}, {2000, 7}, {3000, 8}, {4000, 9}}});
  EXPECT_EQ(QueryDataJson(v),
            R"({"resultType":"matrix","result":[{"metric":{"a":"1"},"values":[[1,"1"],[2,"2"],)"
            R"([3,"3"]]},{"metric":{"a":"2"},"values":[[2,"4"],[3.500,"5"]]},{"metric":{"a":"3"},)"
            R"("values":[[1,"6"],[2,"7"],[3,"8"],[4,"9"]]}]})");
}

TEST(QueryDataJsonTest, ScalarAndString) {
  query::QueryValue s;
  s.kind = query::ValueKind::kScalar;
  s.t = 1700000000000;
  s.scalar = 2;
  EXPECT_EQ(QueryDataJson(s), "{\"resultType\":\"scalar\",\"result\":[1700000000,\"2\"]}");
  query::QueryValue str;
  str.kind = query::ValueKind::kString;
  str.t = 1000;
  str.str = "hi";
  EXPECT_EQ(QueryDataJson(str), "{\"resultType\":\"string\",\"result\":[1,\"hi\"]}");
  query::QueryValue empty;
  empty.kind = query::ValueKind::kVector;
  EXPECT_EQ(QueryDataJson(empty), "{\"resultType\":\"vector\",\"result\":[]}");
}

}  // namespace
}  // namespace tidemark::http
