// Remote-write 1.0 (prometheus.WriteRequest) and 2.0 (io.prometheus.write.v2.Request) decoders.
//
// Both decode straight from the (decompressed) body into views handed to a visitor, one series at
// a time, reusing the scratch vectors: no heap allocation per sample or per series once the
// scratch has grown to the largest series.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protowire.h"
#include "tidemark/storage/appender.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::ingest {

// A label in the request body: the storage's view type, so series go to the store unconverted.
using LabelView = LabelPairView;

// One decoded series; views point into the body and the scratch buffers (valid during the call).
struct SeriesView {
  std::span<const LabelView> labels;
  size_t dropped_labels = 0;  // labels beyond DecodeScratch::max_labels (counted, not kept)
  std::span<const SampleIn> samples;
  size_t exemplars = 0;
  size_t histograms = 0;
  // 2.0 only: per-series metadata (type 0 = unspecified).
  uint32_t metadata_type = 0;
  std::string_view help;
  std::string_view unit;
};

// 1.0 metadata entry (WriteRequest.metadata); type uses the shared enum numbering
// (0 unknown, 1 counter, 2 gauge, 3 histogram, 4 gaugehistogram, 5 summary, 6 info, 7 stateset).
struct MetadataView {
  uint32_t type = 0;
  std::string_view metric;
  std::string_view help;
  std::string_view unit;
};

// Memory bounds: decoded views are 16-32 bytes per 2-4 input bytes, so without caps a hostile
// body could expand ~10x in memory. Labels past max_labels are only counted (the series is then
// rejected by the label-count limit); more samples in one series or more symbols than the caps
// reject the request (413).
struct DecodeScratch {
  size_t max_labels = 64;
  size_t max_samples_per_series = 1 << 20;
  size_t max_symbols = 1 << 22;
  std::vector<LabelView> labels;
  std::vector<SampleIn> samples;
  std::vector<std::string_view> symbols;
};

// Prometheus' lowercase name for a metadata type number ("unknown" when out of range).
std::string_view MetricTypeName(uint32_t type);

namespace detail {

inline bool DecodeLabelV1(std::string_view msg, LabelView* out) {
  ProtoReader r(msg);
  while (r.Next()) {
    switch (r.field()) {
      case 1: r.Bytes(&out->name); break;
      case 2: r.Bytes(&out->value); break;
      default: r.Skip();
    }
  }
  return !r.error();
}

// Sample (both versions): 1 value double, 2 timestamp int64, 3 start_timestamp int64 (2.0).
inline bool DecodeSample(std::string_view msg, SampleIn* out) {
  ProtoReader r(msg);
  uint64_t u;
  while (r.Next()) {
    switch (r.field()) {
      case 1: r.Double(&out->v); break;
      case 2: if (r.Varint(&u)) out->t = static_cast<int64_t>(u); break;
      case 3: if (r.Varint(&u)) out->st = static_cast<int64_t>(u); break;
      default: r.Skip();
    }
  }
  return !r.error();
}

inline bool DecodeMetadataV1(std::string_view msg, MetadataView* out) {
  ProtoReader r(msg);
  uint64_t u;
  while (r.Next()) {
    switch (r.field()) {
      case 1: if (r.Varint(&u)) out->type = static_cast<uint32_t>(u); break;
      case 2: r.Bytes(&out->metric); break;
      case 4: r.Bytes(&out->help); break;
      case 5: r.Bytes(&out->unit); break;
      default: r.Skip();
    }
  }
  return !r.error();
}

inline Status TooManySamples(size_t index) {
  return Status::ResourceExhausted("timeseries[" + std::to_string(index) +
                                   "] has more samples than one request may carry per series");
}

}  // namespace detail

// Decodes a 1.0 WriteRequest. Visitor needs OnSeries(const SeriesView&) and
// OnMetadata(const MetadataView&). Returns InvalidArgument naming the first malformed element.
template <typename Visitor>
Status DecodeRemoteWriteV1(std::string_view body, DecodeScratch& scratch, Visitor& visitor) {
  ProtoReader req(body);
  size_t index = 0;
  while (req.Next()) {
    if (req.field() == 1) {  // TimeSeries
      std::string_view ts_msg;
      if (!req.Bytes(&ts_msg)) break;
      scratch.labels.clear();
      scratch.samples.clear();
      SeriesView series;
      ProtoReader ts(ts_msg);
      while (ts.Next()) {
        std::string_view m;
        switch (ts.field()) {
          case 1: {
            LabelView l;
            if (ts.Bytes(&m) && !detail::DecodeLabelV1(m, &l)) ts.Fail();
            if (scratch.labels.size() < scratch.max_labels) {
              scratch.labels.push_back(l);
            } else {
              ++series.dropped_labels;
            }
            break;
          }
          case 2:
            if (scratch.samples.size() >= scratch.max_samples_per_series) return detail::TooManySamples(index);
            if (ts.Bytes(&m) && !detail::DecodeSample(m, &scratch.samples.emplace_back())) ts.Fail();
            break;
          case 3: if (ts.Bytes(&m)) ++series.exemplars; break;
          case 4: if (ts.Bytes(&m)) ++series.histograms; break;
          default: ts.Skip();
        }
      }
      if (ts.error()) {
        return Status::InvalidArgument("malformed protobuf in timeseries[" + std::to_string(index) + "]");
      }
      for (SampleIn& s : scratch.samples) s.st = 0;  // 1.0 has no start timestamps
      series.labels = scratch.labels;
      series.samples = scratch.samples;
      visitor.OnSeries(series);
      ++index;
    } else if (req.field() == 3) {  // MetricMetadata
      std::string_view m;
      MetadataView md;
      if (req.Bytes(&m) && !detail::DecodeMetadataV1(m, &md)) {
        return Status::InvalidArgument("malformed protobuf in metadata");
      }
      if (!req.error()) visitor.OnMetadata(md);
    } else {
      req.Skip();
    }
  }
  if (req.error()) {
    return Status::InvalidArgument("malformed protobuf WriteRequest (after " + std::to_string(index) +
                                   " timeseries)");
  }
  return Status::OK();
}

// Decodes a 2.0 Request: symbols (field 4) may appear after the series that reference them, so
// the symbol table is collected in a first pass over the top-level fields.
template <typename Visitor>
Status DecodeRemoteWriteV2(std::string_view body, DecodeScratch& scratch, Visitor& visitor) {
  scratch.symbols.clear();
  {
    ProtoReader req(body);
    while (req.Next()) {
      if (req.field() == 4) {
        std::string_view s;
        if (req.Bytes(&s)) scratch.symbols.push_back(s);
        if (scratch.symbols.size() > scratch.max_symbols) {
          return Status::ResourceExhausted("more than " + std::to_string(scratch.max_symbols) + " symbols");
        }
      } else {
        req.Skip();
      }
    }
    if (req.error()) return Status::InvalidArgument("malformed protobuf Request");
  }
  const auto& symbols = scratch.symbols;
  if (!symbols.empty() && !symbols[0].empty()) {
    return Status::InvalidArgument("symbols[0] must be the empty string");
  }
  auto bad_ref = [&](size_t index, uint64_t ref) {
    return Status::InvalidArgument("timeseries[" + std::to_string(index) + "]: symbol reference " +
                                   std::to_string(ref) + " out of range (" +
                                   std::to_string(symbols.size()) + " symbols)");
  };
  ProtoReader req(body);
  size_t index = 0;
  while (req.Next()) {
    if (req.field() != 5) {
      req.Skip();
      continue;
    }
    std::string_view ts_msg;
    if (!req.Bytes(&ts_msg)) break;
    scratch.labels.clear();
    scratch.samples.clear();
    SeriesView series;
    int64_t created = 0;
    uint64_t bad = UINT64_MAX;
    size_t nrefs = 0;
    bool dropping = false;
    ProtoReader ts(ts_msg);
    while (ts.Next()) {
      std::string_view m;
      uint64_t u;
      switch (ts.field()) {
        case 1:
          ForEachVarint(ts, [&](uint64_t ref) {
            if (ref >= symbols.size()) {
              if (bad == UINT64_MAX) bad = ref;
              ref = 0;
            }
            bool keep = scratch.labels.size() < scratch.max_labels;
            if (nrefs++ % 2 == 0) {
              if (keep) {
                scratch.labels.push_back({symbols[ref], {}});
              } else {
                ++series.dropped_labels;
                dropping = true;
              }
            } else if (!dropping) {
              scratch.labels.back().value = symbols[ref];
            } else {
              dropping = false;
            }
          });
          break;
        case 2:
          if (scratch.samples.size() >= scratch.max_samples_per_series) return detail::TooManySamples(index);
          if (ts.Bytes(&m) && !detail::DecodeSample(m, &scratch.samples.emplace_back())) ts.Fail();
          break;
        case 3: if (ts.Bytes(&m)) ++series.histograms; break;
        case 4: if (ts.Bytes(&m)) ++series.exemplars; break;
        case 5: {
          if (!ts.Bytes(&m)) break;
          ProtoReader md(m);
          while (md.Next()) {
            uint64_t v = 0;
            switch (md.field()) {
              case 1: if (md.Varint(&v)) series.metadata_type = static_cast<uint32_t>(v); break;
              case 3:
              case 4:
                if (md.Varint(&v)) {
                  if (v >= symbols.size()) {
                    if (bad == UINT64_MAX) bad = v;
                    v = 0;
                  }
                  (md.field() == 3 ? series.help : series.unit) = symbols[v];
                }
                break;
              default: md.Skip();
            }
          }
          if (md.error()) ts.Fail();
          break;
        }
        case 6: if (ts.Varint(&u)) created = static_cast<int64_t>(u); break;
        default: ts.Skip();
      }
    }
    if (ts.error()) {
      return Status::InvalidArgument("malformed protobuf in timeseries[" + std::to_string(index) + "]");
    }
    if (bad != UINT64_MAX) return bad_ref(index, bad);
    if (nrefs % 2 != 0) {
      return Status::InvalidArgument("timeseries[" + std::to_string(index) +
                                     "]: odd number of label references");
    }
    if (created != 0) {
      for (SampleIn& s : scratch.samples) {
        if (s.st == 0) s.st = created;
      }
    }
    series.labels = scratch.labels;
    series.samples = scratch.samples;
    visitor.OnSeries(series);
    ++index;
  }
  if (req.error()) return Status::InvalidArgument("malformed protobuf Request");
  return Status::OK();
}

}  // namespace tidemark::ingest
