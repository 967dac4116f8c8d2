// XorAppender: Gorilla-encodes samples onto the end of an owned XOR chunk buffer.
#pragma once

#include <bit>
#include <string>

#include "chunk/xor_format.h"
#include "tidemark/storage/chunk/chunk.h"

namespace tidemark::chunk {

class XorAppender final : public ChunkAppender {
 public:
  // Continues `buf` (a whole XOR chunk) whose samples leave the encoder in `state`, with the
  // bitstream ending at `bit_len`. Trailing bits past bit_len are cleared and dropped.
  XorAppender(std::string* buf, const xorfmt::State& state, size_t bit_len);

  void Append(Timestamp t, double v) override;
  // The last sample appended (REQUIRES: one was).
  Sample last() const {
    return {static_cast<Timestamp>(state_.t), std::bit_cast<double>(state_.v_bits)};
  }

 private:
  std::string* buf_;
  size_t bit_len_;
  xorfmt::State state_;
};

}  // namespace tidemark::chunk
