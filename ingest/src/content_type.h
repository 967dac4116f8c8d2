// Parsing of Content-Type / Content-Encoding header values (media type plus parameters).
#pragma once

#include <string>
#include <string_view>

namespace tidemark::ingest {

struct MediaType {
  std::string type;   // lowercased, e.g. "application/x-protobuf"; empty when header absent
  std::string proto;  // value of the `proto` parameter, as sent
};

MediaType ParseMediaType(std::string_view header);
// Lowercased, trimmed; "" for absent.
std::string NormalizeToken(std::string_view v);

}  // namespace tidemark::ingest
