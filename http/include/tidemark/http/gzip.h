// gzip (RFC 1952) compression for responses, via zlib (request bodies: storage/model/gzip.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tidemark/storage/model/status.h"

namespace tidemark::http {

std::string GzipCompress(std::string_view in);
// True when an Accept-Encoding header value allows gzip.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace tidemark::http
