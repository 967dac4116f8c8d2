// libFuzzer target: remote-read request bodies through the RemoteReader over a small store.
// The first input byte picks snappy-wrapping (so the protobuf decoder sees the rest) or raw
// bytes; a failure must be InvalidArgument (400), and an answer one of the two response types.
#include <snappy.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "tidemark/ingest/remote_read.h"
#include "tidemark/storage/storage.h"

using tidemark::ingest::RemoteReader;
using tidemark::ingest::RemoteReadOptions;

namespace {

tidemark::Storage* SmallStore() {
  auto* store = tidemark::NewMemStorage().release();
  auto app = store->NewAppender();
  for (int s = 0; s < 4; ++s) {
    tidemark::Labels l{{"__name__", "m"}, {"i", std::to_string(s)}};
    for (int k = 0; k < 200; ++k) app->Append(0, l, {0, k * 1000, static_cast<double>(k)}).status().IgnoreError();
  }
  app->Commit().IgnoreError();
  return store;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static tidemark::Storage* store = SmallStore();
  RemoteReadOptions opts;
  opts.sample_limit = 10'000;
  opts.max_bytes_in_frame = 256;
  static RemoteReader* reader = new RemoteReader(*store, opts);
  std::string_view payload(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string body;
  if (data[0] & 1) {
    snappy::Compress(payload.data(), payload.size(), &body);
  } else {
    body.assign(payload);
  }
  auto r = reader->Read(body, tidemark::Labels{{"zone", "eu"}});
  bool ok = r.ok() ? r->http_status == 200 && (r->content_type == "application/x-protobuf" ||
                                                r->content_type.starts_with("application/x-streamed-protobuf"))
                    : r.status().code() == tidemark::StatusCode::kInvalidArgument;
  if (!ok) std::abort();
  return 0;
}
