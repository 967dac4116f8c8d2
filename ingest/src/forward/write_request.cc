// prometheus.WriteRequest (remote-write 1.0): TimeSeries = 1 { Label labels = 1 {name = 1,
// value = 2}; Sample samples = 2 {double value = 1; int64 timestamp = 2} }.
#include "forward/write_request.h"

#include <snappy.h>

#include <unordered_map>

#include "tidemark/ingest/protowire_writer.h"

namespace tidemark::ingest::forward {

void EncodeWriteRequest(const std::vector<OutSample>& samples, std::string* out) {
  std::unordered_map<const Labels*, std::vector<size_t>> by_series;
  std::vector<const Labels*> order;
  for (size_t i = 0; i < samples.size(); ++i) {
    auto [it, inserted] = by_series.try_emplace(samples[i].labels);
    if (inserted) order.push_back(samples[i].labels);
    it->second.push_back(i);
  }
  std::string raw, ts, item;
  for (const Labels* l : order) {
    ts.clear();
    for (const Label& lb : l->items()) {
      item.clear();
      AppendLenField(&item, 1, lb.name);
      AppendLenField(&item, 2, lb.value);
      AppendLenField(&ts, 1, item);
    }
    for (size_t i : by_series[l]) {
      item.clear();
      AppendDoubleField(&item, 1, samples[i].v);
      AppendVarintField(&item, 2, static_cast<uint64_t>(samples[i].t));
      AppendLenField(&ts, 2, item);
    }
    AppendLenField(&raw, 1, ts);
  }
  out->clear();
  snappy::Compress(raw.data(), raw.size(), out);
}

}  // namespace tidemark::ingest::forward
