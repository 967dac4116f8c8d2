// libFuzzer target: the stored label-set encoding (series values in the database) from arbitrary
// bytes, as a corrupted or truncated data directory would hand it over. A set that decodes must
// re-encode to bytes that decode to it, and the allocation-free comparison used on the append
// path must agree with a plain decode of the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "tsdb/label_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidemark;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::pair<std::string, std::string>> pairs;
  const bool well_formed = tsdb::ForEachEncodedLabel(in, [&](std::string_view n, std::string_view v) {
    pairs.emplace_back(n, v);
  });
  auto labels = tsdb::DecodeLabels(in);
  if (labels.ok() != well_formed) abort();
  if (!labels.ok()) return 0;
  // Equal exactly when the bytes hold the decoded set's pairs, in its (sorted) order.
  std::vector<std::pair<std::string, std::string>> decoded;
  for (const auto& l : *labels) decoded.emplace_back(l.name, l.value);
  if (tsdb::EncodedLabelsEqual(in, *labels) != (pairs == decoded)) abort();
  std::string enc;
  tsdb::EncodeLabels(*labels, &enc);
  auto again = tsdb::DecodeLabels(enc);
  if (!again.ok() || !(*again == *labels) || !tsdb::EncodedLabelsEqual(enc, *labels)) abort();
  return 0;
}
