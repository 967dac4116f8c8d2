// Encodes one remote-write 1.0 request (prometheus.WriteRequest, snappy-compressed): the body a
// shard of the sender posts.
#pragma once

#include <string>
#include <vector>

#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/sample.h"

namespace tidemark::ingest::forward {

struct OutSample {
  const Labels* labels;  // series identity; samples of one series keep their order
  Timestamp t;
  double v;
};

// Appends to `out` (cleared first) the snappy block of a WriteRequest holding `samples`, one
// TimeSeries per distinct series in first-seen order.
void EncodeWriteRequest(const std::vector<OutSample>& samples, std::string* out);

}  // namespace tidemark::ingest::forward
