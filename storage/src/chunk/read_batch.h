// The per-sample loop behind the ReadBatch defaults of ChunkIterator and SeriesIterator; a
// final iterator class instantiates it on itself so its Next()/At() calls are not virtual.
#pragma once

#include <cstddef>

#include "tidemark/storage/model/sample.h"

namespace tidemark::chunk {

template <class It>
size_t ReadBatchLoop(It& it, Timestamp maxt, Sample* out, size_t n, ValueType* vt) {
  size_t k = 0;
  while (k < n) {
    const Sample s = it.At();
    if (s.t > maxt) break;
    out[k++] = s;
    *vt = it.Next();
    if (*vt == ValueType::kNone) break;
  }
  return k;
}

}  // namespace tidemark::chunk
