// BitWriter against writing the same fields one bit at a time, at every starting offset, read
// back with BitReader.
#include "chunk/bit_writer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "chunk/bit_reader.h"

namespace tidemark::chunk {
namespace {

using Field = std::pair<uint64_t, unsigned>;  // value, width

// Fields of every width 0..64, with bits set above the width (the writer must ignore them).
std::vector<Field> RandomFields(uint32_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  std::vector<Field> out;
  for (size_t i = 0; i < n; ++i) out.emplace_back(rng(), static_cast<unsigned>(rng() % 65));
  return out;
}

std::string WriteOneBitAtATime(const std::string& prefix, size_t start_bit,
                               const std::vector<Field>& fields) {
  std::string out = prefix;
  BitWriter w(&out, start_bit);
  for (const auto& [v, n] : fields) {
    for (unsigned i = n; i > 0; --i) w.WriteBit(((v >> (i - 1)) & 1) != 0);
  }
  return out;
}

TEST(BitWriterTest, FieldsMatchBitByBitAtEveryOffset) {
  for (unsigned start = 0; start < 16; ++start) {
    // A prefix whose last byte is partly used: the writer must keep those bits.
    std::string prefix((start + 7) / 8, '\0');
    if (start % 8 != 0) prefix.back() = static_cast<char>(0xff << (8 - start % 8));
    if (start >= 8) prefix[0] = '\x5a';
    const auto fields = RandomFields(start + 1, 2000);
    std::string got = prefix;
    BitWriter w(&got, start);
    size_t bits = start;
    for (const auto& [v, n] : fields) {
      w.WriteBits(v, n);
      bits += n;
      ASSERT_EQ(w.bit_len(), bits);
      ASSERT_EQ(got.size(), (bits + 7) / 8);  // a valid prefix after every field
    }
    EXPECT_EQ(got, WriteOneBitAtATime(prefix, start, fields)) << "start bit " << start;

    BitReader r(reinterpret_cast<const uint8_t*>(got.data()), got.size(), start);
    for (const auto& [v, n] : fields) {
      uint64_t read = 0;
      ASSERT_TRUE(r.ReadBits(n, &read));
      EXPECT_EQ(read, n == 64 ? v : v & ((uint64_t{1} << n) - 1));
    }
    EXPECT_LT(r.remaining(), 8u);
  }
}

TEST(BitWriterTest, UnusedLowBitsOfTheLastByteStayZero) {
  std::string out;
  BitWriter w(&out, 0);
  w.WriteBits(~uint64_t{0}, 61);  // 3 free bits left in byte 7
  ASSERT_EQ(out.size(), 8u);
  EXPECT_EQ(static_cast<uint8_t>(out.back()), 0xf8);
  w.WriteBits(~uint64_t{0}, 64);  // spans nine bytes from bit 61
  ASSERT_EQ(out.size(), 16u);
  EXPECT_EQ(static_cast<uint8_t>(out[7]), 0xff);
  EXPECT_EQ(static_cast<uint8_t>(out.back()), 0xf8);  // 125 bits: 5 in the last byte
}

}  // namespace
}  // namespace tidemark::chunk
