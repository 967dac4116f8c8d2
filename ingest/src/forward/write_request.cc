// The sender's request bodies. 1.0: WriteRequest { TimeSeries timeseries = 1 { Label labels = 1
// {name = 1, value = 2}; Sample samples = 2 {double value = 1; int64 timestamp = 2} } }.
// 2.0: Request { string symbols = 4 (symbols[0] = ""); TimeSeries timeseries = 5 { packed
// uint32 labels_refs = 1 (name, value pairs); Sample samples = 2 } }. Every message is written in
// place after computing its size, so nothing is encoded twice or copied between buffers.
#include "forward/write_request.h"

#include <snappy.h>

#include "tidemark/ingest/protowire_writer.h"

namespace tidemark::ingest::forward {

namespace {

size_t SampleSize(const OutSample& s) {
  return 9 + 1 + UvarintSize(static_cast<uint64_t>(s.t));
}

void AppendSample(std::string* out, const OutSample& s) {
  AppendLenPrefix(out, 2, SampleSize(s));
  AppendDoubleField(out, 1, s.v);
  AppendVarintField(out, 2, static_cast<uint64_t>(s.t));
}

}  // namespace

void WriteRequestEncoder::Group(const std::vector<OutSample>& samples) {
  index_.clear();
  series_.clear();
  series_of_.resize(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    auto [it, inserted] = index_.try_emplace(samples[i].labels, static_cast<uint32_t>(series_.size()));
    if (inserted) series_.push_back(samples[i].labels);
    series_of_[i] = it->second;
  }
  // A counting sort by series keeps each series' samples in order without a vector per series.
  group_end_.assign(series_.size(), 0);
  for (uint32_t s : series_of_) ++group_end_[s];
  uint32_t sum = 0;
  for (uint32_t& e : group_end_) {
    sum += e;
    e = sum - e;  // start of the group, for now
  }
  by_series_.resize(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) by_series_[group_end_[series_of_[i]]++] = static_cast<uint32_t>(i);
}

void WriteRequestEncoder::EncodeV1(const std::vector<OutSample>& samples) {
  size_t begin = 0;
  for (size_t s = 0; s < series_.size(); ++s) {
    size_t len = 0;
    for (const Label& l : series_[s]->items()) {
      len += LenFieldSize(1, LenFieldSize(1, l.name.size()) + LenFieldSize(2, l.value.size()));
    }
    for (size_t k = begin; k < group_end_[s]; ++k) len += LenFieldSize(2, SampleSize(samples[by_series_[k]]));
    AppendLenPrefix(&raw_, 1, len);
    for (const Label& l : series_[s]->items()) {
      AppendLenPrefix(&raw_, 1, LenFieldSize(1, l.name.size()) + LenFieldSize(2, l.value.size()));
      AppendLenField(&raw_, 1, l.name);
      AppendLenField(&raw_, 2, l.value);
    }
    for (size_t k = begin; k < group_end_[s]; ++k) AppendSample(&raw_, samples[by_series_[k]]);
    begin = group_end_[s];
  }
}

uint32_t WriteRequestEncoder::Symbol(std::string_view s) {
  auto [it, inserted] = symbol_index_.try_emplace(s, static_cast<uint32_t>(symbols_.size()));
  if (inserted) symbols_.push_back(s);
  return it->second;
}

void WriteRequestEncoder::EncodeV2(const std::vector<OutSample>& samples) {
  symbol_index_.clear();
  symbols_.clear();
  Symbol("");  // the spec requires symbols[0] to be the empty string
  series_buf_.clear();
  size_t begin = 0;
  for (size_t s = 0; s < series_.size(); ++s) {
    refs_.clear();
    size_t refs_len = 0;
    for (const Label& l : series_[s]->items()) {
      for (std::string_view part : {std::string_view(l.name), std::string_view(l.value)}) {
        refs_.push_back(Symbol(part));
        refs_len += UvarintSize(refs_.back());
      }
    }
    size_t len = LenFieldSize(1, refs_len);
    for (size_t k = begin; k < group_end_[s]; ++k) len += LenFieldSize(2, SampleSize(samples[by_series_[k]]));
    AppendLenPrefix(&series_buf_, 5, len);
    AppendLenPrefix(&series_buf_, 1, refs_len);
    for (uint32_t r : refs_) AppendUvarint(&series_buf_, r);
    for (size_t k = begin; k < group_end_[s]; ++k) AppendSample(&series_buf_, samples[by_series_[k]]);
    begin = group_end_[s];
  }
  for (std::string_view sym : symbols_) AppendLenField(&raw_, 4, sym);
  raw_.append(series_buf_);
}

void WriteRequestEncoder::Encode(const std::vector<OutSample>& samples, WireVersion version, std::string* out) {
  Group(samples);
  raw_.clear();
  if (version == WireVersion::kV1) {
    EncodeV1(samples);
  } else {
    EncodeV2(samples);
  }
  out->clear();
  snappy::Compress(raw_.data(), raw_.size(), out);
}

}  // namespace tidemark::ingest::forward
