// Test-only reader of Prometheus XOR chunks and remote-read stream frames, written from
// Prometheus' tsdb/chunkenc/xor.go and storage/remote/chunked.go, to check our encoders against.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "tidemark/storage/model/sample.h"

namespace tidemark::ingest::testing {

class BitReader {
 public:
  explicit BitReader(std::string_view d) : d_(d) {}
  std::optional<uint64_t> Bits(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) {
      if (pos_ >= d_.size() * 8) return std::nullopt;
      v = (v << 1) | ((static_cast<uint8_t>(d_[pos_ / 8]) >> (7 - pos_ % 8)) & 1);
      ++pos_;
    }
    return v;
  }
  std::optional<uint64_t> Uvarint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      auto b = Bits(8);
      if (!b) return std::nullopt;
      v |= (*b & 0x7f) << shift;
      if (!(*b & 0x80)) return v;
    }
    return std::nullopt;
  }

 private:
  std::string_view d_;
  size_t pos_ = 0;
};

// Samples of a Prometheus XOR chunk; nullopt when the bytes are cut short.
inline std::optional<std::vector<Sample>> DecodePrometheusXor(std::string_view chunk) {
  if (chunk.size() < 2) return std::nullopt;
  size_t n = (static_cast<uint8_t>(chunk[0]) << 8) | static_cast<uint8_t>(chunk[1]);
  BitReader r(chunk.substr(2));
  std::vector<Sample> out;
  uint64_t t = 0, delta = 0, v = 0;
  int leading = 0, trailing = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i == 0) {
      auto z = r.Uvarint();
      auto bits = r.Bits(64);
      if (!z || !bits) return std::nullopt;
      t = (*z >> 1) ^ (~(*z & 1) + 1);
      v = *bits;
      out.push_back({static_cast<int64_t>(t), std::bit_cast<double>(v)});
      continue;
    }
    if (i == 1) {
      auto d = r.Uvarint();
      if (!d) return std::nullopt;
      delta = *d;
    } else {
      int code = 0, ones = 0;
      while (ones < 4) {
        auto b = r.Bits(1);
        if (!b) return std::nullopt;
        if (!*b) break;
        ++ones;
      }
      code = ones;
      static constexpr int kWidth[] = {0, 14, 17, 20, 64};
      int sz = kWidth[code];
      int64_t dod = 0;
      if (sz) {
        auto b = r.Bits(sz);
        if (!b) return std::nullopt;
        uint64_t u = *b;
        if (sz != 64 && u > (uint64_t{1} << (sz - 1))) u -= uint64_t{1} << sz;
        dod = static_cast<int64_t>(u);
      }
      delta += static_cast<uint64_t>(dod);
    }
    t += delta;
    auto changed = r.Bits(1);
    if (!changed) return std::nullopt;
    if (*changed) {
      auto fresh = r.Bits(1);
      if (!fresh) return std::nullopt;
      if (*fresh) {
        auto l = r.Bits(5), sig = r.Bits(6);
        if (!l || !sig) return std::nullopt;
        leading = static_cast<int>(*l);
        int s = *sig == 0 ? 64 : static_cast<int>(*sig);
        trailing = 64 - leading - s;
      }
      auto x = r.Bits(64 - leading - trailing);
      if (!x) return std::nullopt;
      v ^= *x << trailing;
    }
    out.push_back({static_cast<int64_t>(t), std::bit_cast<double>(v)});
  }
  return out;
}

}  // namespace tidemark::ingest::testing
