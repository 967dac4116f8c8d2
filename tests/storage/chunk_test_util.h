// Helpers for chunk tests: bit-exact sample comparison and decoding to vectors.
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <vector>

#include "tidemark/storage/model/sample.h"

namespace tidemark::chunk::testutil {

// Samples equal when timestamps match and values have identical bit patterns (so NaN == NaN only
// with the same payload, and -0.0 != +0.0).
inline ::testing::AssertionResult BitIdentical(const std::vector<Sample>& want,
                                               const std::vector<Sample>& got) {
  if (want.size() != got.size()) {
    return ::testing::AssertionFailure()
           << "size " << got.size() << ", want " << want.size();
  }
  for (size_t i = 0; i < want.size(); ++i) {
    const auto wb = std::bit_cast<uint64_t>(want[i].v);
    const auto gb = std::bit_cast<uint64_t>(got[i].v);
    if (want[i].t != got[i].t || wb != gb) {
      return ::testing::AssertionFailure()
             << "sample " << i << ": got (" << got[i].t << ", 0x" << std::hex << gb << std::dec
             << "), want (" << want[i].t << ", 0x" << std::hex << wb << std::dec << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace tidemark::chunk::testutil
