// Remote-read wire formats (prometheus prompb/remote.proto, types.proto): ReadRequest decoding,
// ReadResponse (SAMPLES) and ChunkedReadResponse frames (STREAMED_XOR_CHUNKS) encoding.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/storage/matcher.h"
#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::ingest {

// ReadRequest.ResponseType numbers.
enum class ReadResponseType : uint32_t { kSamples = 0, kStreamedXorChunks = 1 };

// prometheus.ReadHints, as sent.
struct ReadHints {
  int64_t step_ms = 0;
  std::string func;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::vector<std::string> grouping;
  bool by = false;
  int64_t range_ms = 0;
};

struct ReadQuery {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  Matchers matchers;
  std::optional<ReadHints> hints;
};

struct ReadRequest {
  std::vector<ReadQuery> queries;
  std::vector<uint64_t> accepted_response_types;  // raw enum values, in the client's order
};

// Decodes a (decompressed) ReadRequest. InvalidArgument naming the bad element on malformed
// protobuf, an unknown matcher type or a regex RE2 cannot compile.
Result<ReadRequest> DecodeReadRequest(std::string_view body);

// The first accepted type this server implements (SAMPLES when the list is empty), as
// Prometheus' NegotiateResponseType; InvalidArgument when none is.
Result<ReadResponseType> NegotiateResponseType(const std::vector<uint64_t>& accepted);

// `series` with `external` labels added where the series lacks them (the series' own win).
Labels MergeExternalLabels(const Labels& series, const Labels& external);

// Appends one prometheus.TimeSeries (QueryResult field 1) with these labels and samples.
void AppendTimeSeries(std::string* query_result, const Labels& labels, std::span<const Sample> samples);

// Streams one query's series as ChunkedReadResponse frames, splitting a series over several
// frames once a frame's labels and chunks reach `max_bytes_in_frame` (a frame may exceed it by
// up to one chunk, as in Prometheus). Each frame is: uvarint length, big-endian CRC-32C of the
// message, the message.
class ChunkedSeriesWriter {
 public:
  // At most this many samples per XOR chunk (Prometheus' head cuts chunks at 120).
  static constexpr size_t kSamplesPerChunk = 120;

  ChunkedSeriesWriter(std::string* out, int64_t query_index, size_t max_bytes_in_frame)
      : out_(out), query_index_(query_index), max_bytes_in_frame_(max_bytes_in_frame) {}

  // Appends the frames of one series (nothing when `samples` is empty).
  void WriteSeries(const Labels& labels, std::span<const Sample> samples);

 private:
  void Flush(std::string_view labels_msg, std::string_view chunks);

  std::string* out_;
  int64_t query_index_;
  size_t max_bytes_in_frame_;
  std::string scratch_;
};

// Appends one stream frame around `message`.
void AppendChunkedFrame(std::string* out, std::string_view message);

}  // namespace tidemark::ingest
