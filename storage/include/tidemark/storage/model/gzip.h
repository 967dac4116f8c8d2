// Bounded gzip/zlib decompression of request bodies (remote write, OTLP, any HTTP body).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tidemark/storage/model/status.h"

namespace tidemark {

// Inflates a gzip or zlib stream into *out (reused across calls), growing the buffer as data
// arrives: the gzip trailer's claimed size is never trusted. Exactly `limit` bytes are allowed.
// Errors: ResourceExhausted past `limit`, InvalidArgument if corrupt or truncated.
Status GzipDecompress(std::string_view in, size_t limit, std::string* out);

}  // namespace tidemark
