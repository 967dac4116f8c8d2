// Reads one series' persisted chunks over a time range from the chunks column family.
#pragma once

#include <string>
#include <vector>

#include <rocksdb/iterator.h>

#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::tsdb {

struct StoredChunk {
  Timestamp mint = 0;
  Timestamp maxt = 0;
  uint8_t encoding = 0;
  std::string bytes;
  std::string key;  // the chunks-CF key (filled only when asked for)
};

// Appends the chunks of `ref` that overlap [mint, maxt] to `out`, in key order (partition, max
// time, id). `partitions` lists the partitions to look in (PartitionsFor). `it` is an iterator
// over the chunks column family, reused across calls to avoid per-series setup.
Status ReadSeriesChunks(rocksdb::Iterator* it, const std::vector<int64_t>& partitions,
                        SeriesRef ref, Timestamp mint, Timestamp maxt,
                        std::vector<StoredChunk>* out, bool with_keys = false);

}  // namespace tidemark::tsdb
