// Test-only request-body compression (snappy block format, gzip), the encodings senders use.
#pragma once

#include <string>
#include <string_view>

namespace tidemark::testing {

std::string Snappy(std::string_view raw);
// gzip (RFC 1952) at zlib's default level, as OpenTelemetry collectors send it.
std::string Gzip(std::string_view raw);

}  // namespace tidemark::testing
