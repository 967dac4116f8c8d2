// Sample iteration over one series' persisted chunks, head chunk and out-of-order buffer.
#pragma once

#include <memory>
#include <vector>

#include "tidemark/storage/chunk/chunk.h"
#include "tidemark/storage/querier.h"
#include "tsdb/chunk_reader.h"

namespace tidemark::tsdb {

// Everything a query read for one series; shared by the Series and its iterators so an
// iterator stays valid after the SeriesSet moves on.
struct LoadedSeries {
  Labels labels;
  std::vector<StoredChunk> chunks;  // persisted (key order), then the head's open chunk
  std::vector<Sample> ooo;          // head out-of-order samples, sorted
};

// Sorts samples gathered from several sources by time and keeps the first of each timestamp
// (stable: sources appended in priority order win). The merge queries and compaction share.
void MergeByTime(std::vector<Sample>* samples);

// Yields samples in [mint, maxt], increasing, unique. Chunks that neither overlap each other nor
// have out-of-order companions are streamed one after another (the common case); otherwise all
// samples are decoded, sorted and de-duplicated (the first source wins: persisted before head).
// Cache-line aligned: a query creates the iterators of neighbouring series one after another and
// advances them on different threads, where shared lines made every sample's write contend.
class alignas(64) LoadedSeriesIterator final : public SeriesIterator {
 public:
  LoadedSeriesIterator(std::shared_ptr<const LoadedSeries> data, Timestamp mint, Timestamp maxt);
  ValueType Next() override;
  ValueType Seek(Timestamp t) override;
  Sample At() const override { return cur_; }
  Status status() const override { return status_; }
  size_t ReadBatch(Timestamp maxt, Sample* out, size_t n, ValueType* vt) override;

 private:
  ValueType Advance(bool seek, Timestamp t);
  bool OpenChunk(size_t i);
  void Materialize();

  std::shared_ptr<const LoadedSeries> data_;
  Timestamp mint_, maxt_;
  bool materialized_ = false;
  std::vector<Sample> merged_;
  size_t mi_ = 0;  // next index into merged_
  size_t ci_ = 0;  // current chunk
  std::unique_ptr<chunk::Chunk> chunk_;
  std::unique_ptr<chunk::ChunkIterator> cit_;
  Sample cur_;
  bool started_ = false;
  bool done_ = false;
  Status status_;
};

class LoadedSeriesView final : public Series {
 public:
  LoadedSeriesView(std::shared_ptr<const LoadedSeries> data, Timestamp mint, Timestamp maxt)
      : data_(std::move(data)), mint_(mint), maxt_(maxt) {}
  const Labels& labels() const override { return data_->labels; }
  std::unique_ptr<SeriesIterator> Iterator(std::unique_ptr<SeriesIterator>) const override {
    return std::make_unique<LoadedSeriesIterator>(data_, mint_, maxt_);
  }

 private:
  std::shared_ptr<const LoadedSeries> data_;
  Timestamp mint_, maxt_;
};

}  // namespace tidemark::tsdb
