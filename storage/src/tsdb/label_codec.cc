// Label set encoding (see label_codec.h and docs/format/keys.md).
#include "tsdb/label_codec.h"

#include <cstring>

namespace tidemark::tsdb {

void EncodeLabels(const Labels& labels, std::string* out) {
  AppendUvarint(out, labels.size());
  for (const auto& l : labels) {
    AppendUvarint(out, l.name.size());
    out->append(l.name);
    AppendUvarint(out, l.value.size());
    out->append(l.value);
  }
}

Result<Labels> DecodeLabels(std::string_view in) {
  std::vector<Label> v;
  bool ok = ForEachEncodedLabel(in, [&](std::string_view n, std::string_view val) {
    v.push_back({std::string(n), std::string(val)});
  });
  if (!ok) return Status::Corruption("malformed encoded label set");
  return Labels(std::move(v));
}

namespace {

// One byte-length prefix covers nearly every name and value: compare it inline, fall back to the
// general varint otherwise.
inline bool TakeEqual(std::string_view* enc, std::string_view want) {
  uint64_t len = 0;
  if (!enc->empty() && static_cast<uint8_t>((*enc)[0]) < 0x80) {
    len = static_cast<uint8_t>((*enc)[0]);
    enc->remove_prefix(1);
  } else if (!ReadUvarint(enc, &len)) {
    return false;
  }
  if (len != want.size() || enc->size() < len ||
      (len != 0 && std::memcmp(enc->data(), want.data(), len) != 0)) {
    return false;
  }
  enc->remove_prefix(len);
  return true;
}

template <typename Range>
bool EqualPairs(std::string_view enc, const Range& labels) {
  uint64_t n = 0;
  if (!ReadUvarint(&enc, &n) || n != labels.size()) return false;
  for (const auto& l : labels) {
    if (!TakeEqual(&enc, l.name) || !TakeEqual(&enc, l.value)) return false;
  }
  return enc.empty();
}

}  // namespace

bool EncodedLabelsEqual(std::string_view enc, std::span<const LabelPairView> labels) {
  return EqualPairs(enc, labels);
}

bool EncodedLabelsEqual(std::string_view enc, const Labels& labels) {
  return EqualPairs(enc, labels);
}

}  // namespace tidemark::tsdb
