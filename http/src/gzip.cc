// zlib-based gzip codec.
#include "tidemark/http/gzip.h"

#include <zlib.h>

#include <cctype>

namespace tidemark::http {

std::string GzipCompress(std::string_view in) {
  z_stream zs{};
  // 15 + 16: gzip wrapper. Level 1: responses are big JSON; speed matters more than ratio.
  if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

bool AcceptsGzip(std::string_view ae) {
  // Tokens separated by commas, optional ";q=0" disables.
  while (!ae.empty()) {
    size_t comma = ae.find(',');
    std::string_view tok = ae.substr(0, comma);
    ae = comma == std::string_view::npos ? std::string_view() : ae.substr(comma + 1);
    while (!tok.empty() && tok.front() == ' ') tok.remove_prefix(1);
    size_t semi = tok.find(';');
    std::string_view coding = tok.substr(0, semi);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (coding != "gzip" && coding != "*") continue;
    if (semi != std::string_view::npos) {
      std::string_view q = tok.substr(semi + 1);
      size_t p = q.find("q=");
      if (p != std::string_view::npos) {
        std::string_view num = q.substr(p + 2);
        bool all_zero = true;
        for (char c : num) {
          if (c != '0' && c != '.' && c != ' ') all_zero = false;
        }
        if (all_zero) continue;
      }
    }
    return true;
  }
  return false;
}

}  // namespace tidemark::http
