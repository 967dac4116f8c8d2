// gzip (RFC 1952) compression for responses and decompression of request bodies, via zlib.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tidemark/storage/model/status.h"

namespace tidemark::http {

std::string GzipCompress(std::string_view in);
// ResourceExhausted when the output would exceed `max_out`; InvalidArgument for corrupt input.
Result<std::string> GzipDecompress(std::string_view in, size_t max_out);
// True when an Accept-Encoding header value allows gzip.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace tidemark::http
