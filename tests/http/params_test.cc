// Time and duration parameters as Prometheus parses them.
#include "tidemark/http/params.h"

#include <gtest/gtest.h>

namespace tidemark::http {
namespace {

TEST(ParseApiTimeTest, UnixSeconds) {
  EXPECT_EQ(*ParseApiTime("1700000000"), 1700000000000);
  EXPECT_EQ(*ParseApiTime("1700000000.123"), 1700000000123);
  EXPECT_EQ(*ParseApiTime("1700000000.1234"), 1700000000123);
  EXPECT_EQ(*ParseApiTime("0.5"), 500);
  EXPECT_EQ(*ParseApiTime("1e3"), 1000000);
}

TEST(ParseApiTimeTest, Rfc3339) {
  EXPECT_EQ(*ParseApiTime("2023-11-14T22:13:20Z"), 1700000000000);
  EXPECT_EQ(*ParseApiTime("2023-11-14T22:13:20.123Z"), 1700000000123);
  EXPECT_EQ(*ParseApiTime("2023-11-14T23:13:20+01:00"), 1700000000000);
  EXPECT_EQ(*ParseApiTime("1970-01-01T00:00:00.5Z"), 500);
}

TEST(ParseApiTimeTest, Errors) {
  auto r = ParseApiTime("yesterday");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "cannot parse \"yesterday\" to a valid timestamp");
  EXPECT_FALSE(ParseApiTime("").ok());
  EXPECT_FALSE(ParseApiTime("2023-13-14T22:13:20Z").ok());
  EXPECT_FALSE(ParseApiTime("2023-11-14 22:13:20").ok());
}

TEST(ParseApiDurationTest, FloatsAndDurations) {
  EXPECT_EQ(*ParseApiDuration("15"), 15000);
  EXPECT_EQ(*ParseApiDuration("0.5"), 500);
  EXPECT_EQ(*ParseApiDuration("15s"), 15000);
  EXPECT_EQ(*ParseApiDuration("1h30m"), 5400000);
  EXPECT_EQ(*ParseApiDuration("100ms"), 100);
  EXPECT_EQ(*ParseApiDuration("1d"), 86400000);
  EXPECT_EQ(*ParseApiDuration("2w"), 14LL * 86400000);
  auto r = ParseApiDuration("5x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "cannot parse \"5x\" to a valid duration");
  EXPECT_FALSE(ParseApiDuration("m5").ok());
  EXPECT_FALSE(ParseApiDuration("5s1m").ok());  // units must descend
  EXPECT_FALSE(ParseApiDuration("999999999999y").ok());  // overflows int64 ms
}

}  // namespace
}  // namespace tidemark::http
