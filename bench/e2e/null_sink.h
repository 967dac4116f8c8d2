// RunNullSink: a minimal HTTP/1.1 server that reads and discards request bodies (answers 204), so the
// load generator's own ceiling can be measured.
#pragma once

#include <string>

namespace tidemark::e2e {

struct NullSinkOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  int fail_every = 0;  // if > 0, every n-th write answers 503 (exercises the sender's retries)
};

// Serves until the process is killed; returns an error message if it cannot listen.
std::string RunNullSink(const NullSinkOptions& options);

}  // namespace tidemark::e2e
