// BatchFile: the on-disk list of pre-encoded remote-write bodies that `tm_e2e_load send` replays.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::e2e {

// One request body. Batches of one shard are sent in file order by one sender (so each series
// stays in time order, as with Prometheus' sharded queue); all senders finish window w before any
// starts window w+1 (bounds how far shards drift apart in data time).
struct Batch {
  uint32_t shard = 0;
  uint32_t window = 0;
  uint32_t num_samples = 0;
  std::string_view body;  // snappy-compressed WriteRequest
};

struct BatchFileHeader {
  uint32_t num_shards = 0;
  uint32_t num_windows = 0;
  int64_t num_series = 0;
  int64_t num_samples = 0;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
};

// Writes a batch file: a fixed header (rewritten on Close) then length-prefixed records.
class BatchFileWriter {
 public:
  BatchFileWriter() = default;
  BatchFileWriter(const BatchFileWriter&) = delete;
  BatchFileWriter& operator=(const BatchFileWriter&) = delete;
  ~BatchFileWriter();

  bool Open(const std::string& path, std::string* error);
  bool Append(uint32_t shard, uint32_t window, uint32_t num_samples, std::string_view body);
  bool Close(const BatchFileHeader& header, std::string* error);
  int64_t bytes_written() const { return bytes_; }
  int64_t num_batches() const { return batches_; }

 private:
  std::FILE* f_ = nullptr;
  int64_t bytes_ = 0;
  int64_t batches_ = 0;
};

// Loads a whole batch file into memory (bodies point into `data`).
struct LoadedBatchFile {
  BatchFileHeader header;
  std::string data;
  std::vector<Batch> batches;
};
bool LoadBatchFile(const std::string& path, LoadedBatchFile* out, std::string* error);

}  // namespace tidemark::e2e
