// The protobuf wire writer: exact bytes for known values, sizes, and a round trip through
// ProtoReader.
#include "tidemark/ingest/protowire_writer.h"

#include <gtest/gtest.h>

#include <limits>

#include "protowire.h"

namespace tidemark::ingest {
namespace {

TEST(ProtowireWriterTest, FieldsHaveTagsAndLittleEndianFixed64) {
  std::string out;
  AppendVarintField(&out, 1, 150);
  EXPECT_EQ(out, std::string("\x08\x96\x01", 3));
  out.clear();
  AppendFixed64Field(&out, 2, 0x0102030405060708ULL);
  EXPECT_EQ(out, std::string("\x11\x08\x07\x06\x05\x04\x03\x02\x01", 9));
  out.clear();
  AppendLenField(&out, 2, "testing");
  EXPECT_EQ(out, std::string("\x12\x07testing", 9));
  EXPECT_EQ(LenFieldSize(2, 7), out.size());
  EXPECT_EQ(LenFieldSize(16, 200), 2u + 2u + 200u);  // tag 128 and length 200 take two bytes each
}

TEST(ProtowireWriterTest, RoundTripsThroughTheReader) {
  std::string inner;
  AppendDoubleField(&inner, 1, -2.5);
  std::string msg;
  AppendVarintField(&msg, 1, uint64_t{1} << 40);
  AppendLenPrefix(&msg, 3, inner.size());  // written in place, then its bytes
  msg += inner;
  ProtoReader r(msg);
  uint64_t u = 0;
  std::string_view sub;
  ASSERT_TRUE(r.Next());
  ASSERT_TRUE(r.Varint(&u));
  EXPECT_EQ(u, uint64_t{1} << 40);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.field(), 3u);
  ASSERT_TRUE(r.Bytes(&sub));
  ProtoReader ri(sub);
  double d = 0;
  ASSERT_TRUE(ri.Next());
  ASSERT_TRUE(ri.Double(&d));
  EXPECT_EQ(d, -2.5);
  EXPECT_FALSE(r.Next());
  EXPECT_FALSE(r.error());
}

}  // namespace
}  // namespace tidemark::ingest
