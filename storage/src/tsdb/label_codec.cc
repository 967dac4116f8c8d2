// Label set encoding (see label_codec.h and docs/format/keys.md).
#include "tsdb/label_codec.h"

namespace tidemark::tsdb {

void EncodeLabels(const Labels& labels, std::string* out) {
  PutVarint64(out, labels.size());
  for (const auto& l : labels) {
    PutVarint64(out, l.name.size());
    out->append(l.name);
    PutVarint64(out, l.value.size());
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

bool EncodedLabelsEqual(std::string_view enc, const Labels& labels) {
  uint64_t n = 0;
  if (!GetVarint64(&enc, &n) || n != labels.size()) return false;
  for (const auto& l : labels) {
    uint64_t len = 0;
    if (!GetVarint64(&enc, &len) || len != l.name.size() || enc.substr(0, len) != l.name) {
      return false;
    }
    enc.remove_prefix(len);
    if (!GetVarint64(&enc, &len) || len != l.value.size() || enc.substr(0, len) != l.value) {
      return false;
    }
    enc.remove_prefix(len);
  }
  return enc.empty();
}

}  // namespace tidemark::tsdb
