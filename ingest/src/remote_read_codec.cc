// Remote-read request decoding and response encoding (see remote_read_codec.h).
#include "remote_read_codec.h"

#include <algorithm>

#include "prom_xor.h"
#include "protowire.h"
#include "tidemark/ingest/protowire_writer.h"
#include "tidemark/storage/chunk/chunk.h"
#include "tidemark/storage/chunk/crc32c.h"

namespace tidemark::ingest {

namespace {

Status Malformed(std::string_view what) {
  return Status::InvalidArgument("malformed protobuf ReadRequest: " + std::string(what));
}

bool ReadInt64(ProtoReader& r, int64_t* out) {
  uint64_t u = 0;
  if (!r.Varint(&u)) return false;
  *out = static_cast<int64_t>(u);
  return true;
}

Result<Matcher> DecodeMatcher(std::string_view msg, size_t query, size_t index) {
  ProtoReader r(msg);
  uint64_t type = 0;
  std::string_view name, value;
  while (r.Next()) {
    switch (r.field()) {
      case 1: r.Varint(&type); break;
      case 2: r.Bytes(&name); break;
      case 3: r.Bytes(&value); break;
      default: r.Skip();
    }
  }
  std::string where = "queries[" + std::to_string(query) + "].matchers[" + std::to_string(index) + "]";
  if (r.error()) return Malformed(where);
  static constexpr MatchType kTypes[] = {MatchType::kEqual, MatchType::kNotEqual,
                                         MatchType::kRegexMatch, MatchType::kRegexNoMatch};
  if (type > 3) {
    return Status::InvalidArgument(where + ": invalid matcher type " + std::to_string(type));
  }
  auto m = Matcher::Make(kTypes[type], std::string(name), std::string(value));
  if (!m.ok()) return Status::InvalidArgument(where + ": " + m.status().message());
  return std::move(*m);
}

bool DecodeHints(std::string_view msg, ReadHints* h) {
  ProtoReader r(msg);
  std::string_view s;
  uint64_t u = 0;
  while (r.Next()) {
    switch (r.field()) {
      case 1: ReadInt64(r, &h->step_ms); break;
      case 2: if (r.Bytes(&s)) h->func.assign(s); break;
      case 3: ReadInt64(r, &h->start_ms); break;
      case 4: ReadInt64(r, &h->end_ms); break;
      case 5: if (r.Bytes(&s)) h->grouping.emplace_back(s); break;
      case 6: if (r.Varint(&u)) h->by = u != 0; break;
      case 7: ReadInt64(r, &h->range_ms); break;
      default: r.Skip();
    }
  }
  return !r.error();
}

Result<ReadQuery> DecodeQuery(std::string_view msg, size_t index) {
  ReadQuery q;
  ProtoReader r(msg);
  std::string_view sub;
  size_t nmatchers = 0;
  while (r.Next()) {
    switch (r.field()) {
      case 1: ReadInt64(r, &q.start_ms); break;
      case 2: ReadInt64(r, &q.end_ms); break;
      case 3:
        if (r.Bytes(&sub)) {
          TM_ASSIGN_OR_RETURN(Matcher m, DecodeMatcher(sub, index, nmatchers++));
          q.matchers.push_back(std::move(m));
        }
        break;
      case 4:
        if (r.Bytes(&sub)) {
          ReadHints h;
          if (!DecodeHints(sub, &h)) return Malformed("queries[" + std::to_string(index) + "].hints");
          q.hints = std::move(h);
        }
        break;
      default: r.Skip();
    }
  }
  if (r.error()) return Malformed("queries[" + std::to_string(index) + "]");
  return q;
}

void AppendLabel(std::string* out, uint32_t field, const Label& l) {
  AppendLenPrefix(out, field, LenFieldSize(1, l.name.size()) + LenFieldSize(2, l.value.size()));
  AppendLenField(out, 1, l.name);
  AppendLenField(out, 2, l.value);
}

}  // namespace

Result<ReadRequest> DecodeReadRequest(std::string_view body) {
  ReadRequest req;
  ProtoReader r(body);
  std::string_view sub;
  while (r.Next()) {
    switch (r.field()) {
      case 1:
        if (r.Bytes(&sub)) {
          TM_ASSIGN_OR_RETURN(ReadQuery q, DecodeQuery(sub, req.queries.size()));
          req.queries.push_back(std::move(q));
        }
        break;
      case 2:
        ForEachVarint(r, [&](uint64_t v) { req.accepted_response_types.push_back(v); });
        break;
      default: r.Skip();
    }
  }
  if (r.error()) return Malformed("after " + std::to_string(req.queries.size()) + " queries");
  return req;
}

Result<ReadResponseType> NegotiateResponseType(const std::vector<uint64_t>& accepted) {
  if (accepted.empty()) return ReadResponseType::kSamples;
  for (uint64_t t : accepted) {
    if (t == 0) return ReadResponseType::kSamples;
    if (t == 1) return ReadResponseType::kStreamedXorChunks;
  }
  std::string list;
  for (uint64_t t : accepted) list += (list.empty() ? "" : " ") + std::to_string(t);
  return Status::InvalidArgument("server does not support any of the requested response types: [" +
                                 list + "]; supported: [SAMPLES STREAMED_XOR_CHUNKS]");
}

Labels MergeExternalLabels(const Labels& series, const Labels& external) {
  if (external.empty()) return series;
  std::vector<Label> out(series.begin(), series.end());
  for (const Label& l : external) {
    if (!series.Has(l.name)) out.push_back(l);
  }
  return Labels(std::move(out));
}

void AppendTimeSeries(std::string* query_result, const Labels& labels, std::span<const Sample> samples) {
  // Sample: field 1 double (9 bytes with its tag) and field 2 int64 varint.
  auto sample_size = [](const Sample& s) { return 9 + 1 + UvarintSize(static_cast<uint64_t>(s.t)); };
  size_t size = 0;
  for (const Label& l : labels) {
    size += LenFieldSize(1, LenFieldSize(1, l.name.size()) + LenFieldSize(2, l.value.size()));
  }
  for (const Sample& s : samples) size += LenFieldSize(2, sample_size(s));
  AppendLenPrefix(query_result, 1, size);
  for (const Label& l : labels) AppendLabel(query_result, 1, l);
  for (const Sample& s : samples) {
    AppendLenPrefix(query_result, 2, sample_size(s));
    AppendDoubleField(query_result, 1, s.v);
    AppendVarintField(query_result, 2, static_cast<uint64_t>(s.t));
  }
}

void AppendChunkedFrame(std::string* out, std::string_view message) {
  AppendUvarint(out, message.size());
  uint32_t crc = chunk::Crc32c(chunk::AsBytes(message));
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((crc >> shift) & 0xff));
  out->append(message);
}

void ChunkedSeriesWriter::WriteSeries(const Labels& labels, std::span<const Sample> samples) {
  if (samples.empty()) return;
  std::string labels_msg;
  for (const Label& l : labels) AppendLabel(&labels_msg, 1, l);
  // Prometheus budgets a frame as max bytes minus the labels' sizes, then subtracts each chunk.
  const int64_t budget = static_cast<int64_t>(max_bytes_in_frame_) - static_cast<int64_t>(labels_msg.size());
  int64_t left = budget;
  std::string chunks, chunk_msg;
  for (size_t i = 0; i < samples.size(); i += kSamplesPerChunk) {
    auto part = samples.subspan(i, std::min(kSamplesPerChunk, samples.size() - i));
    std::string data = EncodePrometheusXor(part);
    chunk_msg.clear();
    AppendVarintField(&chunk_msg, 1, static_cast<uint64_t>(part.front().t));
    AppendVarintField(&chunk_msg, 2, static_cast<uint64_t>(part.back().t));
    AppendVarintField(&chunk_msg, 3, 1);  // Chunk.Encoding XOR
    AppendLenField(&chunk_msg, 4, data);
    AppendLenField(&chunks, 2, chunk_msg);
    left -= static_cast<int64_t>(chunk_msg.size());
    bool more = i + kSamplesPerChunk < samples.size();
    if (left > 0 && more) continue;
    Flush(labels_msg, chunks);
    chunks.clear();
    left = budget;
  }
}

void ChunkedSeriesWriter::Flush(std::string_view labels_msg, std::string_view chunks) {
  // ChunkedReadResponse { chunked_series = 1 { labels = 1; chunks = 2 }; query_index = 2 }
  scratch_.clear();
  AppendLenPrefix(&scratch_, 1, labels_msg.size() + chunks.size());
  scratch_.append(labels_msg);
  scratch_.append(chunks);
  AppendVarintField(&scratch_, 2, static_cast<uint64_t>(query_index_));
  AppendChunkedFrame(out_, scratch_);
}

}  // namespace tidemark::ingest
