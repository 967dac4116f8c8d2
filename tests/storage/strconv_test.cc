// Go strconv/fmt and Prometheus conversions: every expected string is Go's (or Prometheus')
// documented output for the input, not something read off our implementation.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "tidemark/storage/model/strconv.h"
#include "tidemark/storage/model/varint.h"

namespace tidemark {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(StrconvTest, QuoteMatchesGo) {
  struct Case {
    std::string_view in, want;
  } cases[] = {
      {"", R"("")"},
      {"abc", R"("abc")"},
      {"a\"b\\c'", R"("a\"b\\c'")"},
      {"\a\b\f\n\r\t\v", R"("\a\b\f\n\r\t\v")"},
      {std::string_view("\x00\x1f\x7f", 3), R"("\x00\x1f\x7f")"},
      {"h\xc3\xa9llo \xe2\x98\xba \xe6\x97\xa5", "\"h\xc3\xa9llo \xe2\x98\xba \xe6\x97\xa5\""},
      {"\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""},          // U+1F600 is printable
      {"\xef\xbf\xbd", "\"\xef\xbf\xbd\""},                  // a real U+FFFD stays
      {"\xff", R"("\xff")"},                                  // invalid byte
      {"a\xc3", R"("a\xc3")"},                                // truncated sequence
      {"\xc0\x80", R"("\xc0\x80")"},                          // overlong NUL
      {"\xed\xa0\x80", R"("\xed\xa0\x80")"},                  // surrogate half
      {"\xc2\x80", R"("\u0080")"},                            // C1 control
      {"\xc2\xad", R"("\u00ad")"},                            // soft hyphen
      {"\xe2\x80\xa8", R"("\u2028")"},                        // line separator
      {"\xef\xbb\xbf", R"("\ufeff")"},                        // BOM
  };
  for (const auto& c : cases) EXPECT_EQ(Quote(c.in), c.want) << c.want;
}

TEST(StrconvTest, QuoteRuneMatchesGo) {
  struct Case {
    uint32_t r;
    std::string_view want;
  } cases[] = {
      {'a', "'a'"},         {'\n', R"('\n')"},  {0, R"('\x00')"},     {'\a', R"('\a')"},
      {'\'', R"('\'')"},    {'"', "'\"'"},      {'\\', R"('\\')"},    {0x7f, R"('\x7f')"},
      {0x263a, "'\xe2\x98\xba'"}, {0x80, R"('\u0080')"},
      {0xd800, "'\xef\xbf\xbd'"}, {0x110000, "'\xef\xbf\xbd'"},  // invalid runes print U+FFFD
  };
  for (const auto& c : cases) EXPECT_EQ(QuoteRune(c.r), c.want) << c.r;
}

TEST(StrconvTest, UnquoteMatchesGo) {
  struct Case {
    std::string_view in, want;
  } ok[] = {
      {R"("a\tb")", "a\tb"},
      {R"('x')", "x"},
      {R"(`raw\n`)", R"(raw\n)"},
      {R"("\x41\101\u00e9\U0001F600")", "AA\xc3\xa9\xf0\x9f\x98\x80"},
      {R"("\a\b\f\n\r\t\v\\\"")", "\a\b\f\n\r\t\v\\\""},
      {R"('it\'s')", "it's"},
      {R"("\xff")", "\xff"},  // \x is a raw byte
  };
  for (const auto& c : ok) {
    auto r = Unquote(c.in);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.status().ToString();
    EXPECT_EQ(*r, c.want) << c.in;
  }
  struct Bad {
    std::string_view in, message;
  } bad[] = {
      {R"("\c")", "unknown escape sequence U+0063 'c'"},
      {R"("\'")", "unknown escape sequence U+0027 '''"},
      {R"("\x4")", "escape sequence not terminated"},
      {R"("\xzz")", "illegal character U+007A 'z' in escape sequence"},
      {R"("\ud800")", "escape sequence is an invalid Unicode code point"},
      {R"("\400")", "escape sequence is an invalid Unicode code point"},
      {"\"\xff\"", "invalid UTF-8 rune"},
  };
  for (const auto& c : bad) {
    auto r = Unquote(c.in);
    ASSERT_FALSE(r.ok()) << c.in;
    EXPECT_EQ(r.status().message(), c.message) << c.in;
  }
}

TEST(StrconvTest, LabelValueEscapingIsTheExpositionFormats) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd\te\xff"), "a\\\\b\\\"c\\nd\te\xff");
  std::string out;
  AppendQuotedLabelValue(out, "x\"y");
  EXPECT_EQ(out, R"("x\"y")");
}

TEST(StrconvTest, Utf8) {
  std::string s;
  for (uint32_t r : {0x41u, 0xe9u, 0x263au, 0x1f600u}) AppendUtf8(s, r);
  EXPECT_EQ(s, "A\xc3\xa9\xe2\x98\xba\xf0\x9f\x98\x80");
  EXPECT_TRUE(ValidUtf8(s));
  EXPECT_FALSE(ValidUtf8("\xc0\x80"));
  EXPECT_FALSE(ValidUtf8("\xed\xa0\x80"));
  uint32_t r;
  EXPECT_EQ(DecodeRune(s, 3, &r), 3u);
  EXPECT_EQ(r, 0x263au);
  EXPECT_EQ(DecodeRune("\xff", 0, &r), 1u);
  EXPECT_EQ(r, 0xfffdu);
}

TEST(StrconvTest, FormatFloatMatchesGo) {
  struct Case {
    double v;
    char fmt;
    int prec;
    std::string want;
  } cases[] = {
      // 'f', shortest: never an exponent; digits are the shortest that round-trip.
      {0, 'f', -1, "0"},
      {-0.0, 'f', -1, "-0"},
      {1, 'f', -1, "1"},
      {0.1, 'f', -1, "0.1"},
      {0.1 + 0.2, 'f', -1, "0.30000000000000004"},
      {-2.5, 'f', -1, "-2.5"},
      {1e-7, 'f', -1, "0.0000001"},
      {123456789.125, 'f', -1, "123456789.125"},
      {1e21, 'f', -1, "1000000000000000000000"},
      {1e23, 'f', -1, "100000000000000000000000"},
      {1152921504606846976.0, 'f', -1, "1152921504606847000"},  // 2^60
      {5e-324, 'f', -1, "0." + std::string(323, '0') + "5"},
      {kNaN, 'f', -1, "NaN"},
      {kInf, 'f', -1, "+Inf"},
      {-kInf, 'f', -1, "-Inf"},
      // 'e', shortest.
      {0, 'e', -1, "0e+00"},
      {1e21, 'e', -1, "1e+21"},
      {123456, 'e', -1, "1.23456e+05"},
      {5e-324, 'e', -1, "5e-324"},
      {1.7976931348623157e308, 'e', -1, "1.7976931348623157e+308"},
      {1e6, 'E', -1, "1E+06"},
      // 'g', shortest: %e when the exponent is < -4 or >= 6 (fmt's %v).
      {0, 'g', -1, "0"},
      {-0.0, 'g', -1, "-0"},
      {0.5, 'g', -1, "0.5"},
      {100, 'g', -1, "100"},
      {123456, 'g', -1, "123456"},
      {1e6, 'g', -1, "1e+06"},
      {1234567, 'g', -1, "1.234567e+06"},
      {0.0001, 'g', -1, "0.0001"},
      {0.00001, 'g', -1, "1e-05"},
      {1e20, 'g', -1, "1e+20"},
      {1e21, 'g', -1, "1e+21"},
      {-kInf, 'g', -1, "-Inf"},
      // Fixed precision: correctly rounded from the exact binary value, ties to even.
      {3.14159, 'f', 2, "3.14"},
      {2.5, 'f', 0, "2"},
      {0.125, 'f', 2, "0.12"},
      {1.005, 'f', 2, "1.00"},
      {1, 'f', 6, "1.000000"},
      {kNaN, 'f', 6, "NaN"},
      {kInf, 'f', 6, "+Inf"},
      {123456, 'e', 3, "1.235e+05"},
      {0, 'e', 2, "0.00e+00"},
      {123456, 'g', 4, "1.235e+05"},
      {100, 'g', 4, "100"},
      {0.0001234, 'g', 4, "0.0001234"},
      {0.1, 'g', 17, "0.10000000000000001"},
      {5, 'g', 0, "5"},
      {1e-7, 'G', 3, "1E-07"},
      {1e21, 'f', 0, "1000000000000000000000"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FormatFloat(c.v, c.fmt, c.prec), c.want) << c.v << " " << c.fmt << c.prec;
  }
  std::string out = "x=";
  AppendFloat(out, 0.25, 'f', -1);
  EXPECT_EQ(out, "x=0.25");
}

// Go's 'f' with prec -1 is the shortest digits ('e', -1) laid out without an exponent. The
// formatter takes a one-call path below 1e15; this lays the 'e' digits out independently and
// requires the same text across magnitudes, denormals included.
TEST(StrconvTest, ShortestFixedIsShortestDigitsLaidOut) {
  auto layout = [](double v) {
    std::string e = FormatFloat(v, 'e', -1);
    std::string out;
    if (e[0] == '-') {
      out += '-';
      e.erase(0, 1);
    }
    const size_t epos = e.find('e');
    const int dp = std::stoi(e.substr(epos + 1)) + 1;
    std::string digits;
    for (char c : e.substr(0, epos)) {
      if (c != '.') digits += c;
    }
    const int nd = static_cast<int>(digits.size());
    if (dp <= 0) return out + "0." + std::string(static_cast<size_t>(-dp), '0') + digits;
    if (dp >= nd) return out + digits + std::string(static_cast<size_t>(dp - nd), '0');
    return out + digits.substr(0, static_cast<size_t>(dp)) + "." + digits.substr(static_cast<size_t>(dp));
  };
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> mant(1, 10);
  std::uniform_int_distribution<int> exp10(-330, 25);
  for (int i = 0; i < 20000; ++i) {
    double v = mant(rng) * std::pow(10.0, exp10(rng));
    if (i % 2) v = -v;
    if (i % 7 == 0) v = std::nextafter(9007199254740992.0 * (i % 3), 0.0);  // around 2^53
    if (v == 0 || !std::isfinite(v)) continue;
    ASSERT_EQ(FormatFloat(v, 'f', -1), layout(v)) << FormatFloat(v, 'e', -1);
  }
  EXPECT_EQ(FormatFloat(5e-324, 'f', -1), layout(5e-324));
  EXPECT_EQ(FormatFloat(999999999999999.9, 'f', -1), "999999999999999.9");
  EXPECT_EQ(FormatFloat(1e15, 'f', -1), "1000000000000000");
}

TEST(StrconvTest, ParseFloatMatchesGo) {
  struct Case {
    std::string_view in;
    double want;
  } ok[] = {
      {"1", 1},           {"-1.5e3", -1500},  {"+.5", 0.5},       {"5.", 5},
      {"1E2", 100},       {"0x1p-2", 0.25},   {"0X1.8P1", 3},     {"0x_1p0", 1},
      {"1_000.5", 1000.5}, {"1e1_0", 1e10},   {"1e-400", 0},      {"4.9e-324", 5e-324},
      {"inf", kInf},      {"+Inf", kInf},     {"-infinity", -kInf}, {"INFINITY", kInf},
      {"007", 7},
  };
  for (const auto& c : ok) {
    auto r = ParseFloat(c.in);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.status().ToString();
    EXPECT_EQ(*r, c.want) << c.in;
  }
  for (std::string_view nan : {"nan", "NaN", "NAN"}) {
    auto r = ParseFloat(nan);
    ASSERT_TRUE(r.ok()) << nan;
    EXPECT_TRUE(std::isnan(*r));
  }
  for (std::string_view in : {"", " 1", "1 ", "abc", "1e", "e5", ".", "0x", "0x1", "0x1.8",
                              "_1", "1_", "1__0", "1_.5", "+nan", "-nan", "infx", "in",
                              "1.5.5", "0b101", "1e+", "--1", "\t1", "nan(1)"}) {
    auto r = ParseFloat(in);
    ASSERT_FALSE(r.ok()) << in;
    EXPECT_EQ(r.status().message(),
              "strconv.ParseFloat: parsing " + Quote(in) + ": invalid syntax");
  }
  EXPECT_EQ(ParseFloat("1e400").status().message(),
            "strconv.ParseFloat: parsing \"1e400\": value out of range");
  EXPECT_FALSE(ParseFloat("-1e400").ok());
  EXPECT_FALSE(ParseFloat("0x1p2000").ok());
}

TEST(StrconvTest, DurationsMatchPrometheus) {
  struct Case {
    int64_t ms;
    std::string_view text;
  } cases[] = {
      {0, "0s"},           {5'400'000, "1h30m"},         {1500, "1s500ms"},
      {7 * 86'400'000LL, "1w"}, {8 * 86'400'000LL, "8d"}, {365 * 86'400'000LL, "1y"},
      {366 * 86'400'000LL, "366d"}, {-90'000, "-1m30s"}, {1, "1ms"},
  };
  for (const auto& c : cases) EXPECT_EQ(FormatDuration(c.ms), c.text) << c.ms;
  struct Parse {
    std::string_view in;
    int64_t ms;
  } parse[] = {{"0", 0}, {"1h30m", 5'400'000}, {"1y2w3d4h5m6s7ms", 33'019'506'007}, {"90s", 90'000}};
  for (const auto& c : parse) {
    auto r = ParseDuration(c.in);
    ASSERT_TRUE(r.ok()) << c.in;
    EXPECT_EQ(*r, c.ms) << c.in;
  }
  for (std::string_view bad : {"", "1.5h", "1m1h", "1h1h", "h", "5x", "-1s", "1", "300y"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseDuration("5x").status().message(), "unknown unit \"x\" in duration \"5x\"");
  EXPECT_EQ(ParseDuration("1m1h").status().message(), "not a valid duration string: \"1m1h\"");
}

TEST(StrconvTest, Rfc3339) {
  using F = Rfc3339Fraction;
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(0, F::kMillis), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(1500), "1970-01-01T00:00:01.5Z");
  EXPECT_EQ(FormatRfc3339(1500, F::kMillis), "1970-01-01T00:00:01.500Z");
  EXPECT_EQ(FormatRfc3339(1'704'164'645'123), "2024-01-02T03:04:05.123Z");
  EXPECT_EQ(FormatRfc3339(1'704'164'645'120), "2024-01-02T03:04:05.12Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(-1000, F::kMillis), "1969-12-31T23:59:59.000Z");
}

TEST(StrconvTest, UrlEscapeMatchesGoQueryEscape) {
  EXPECT_EQ(UrlEscape("a b&c=d/\xc3\xa9?#+%", true), "a+b%26c%3Dd%2F%C3%A9%3F%23%2B%25");
  EXPECT_EQ(UrlEscape("a b", false), "a%20b");
  EXPECT_EQ(UrlEscape("AZaz09-_.~", true), "AZaz09-_.~");
  EXPECT_EQ(UrlEscape("", true), "");
}

TEST(VarintTest, RoundTripsAndEdges) {
  struct Case {
    uint64_t v;
    size_t size;
  } cases[] = {{0, 1},   {1, 1},   {127, 1},  {128, 2},  {300, 2},       {16383, 2},
               {16384, 3}, {uint64_t{1} << 63, 10}, {std::numeric_limits<uint64_t>::max(), 10}};
  for (const auto& c : cases) {
    std::string buf;
    AppendUvarint(&buf, c.v);
    EXPECT_EQ(buf.size(), c.size) << c.v;
    EXPECT_EQ(UvarintSize(c.v), c.size) << c.v;
    buf += "tail";
    std::string_view in = buf;
    uint64_t got = 0;
    ASSERT_TRUE(ReadUvarint(&in, &got)) << c.v;
    EXPECT_EQ(got, c.v);
    EXPECT_EQ(in, "tail");
  }
  std::string enc;
  AppendUvarint(&enc, 300);
  EXPECT_EQ(enc, "\xac\x02");  // the protobuf encoding guide's example
  uint64_t v = 0;
  std::string_view truncated = "\x80";
  EXPECT_FALSE(ReadUvarint(&truncated, &v));
  EXPECT_EQ(truncated.size(), 1u);  // nothing consumed
  std::string overflow(9, '\xff');
  overflow += '\x02';  // a 10th byte above 1 overflows 64 bits
  std::string_view ov = overflow;
  EXPECT_FALSE(ReadUvarint(&ov, &v));
  std::string padded = overflow + std::string(10, '\0');  // same through the fast path
  std::string_view pv = padded;
  EXPECT_FALSE(ReadUvarint(&pv, &v));
}

TEST(VarintTest, ZigZag) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  struct Case {
    int64_t v;
    uint64_t z;
  } cases[] = {{0, 0}, {-1, 1}, {1, 2}, {-2, 3}, {2, 4},
               {kMax, std::numeric_limits<uint64_t>::max() - 1},
               {kMin, std::numeric_limits<uint64_t>::max()}};
  for (const auto& c : cases) {
    EXPECT_EQ(ZigZag(c.v), c.z) << c.v;
    EXPECT_EQ(UnZigZag(c.z), c.v) << c.v;
  }
}

}  // namespace
}  // namespace tidemark
