// Series descriptions (`metric{l="v"} 1+2x3 _ stale`) as promtool rule tests and promql-test
// scripts write them; the hostile cases came from rule_test_fuzz.
#include <gtest/gtest.h>

#include <string>

#include "promqltest/script.h"
#include "tidemark/query/promql_test.h"

namespace tidemark::query {
namespace {

TEST(SeriesDescriptionTest, ExpandsNotation) {
  auto d = ParseSeriesDescription(R"(up{job="a", "service.name"="b"} 1+2x2 _x2 stale 5m)");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->labels.Get("job"), "a");
  EXPECT_EQ(d->labels.Get("service.name"), "b");
  ASSERT_EQ(d->values.size(), 7u);
  EXPECT_EQ(d->values[2], 5.0);
  EXPECT_FALSE(d->values[3].has_value());
  EXPECT_TRUE(IsStaleNaN(*d->values[5]));
  EXPECT_EQ(d->values[6], 300.0);
}

// A character that is neither a name, a quote nor '=' used to be read as an empty label name
// without advancing: an endless loop that also grew the label list.
TEST(SeriesDescriptionTest, StrayCharacterInLabelSetIsAnError) {
  EXPECT_FALSE(ParseSeriesDescription(R"({a="b", (="c"} 1)").ok());
  EXPECT_FALSE(ParseSeriesDescription(R"({"service.ni",i", `raw`="v\\x"} 1)").ok());
  EXPECT_FALSE(ParseSeriesDescription(R"(up{job} 1)").ok());
  EXPECT_TRUE(ParseSeriesDescription(R"({"up", job="a"} 1)").ok());
}

// Repeats and gaps used to be expanded whatever their size (all memory, or an out-of-range
// cast of a double); durations to overflow or throw out of std::stoll.
TEST(SeriesDescriptionTest, OversizedExpansionsAreErrors) {
  EXPECT_FALSE(ParseSeriesDescription("up 1x99999999999999999999").ok());
  EXPECT_FALSE(ParseSeriesDescription("up 0+1x1000000").ok());
  EXPECT_FALSE(ParseSeriesDescription("up _x1e300").ok());
  EXPECT_FALSE(ParseSeriesDescription("up _xNaN").ok());
  EXPECT_FALSE(ParseSeriesDescription("up 99999999999999999999999h").ok());
  EXPECT_FALSE(ParseSeriesDescription("up 9999999999999999y").ok());
  auto most = ParseSeriesDescription("up 0+1x999999");
  ASSERT_TRUE(most.ok());
  EXPECT_EQ(most->values.size(), script::kMaxSeriesLineValues);
  // One more value of any kind after a full line (a fuzzer finding: single values were not
  // counted against the cap).
  EXPECT_FALSE(ParseSeriesDescription("up 0+1x999999 1e-3").ok());
  EXPECT_FALSE(ParseSeriesDescription("up 0+1x999999 _").ok());
  EXPECT_FALSE(ParseSeriesDescription("up 0+1x999999 stale").ok());
  EXPECT_FALSE(script::ParseScriptDuration("99999999999999999999s").ok());
  EXPECT_EQ(*script::ParseScriptDuration("1h30m"), 5'400'000);
}

}  // namespace
}  // namespace tidemark::query
