// Head-log record encoding (decoding is a template in head_log.h).
#include "tsdb/head_log.h"

#include <bit>

namespace tidemark::tsdb {

void EncodeHeadLogRecord(const LoggedSample* samples, size_t n, std::string* out) {
  out->clear();
  AppendUvarint(out, n);
  Timestamp prev = 0;
  for (size_t i = 0; i < n; ++i) {
    const LoggedSample& s = samples[i];
    AppendUvarint(out, s.ref);
    AppendUvarint(out, ZigZag(static_cast<int64_t>(static_cast<uint64_t>(s.t) -
                                                static_cast<uint64_t>(prev))));
    prev = s.t;
    uint64_t bits = std::bit_cast<uint64_t>(s.v);
    char buf[8];
    for (int b = 0; b < 8; ++b) {
      buf[b] = static_cast<char>(bits & 0xff);
      bits >>= 8;
    }
    out->append(buf, 8);
  }
}

}  // namespace tidemark::tsdb
