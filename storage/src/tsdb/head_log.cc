// Head-log record encoding, version 2 (decoding of both versions is a template in head_log.h).
#include "tsdb/head_log.h"

namespace tidemark::tsdb {

void EncodeHeadLogRecord(const LoggedSample* samples, size_t n, std::string* out) {
  out->clear();
  out->push_back(headlog::kV2Marker);
  AppendUvarint(out, n);
  SeriesRef prev_ref = 0;
  Timestamp prev_t = 0;
  for (size_t i = 0; i < n; ++i) {
    const LoggedSample& s = samples[i];
    AppendUvarint(out, ZigZag(static_cast<int64_t>(s.ref - prev_ref)));
    prev_ref = s.ref;
    int64_t m = 0;
    const int k = chunk::DecimalExponent(s.v, chunk::kMaxDecimalExponent, &m);
    uint8_t tag = k < 0 ? headlog::kRawValue : static_cast<uint8_t>(k);
    if (s.t == prev_t) tag |= headlog::kSameTime;
    out->push_back(static_cast<char>(tag));
    if (s.t != prev_t) {
      AppendUvarint(out, ZigZag(static_cast<int64_t>(static_cast<uint64_t>(s.t) -
                                                  static_cast<uint64_t>(prev_t))));
      prev_t = s.t;
    }
    if (k >= 0) {
      AppendUvarint(out, ZigZag(m));
    } else {
      uint64_t bits = std::bit_cast<uint64_t>(s.v);
      char buf[8];
      for (int b = 0; b < 8; ++b) {
        buf[b] = static_cast<char>(bits & 0xff);
        bits >>= 8;
      }
      out->append(buf, 8);
    }
  }
}

}  // namespace tidemark::tsdb
