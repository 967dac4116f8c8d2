// Persisted chunk range scans: one Seek per (partition, series), then a contiguous run of keys.
#include "tsdb/chunk_reader.h"

#include "tsdb/keys.h"

namespace tidemark::tsdb {

Status ReadSeriesChunks(rocksdb::Iterator* it, const std::vector<int64_t>& partitions,
                        SeriesRef ref, Timestamp mint, Timestamp maxt,
                        std::vector<StoredChunk>* out, bool with_keys) {
  std::string seek;
  for (int64_t p : partitions) {
    seek = ChunkSeriesPrefix(p, ref);
    const size_t prefix_len = seek.size();
    PutBE64(&seek, FlipSign(mint));  // first chunk whose max time is >= mint
    for (it->Seek(seek); it->Valid(); it->Next()) {
      rocksdb::Slice k = it->key();
      if (k.size() < prefix_len || std::string_view(k.data(), prefix_len) !=
                                       std::string_view(seek.data(), prefix_len)) {
        break;
      }
      ChunkKey ck;
      if (!DecodeChunkKey(std::string_view(k.data(), k.size()), &ck)) {
        return Status::Corruption("malformed chunk key");
      }
      // Chunks span at most kMaxStoredSpanMs, so past this no chunk can start before maxt.
      if (ck.maxt > maxt &&
          static_cast<uint64_t>(ck.maxt) - static_cast<uint64_t>(maxt) > kMaxStoredSpanMs) {
        break;
      }
      uint8_t enc = 0;
      Timestamp cmint = 0;
      std::string_view bytes;
      rocksdb::Slice v = it->value();
      if (!DecodeChunkValue(std::string_view(v.data(), v.size()), &enc, &cmint, &bytes)) {
        return Status::Corruption("malformed chunk value for series " + std::to_string(ref));
      }
      if (cmint > maxt) continue;
      out->push_back(StoredChunk{cmint, ck.maxt, enc, std::string(bytes),
                                 with_keys ? std::string(k.data(), k.size()) : std::string()});
    }
    if (!it->status().ok()) return Status::Unavailable("chunk scan: " + it->status().ToString());
  }
  return Status::OK();
}

}  // namespace tidemark::tsdb
