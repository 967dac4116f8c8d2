// RemoteReader: answers Prometheus remote-read requests (POST /api/v1/read) from a Queryable.
//
// The HTTP layer hands over the raw body (snappy-compressed prometheus.ReadRequest) and the
// current external labels, and writes back the returned IngestResponse verbatim (or renders the
// error Status, as Prometheus does, as plain text). Responses are
// SAMPLES (snappy ReadResponse) or STREAMED_XOR_CHUNKS (CRC-framed ChunkedReadResponse messages),
// whichever the client lists first. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>

#include "tidemark/ingest/ingester.h"
#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/querier.h"

namespace tidemark::ingest {

// Prometheus' --storage.remote.read-* flags, with its defaults.
struct RemoteReadOptions {
  // Samples per request over all its queries (0 = unlimited); more answers 400. Prometheus
  // ignores it for streamed responses; we build the stream whole before sending it, so it bounds
  // those too.
  size_t sample_limit = 50'000'000;
  // Requests answered at once (0 = unlimited); later ones wait for a slot.
  size_t concurrent_limit = 10;
  // Bytes of labels and chunks per streamed frame before a series is split (1 MiB).
  size_t max_bytes_in_frame = 1 << 20;
};

class RemoteReader {
 public:
  RemoteReader(Queryable& storage, RemoteReadOptions options);
  RemoteReader(const RemoteReader&) = delete;
  RemoteReader& operator=(const RemoteReader&) = delete;

  // `external_labels` are added to every returned series lacking them, and an equality matcher
  // on one of them with its value selects series without the label (Prometheus' handler does
  // both). Errors: InvalidArgument for a bad request or the sample limit (Prometheus answers
  // 400), otherwise what the store reported.
  Result<IngestResponse> Read(std::string_view body, const Labels& external_labels);

 private:
  Queryable& storage_;
  RemoteReadOptions options_;
  std::mutex mu_;
  std::condition_variable slot_freed_;
  size_t running_ = 0;
};

}  // namespace tidemark::ingest
