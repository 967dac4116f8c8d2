// Bounded snappy (block format) decompression for request bodies (gzip: storage/model/gzip.h).
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

}  // namespace tidemark::ingest
