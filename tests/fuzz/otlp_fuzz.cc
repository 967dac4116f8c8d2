// libFuzzer target: OTLP ExportMetricsServiceRequest bodies as protobuf or JSON (first byte picks),
// optionally gzip-wrapped, through the Ingester. Checks status-code invariants.
#include <zlib.h>

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
  opts.otlp.promote_resource_attributes = {"host.name"};
  static Ingester* ingester = new Ingester(*store, opts);
  uint8_t mode = data[0];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string_view ct = (mode & 1) ? "application/json" : "application/x-protobuf";
  std::string_view enc = (mode & 2) ? "gzip" : "";
  auto r = ingester->Otlp(body, ct, enc);
  bool known = r.http_status == 200 || r.http_status == 400 || r.http_status == 413;
  if (!known) std::abort();
  return 0;
}
