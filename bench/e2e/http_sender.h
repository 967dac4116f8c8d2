// SendBatches: replays a batch file as remote-write requests over keep-alive HTTP/1.1 connections.
#pragma once

#include <cstdint>
#include <string>

#include "batch_file.h"

namespace tidemark::e2e {

struct SendOptions {
  std::string host = "127.0.0.1";
  std::string port = "9090";
  std::string path = "/api/v1/write";
  int max_attempts = 12;       // per batch, on 5xx/429/connection errors (~6 s of backoff);
                               // a batch failing all of them stops the whole send
  bool sync_windows = true;    // all senders finish data window w before any starts w+1
};

struct SendStats {
  int64_t samples_ok = 0;
  int64_t samples_rejected = 0;  // in batches answered with a non-retryable 4xx
  int64_t batches_ok = 0;
  int64_t batches_rejected = 0;
  int64_t batches_failed = 0;  // gave up after max_attempts (then the send stops early)
  int64_t retries = 0;
  int64_t body_bytes = 0;
  double seconds = 0;
  std::string first_error;
};

// One sender thread per shard of the file (8 by default), each with its own connection; batches of
// a shard go out in file order. Retries 5xx, 429 and broken connections with backoff.
SendStats SendBatches(const LoadedBatchFile& file, const SendOptions& options);

}  // namespace tidemark::e2e
