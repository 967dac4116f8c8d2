// libFuzzer target: the --web.config.file format (exporter-toolkit's tls_server_config,
// http_server_config, basic_auth_users) from arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tidemark/http/web_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  (void)tidemark::http::ParseWebConfig(input, "/nonexistent");
  return 0;
}
