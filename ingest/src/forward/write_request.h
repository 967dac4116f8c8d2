// Encodes the body a shard of the sender posts: a remote-write 1.0 prometheus.WriteRequest or a
// 2.0 io.prometheus.write.v2.Request (symbols table, label references), snappy-compressed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/sample.h"

namespace tidemark::ingest::forward {

struct OutSample {
  const Labels* labels;  // series identity; samples of one series keep their order
  Timestamp t;
  double v;
};

enum class WireVersion { kV1, kV2 };

// One per shard: keeps its scratch buffers between batches, so a steady stream of batches
// allocates nothing once they have grown.
class WriteRequestEncoder {
 public:
  // Replaces `*out` with the snappy block of a request holding `samples`, one TimeSeries per
  // distinct series in first-seen order, samples in their order. 2.0 carries no metadata.
  void Encode(const std::vector<OutSample>& samples, WireVersion version, std::string* out);

 private:
  // Fills series_ (first-seen order) and by_series_ (sample indexes grouped by series, each
  // group in sample order, groups in series order; group i ends at group_end_[i]).
  void Group(const std::vector<OutSample>& samples);
  void EncodeV1(const std::vector<OutSample>& samples);
  void EncodeV2(const std::vector<OutSample>& samples);
  uint32_t Symbol(std::string_view s);

  std::unordered_map<const Labels*, uint32_t> index_;
  std::vector<const Labels*> series_;
  std::vector<uint32_t> series_of_, group_end_, by_series_;
  std::unordered_map<std::string_view, uint32_t> symbol_index_;
  std::vector<std::string_view> symbols_;
  std::vector<uint32_t> refs_;
  std::string raw_, series_buf_;
};

}  // namespace tidemark::ingest::forward
