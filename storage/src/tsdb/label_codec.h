// Compact byte encoding of a label set: the persisted series value and the in-memory identity.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "tidemark/storage/appender.h"
#include "tidemark/storage/model/labels.h"

namespace tidemark::tsdb {

// varint count | (varint name length, name, varint value length, value)*, labels sorted.
void EncodeLabels(const Labels& labels, std::string* out);
Result<Labels> DecodeLabels(std::string_view in);
// True if `enc` encodes exactly `labels`; allocation-free (the append hot path uses it).
bool EncodedLabelsEqual(std::string_view enc, const Labels& labels);
// True if `enc` encodes exactly these pairs in this order (so they are a valid, sorted set).
bool EncodedLabelsEqual(std::string_view enc, std::span<const LabelPairView> labels);
// Calls fn(name, value) for every pair of an encoding; false on a malformed encoding.
template <typename Fn>
bool ForEachEncodedLabel(std::string_view enc, Fn&& fn);

}  // namespace tidemark::tsdb

#include "tsdb/keys.h"

namespace tidemark::tsdb {

template <typename Fn>
bool ForEachEncodedLabel(std::string_view enc, Fn&& fn) {
  uint64_t n = 0;
  if (!ReadUvarint(&enc, &n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t ln = 0, lv = 0;
    if (!ReadUvarint(&enc, &ln) || ln > enc.size()) return false;
    std::string_view name = enc.substr(0, ln);
    enc.remove_prefix(ln);
    if (!ReadUvarint(&enc, &lv) || lv > enc.size()) return false;
    std::string_view value = enc.substr(0, lv);
    enc.remove_prefix(lv);
    fn(name, value);
  }
  return enc.empty();
}

}  // namespace tidemark::tsdb
