// Content-Type parsing (see content_type.h).
#include "content_type.h"

#include <cctype>

namespace tidemark::ingest {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string NormalizeToken(std::string_view v) {
  std::string out(Trim(v));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

MediaType ParseMediaType(std::string_view header) {
  MediaType mt;
  size_t semi = header.find(';');
  mt.type = NormalizeToken(header.substr(0, semi));
  while (semi != std::string_view::npos) {
    header.remove_prefix(semi + 1);
    semi = header.find(';');
    std::string_view param = Trim(header.substr(0, semi));
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    if (NormalizeToken(param.substr(0, eq)) == "proto") {
      std::string_view v = Trim(param.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      mt.proto = std::string(v);
    }
  }
  return mt;
}

}  // namespace tidemark::ingest
