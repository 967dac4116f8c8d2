// Prometheus' tsdb/chunkenc XOR chunk encoding, as remote read's STREAMED_XOR_CHUNKS carries it.
// Our own head chunks differ in their timestamp codes (docs/format/chunks.md), so the stream
// re-encodes samples in Prometheus' layout rather than shipping stored chunk bytes.
#pragma once

#include <span>
#include <string>

#include "tidemark/storage/model/sample.h"

namespace tidemark::ingest {

// Encodes `samples` (increasing timestamps; at most 65535) as a Prometheus XOR chunk: a
// big-endian uint16 count, then a bit stream (first timestamp as a zigzag varint, the second as
// an unsigned varint delta, later ones as delta-of-delta codes of 14/17/20/64 bits; values
// XOR-coded against their predecessor).
std::string EncodePrometheusXor(std::span<const Sample> samples);

}  // namespace tidemark::ingest
