// libFuzzer target: remote-write 1.0 and 2.0 bodies (snappy-wrapped and raw) through the Ingester.
// The first input byte picks the protocol; the rest is the body. Checks status-code invariants.
#include <snappy.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "tidemark/ingest/ingester.h"
#include "tidemark/storage/storage.h"

using tidemark::ingest::IngestOptions;
using tidemark::ingest::Ingester;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static auto* store = tidemark::NewMemStorage().release();
  IngestOptions opts;
  opts.max_decompressed_bytes = 1 << 20;
  static Ingester* ingester = new Ingester(*store, opts);
  uint8_t mode = data[0];
  std::string_view payload(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string body;
  if (mode & 1) {
    // Compress the fuzz input so the protobuf decoder sees it (not only the snappy checks).
    snappy::Compress(payload.data(), payload.size(), &body);
  } else {
    body.assign(payload);
  }
  std::string_view ct = (mode & 2) ? "application/x-protobuf;proto=io.prometheus.write.v2.Request"
                                   : "application/x-protobuf";
  auto r = ingester->RemoteWrite(body, ct, "snappy");
  bool known = r.http_status == 204 || r.http_status == 400 || r.http_status == 413;
  if (!known) std::abort();
  return 0;
}
