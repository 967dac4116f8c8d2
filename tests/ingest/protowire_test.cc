// ProtoReader: wire types, bounds, and rejection of malformed input.
#include <gtest/gtest.h>

#include "protowire.h"
#include "support/pb_encoder.h"

namespace tidemark::ingest {
namespace {

using testing::PbWriter;

TEST(ProtoReaderTest, ReadsEveryWireType) {
  PbWriter w;
  w.Varint(1, 300).Fixed64(2, 0x0102030405060708ULL).Bytes(3, "hi").Double(4, 2.5);
  w.Raw(std::string("\x2d\x01\x00\x00\x00", 5));  // field 5, fixed32
  ProtoReader r(w.str());
  uint64_t u = 0;
  std::string_view s;
  double d = 0;
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.field(), 1u);
  ASSERT_TRUE(r.Varint(&u));
  EXPECT_EQ(u, 300u);
  ASSERT_TRUE(r.Next());
  ASSERT_TRUE(r.Fixed64(&u));
  EXPECT_EQ(u, 0x0102030405060708ULL);
  ASSERT_TRUE(r.Next());
  ASSERT_TRUE(r.Bytes(&s));
  EXPECT_EQ(s, "hi");
  ASSERT_TRUE(r.Next());
  ASSERT_TRUE(r.Double(&d));
  EXPECT_EQ(d, 2.5);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.field(), 5u);
  ASSERT_TRUE(r.Skip());
  EXPECT_FALSE(r.Next());
  EXPECT_FALSE(r.error());
}

TEST(ProtoReaderTest, RejectsMalformed) {
  auto fails = [](std::string_view bytes) {
    ProtoReader r(bytes);
    while (r.Next()) {
      if (!r.Skip()) break;
    }
    return r.error();
  };
  EXPECT_TRUE(fails(std::string("\x0a\x05" "abc", 5)));             // length past the end
  EXPECT_TRUE(fails(std::string("\x0a\xff\xff\xff\xff\x0f", 6)));   // 4 GB claimed
  EXPECT_TRUE(fails(std::string("\x08\x80\x80", 3)));               // truncated varint
  EXPECT_TRUE(fails(std::string(11, '\x80')));                      // over-long varint
  EXPECT_TRUE(fails(std::string("\x0b", 1)));                       // start group
  EXPECT_TRUE(fails(std::string("\x0e", 1)));                       // wire type 6
  EXPECT_TRUE(fails(std::string("\x00", 1)));                       // field 0
  EXPECT_TRUE(fails(std::string("\x09\x01\x02", 3)));               // truncated fixed64
  EXPECT_FALSE(fails(""));
}

TEST(ProtoReaderTest, WrongWireTypeForReaderFails) {
  PbWriter w;
  w.Bytes(1, "x");
  ProtoReader r(w.str());
  ASSERT_TRUE(r.Next());
  uint64_t u;
  EXPECT_FALSE(r.Varint(&u));
  EXPECT_TRUE(r.error());
}

TEST(ProtoReaderTest, PackedAndUnpackedRepeated) {
  PbWriter w;
  w.PackedFixed64(1, {1, 2}).Fixed64(1, 3).PackedVarint(2, {7, 300}).Varint(2, 9);
  std::vector<uint64_t> fixed, var;
  ProtoReader r(w.str());
  while (r.Next()) {
    if (r.field() == 1) ForEachFixed64(r, [&](uint64_t v) { fixed.push_back(v); });
    else ForEachVarint(r, [&](uint64_t v) { var.push_back(v); });
  }
  EXPECT_FALSE(r.error());
  EXPECT_EQ(fixed, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(var, (std::vector<uint64_t>{7, 300, 9}));
  PbWriter bad;
  bad.Bytes(1, "12345");  // packed fixed64 not a multiple of 8
  ProtoReader rb(bad.str());
  ASSERT_TRUE(rb.Next());
  EXPECT_FALSE(ForEachFixed64(rb, [](uint64_t) {}));
}

}  // namespace
}  // namespace tidemark::ingest
