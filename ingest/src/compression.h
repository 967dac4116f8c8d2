// Bounded snappy (block format) and gzip/zlib decompression for request bodies.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tidemark/storage/model/status.h"

namespace tidemark::ingest {

// Decompresses a snappy block into *out (reused across calls). The uncompressed length from the
// snappy header is checked against `limit` before anything is allocated.
// Errors: ResourceExhausted (too large), InvalidArgument (corrupt).
Status SnappyDecompress(std::string_view in, size_t limit, std::string* out);

// Inflates a gzip or zlib stream into *out, growing the buffer as data arrives (the gzip trailer's
// claimed size is never trusted). Errors: ResourceExhausted past `limit`, InvalidArgument if corrupt
// or truncated.
Status GzipDecompress(std::string_view in, size_t limit, std::string* out);

}  // namespace tidemark::ingest
