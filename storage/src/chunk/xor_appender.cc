// XorAppender: Gorilla-encodes samples onto the end of an owned XOR chunk buffer.
#include "chunk/xor_appender.h"

#include <bit>
#include <cassert>

#include "chunk/bit_writer.h"
#include "chunk/xor_codec.h"

namespace tidemark::chunk {

XorAppender::XorAppender(std::string* buf, const xorfmt::State& state, size_t bit_len)
    : buf_(buf), bit_len_(bit_len), state_(state) {
  // Drop anything after the last decoded bit so new bits are ORed into zeros.
  buf_->resize((bit_len_ + 7) / 8);
  if ((bit_len_ & 7) != 0) {
    const unsigned keep = bit_len_ & 7;
    const auto mask = static_cast<uint8_t>(0xff << (8 - keep));
    buf_->back() = static_cast<char>(static_cast<uint8_t>(buf_->back()) & mask);
  }
}

void XorAppender::Append(Timestamp t, double v) {
  assert(state_.n < kMaxSamplesPerXorChunk && "caller must cut chunks (capacity contract)");
  if (state_.n >= kMaxSamplesPerXorChunk) return;  // release: dropping keeps the chunk valid
  const auto ut = static_cast<uint64_t>(t);
  const auto bits = std::bit_cast<uint64_t>(v);
  BitWriter w(buf_, bit_len_);
  if (state_.n == 0) {
    w.WriteUvarint(xorfmt::ZigZag(t));
    w.WriteBits(bits, 64);
  } else {
    const uint64_t delta = ut - state_.t;  // wraps modulo 2^64: exact for any int64 pair
    if (state_.n == 1) {
      w.WriteUvarint(xorfmt::ZigZag(static_cast<int64_t>(delta)));
    } else {
      xorfmt::WriteDod(w, static_cast<int64_t>(delta - state_.delta));
    }
    xorfmt::WriteValue(w, state_.v_bits, bits, &state_.leading, &state_.trailing);
    state_.delta = delta;
  }
  state_.t = ut;
  state_.v_bits = bits;
  ++state_.n;
  bit_len_ = w.bit_len();
  (*buf_)[0] = static_cast<char>(state_.n >> 8);
  (*buf_)[1] = static_cast<char>(state_.n & 0xff);
}

}  // namespace tidemark::chunk
