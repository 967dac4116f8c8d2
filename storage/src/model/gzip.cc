// Bounded gzip/zlib inflation (see gzip.h).
#include "tidemark/storage/model/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>

namespace tidemark {

Status GzipDecompress(std::string_view in, size_t limit, std::string* out) {
  out->clear();
  z_stream zs{};
  // 15 + 32: accept both gzip and zlib headers.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::Internal("gzip: inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  size_t produced = 0;
  int rc = Z_OK;
  while (true) {
    if (produced == out->size()) {
      if (produced >= limit) {
        // Probe whether any output remains; if so the body is too large.
        char probe;
        zs.next_out = reinterpret_cast<Bytef*>(&probe);
        zs.avail_out = 1;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END && zs.avail_out == 1) break;
        inflateEnd(&zs);
        out->clear();
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
          return Status::InvalidArgument("gzip: corrupt stream");
        }
        return Status::ResourceExhausted("gzip: decompressed size exceeds limit of " +
                                         std::to_string(limit) + " bytes");
      }
      size_t grow = std::max<size_t>(std::min<size_t>(in.size() * 4, 1 << 20), 4096);
      out->resize(std::min(limit, produced + std::max(grow, produced)));
    }
    zs.next_out = reinterpret_cast<Bytef*>(out->data() + produced);
    zs.avail_out = static_cast<uInt>(std::min<size_t>(out->size() - produced, UINT32_MAX));
    size_t before = zs.avail_out;
    rc = inflate(&zs, Z_NO_FLUSH);
    produced += before - zs.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      inflateEnd(&zs);
      out->clear();
      return Status::InvalidArgument("gzip: truncated stream");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      inflateEnd(&zs);
      out->clear();
      return Status::InvalidArgument(std::string("gzip: corrupt stream: ") +
                                     (zs.msg ? zs.msg : "inflate error"));
    }
  }
  inflateEnd(&zs);
  out->resize(produced);
  return Status::OK();
}

}  // namespace tidemark
