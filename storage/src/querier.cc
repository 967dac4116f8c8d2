// MaterializeSeriesSet: reads a whole SeriesSet into memory (tests and small results); the
// default bulk read of SeriesIterator.
#include "tidemark/storage/querier.h"

#include "chunk/read_batch.h"

namespace tidemark {

size_t SeriesIterator::ReadBatch(Timestamp maxt, Sample* out, size_t n, ValueType* vt) {
  return chunk::ReadBatchLoop(*this, maxt, out, n, vt);
}

Result<std::vector<SeriesData>> MaterializeSeriesSet(SeriesSet& set) {
  std::vector<SeriesData> out;
  std::unique_ptr<SeriesIterator> it;
  while (set.Next()) {
    const Series& s = set.At();
    SeriesData d{s.labels(), {}};
    it = s.Iterator(std::move(it));
    while (it->Next() != ValueType::kNone) d.samples.push_back(it->At());
    TM_RETURN_IF_ERROR(it->status());
    out.push_back(std::move(d));
  }
  TM_RETURN_IF_ERROR(set.status());
  return out;
}

}  // namespace tidemark
