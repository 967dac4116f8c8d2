// Byte sizes as --storage.tsdb.retention.size and --query.max-bytes take them; the out-of-range
// cases came from api_params_fuzz.
#include <gtest/gtest.h>

#include "serve_config.h"

namespace tidemark::app {
namespace {

TEST(ByteSizeTest, DigitsTimesUnit) {
  EXPECT_EQ(*ParseByteSize("1024"), 1024u);
  EXPECT_EQ(*ParseByteSize("512MB"), 512ull << 20);
  EXPECT_EQ(*ParseByteSize("10GiB"), 10ull << 30);
  EXPECT_EQ(*ParseByteSize("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(ParseByteSize("10XB").ok());
  EXPECT_FALSE(ParseByteSize("GB").ok());
}

// std::stoull used to throw (and end the process) past 2^64, and a product past it wrapped.
TEST(ByteSizeTest, OutOfRangeIsAnError) {
  EXPECT_FALSE(ParseByteSize("18446744073709551616").ok());
  EXPECT_FALSE(ParseByteSize("4184467440713709551615").ok());
  EXPECT_FALSE(ParseByteSize("16384PB").ok());
  EXPECT_EQ(*ParseByteSize("16383PB"), 16383ull << 50);
}

}  // namespace
}  // namespace tidemark::app
