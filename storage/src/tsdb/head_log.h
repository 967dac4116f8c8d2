// Codec for head-log records: all samples of one commit, one RocksDB value (docs/format/keys.md).
#pragma once

#include <string>
#include <string_view>

#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::tsdb {

struct LoggedSample {
  SeriesRef ref = 0;
  Timestamp t = 0;
  double v = 0;
};

// Appends one encoded record to `out` (cleared first). Layout: varint count, then per sample
// varint ref | zigzag varint (t - previous t in the record, starting at 0) | 8-byte LE float bits.
void EncodeHeadLogRecord(const LoggedSample* samples, size_t n, std::string* out);

// Decodes a record, calling fn(const LoggedSample&) in order. Corruption on malformed input.
template <typename Fn>
Status DecodeHeadLogRecord(std::string_view in, Fn&& fn);

}  // namespace tidemark::tsdb

#include <bit>

#include "tsdb/keys.h"

namespace tidemark::tsdb {

template <typename Fn>
Status DecodeHeadLogRecord(std::string_view in, Fn&& fn) {
  uint64_t n = 0;
  if (!ReadUvarint(&in, &n)) return Status::Corruption("head log record: bad count");
  Timestamp prev = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t ref = 0, dt = 0;
    if (!ReadUvarint(&in, &ref) || !ReadUvarint(&in, &dt) || in.size() < 8) {
      return Status::Corruption("head log record: truncated sample");
    }
    uint64_t bits = 0;
    for (int b = 7; b >= 0; --b) bits = (bits << 8) | static_cast<uint8_t>(in[b]);
    in.remove_prefix(8);
    // Unsigned arithmetic: deltas between arbitrary int64 timestamps must not overflow.
    Timestamp t = static_cast<Timestamp>(static_cast<uint64_t>(prev) +
                                         static_cast<uint64_t>(UnZigZag(dt)));
    LoggedSample s{ref, t, std::bit_cast<double>(bits)};
    prev = s.t;
    fn(s);
  }
  if (!in.empty()) return Status::Corruption("head log record: trailing bytes");
  return Status::OK();
}

}  // namespace tidemark::tsdb
