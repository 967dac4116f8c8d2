// Bounded snappy decompression (see compression.h).
#include "compression.h"

#include <snappy.h>

#include <algorithm>

namespace tidemark::ingest {

Status SnappyDecompress(std::string_view in, size_t limit, std::string* out) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(in.data(), in.size(), &n)) {
    return Status::InvalidArgument("snappy: corrupt block header");
  }
  if (n > limit) {
    return Status::ResourceExhausted("snappy: decompressed size " + std::to_string(n) +
                                     " bytes exceeds limit of " + std::to_string(limit));
  }
  // A valid snappy block expands at most ~6x per input byte run; a header claiming far more than
  // the input could ever produce is rejected before allocating.
  if (n / 64 > in.size() + 64) return Status::InvalidArgument("snappy: corrupt block (claimed length)");
  out->resize(n);
  if (!snappy::RawUncompress(in.data(), in.size(), out->data())) {
    out->clear();
    return Status::InvalidArgument("snappy: corrupt block");
  }
  return Status::OK();
}

}  // namespace tidemark::ingest
