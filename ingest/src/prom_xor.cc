// Prometheus XOR chunk encoder (see prom_xor.h).
#include "prom_xor.h"

#include <bit>
#include <cstdint>

#include "tidemark/storage/model/varint.h"

namespace tidemark::ingest {

namespace {

// Most-significant-bit-first bit writer over a string, as Prometheus' bstream writes.
class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}
  void Bit(bool b) {
    if (free_ == 0) {
      out_->push_back(0);
      free_ = 8;
    }
    if (b) out_->back() = static_cast<char>(static_cast<uint8_t>(out_->back()) | (1u << (free_ - 1)));
    --free_;
  }
  // The low `n` bits of `v`, highest first.
  void Bits(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) Bit(((v >> i) & 1) != 0);
  }

 private:
  std::string* out_;
  int free_ = 0;  // unused bits in the last byte
};

// Go's binary.PutUvarint, written as 8-bit groups through the bit writer.
void Uvarint(BitWriter& w, uint64_t v) {
  while (v >= 0x80) {
    w.Bits((v & 0x7f) | 0x80, 8);
    v >>= 7;
  }
  w.Bits(v, 8);
}

// Prometheus' bitRange: x fits the n-bit bucket (the range is -(2^(n-1)-1) .. 2^(n-1)).
bool FitsBits(int64_t x, int n) {
  int64_t half = int64_t{1} << (n - 1);
  return -(half - 1) <= x && x <= half;
}

}  // namespace

std::string EncodePrometheusXor(std::span<const Sample> samples) {
  std::string out(2, '\0');
  out[0] = static_cast<char>((samples.size() >> 8) & 0xff);
  out[1] = static_cast<char>(samples.size() & 0xff);
  BitWriter w(&out);
  int64_t prev_t = 0;
  uint64_t prev_delta = 0;
  uint64_t prev_v = 0;
  uint8_t leading = 0xff, trailing = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const int64_t t = samples[i].t;
    const uint64_t v = std::bit_cast<uint64_t>(samples[i].v);
    uint64_t delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(prev_t);
    if (i == 0) {
      Uvarint(w, ZigZag(t));  // Go's binary.PutVarint
      w.Bits(v, 64);
    } else {
      if (i == 1) {
        Uvarint(w, delta);
      } else {
        int64_t dod = static_cast<int64_t>(delta - prev_delta);
        if (dod == 0) {
          w.Bit(false);
        } else if (FitsBits(dod, 14)) {
          w.Bits(0b10, 2);
          w.Bits(static_cast<uint64_t>(dod), 14);
        } else if (FitsBits(dod, 17)) {
          w.Bits(0b110, 3);
          w.Bits(static_cast<uint64_t>(dod), 17);
        } else if (FitsBits(dod, 20)) {
          w.Bits(0b1110, 4);
          w.Bits(static_cast<uint64_t>(dod), 20);
        } else {
          w.Bits(0b1111, 4);
          w.Bits(static_cast<uint64_t>(dod), 64);
        }
      }
      uint64_t x = v ^ prev_v;
      if (x == 0) {
        w.Bit(false);
      } else {
        w.Bit(true);
        uint8_t lz = static_cast<uint8_t>(std::countl_zero(x));
        uint8_t tz = static_cast<uint8_t>(std::countr_zero(x));
        if (lz >= 32) lz = 31;  // the window stores leading zeros in 5 bits
        if (leading != 0xff && lz >= leading && tz >= trailing) {
          w.Bit(false);
          w.Bits(x >> trailing, 64 - leading - trailing);
        } else {
          leading = lz;
          trailing = tz;
          int sig = 64 - lz - tz;
          w.Bit(true);
          w.Bits(lz, 5);
          w.Bits(static_cast<uint64_t>(sig), 6);  // 64 wraps to 0, as Prometheus stores it
          w.Bits(x >> tz, sig);
        }
      }
    }
    prev_delta = delta;
    prev_t = t;
    prev_v = v;
  }
  return out;
}

}  // namespace tidemark::ingest
