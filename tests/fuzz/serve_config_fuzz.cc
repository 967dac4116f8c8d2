// libFuzzer target: the main config file (`tidemark serve --config.file`, Prometheus' schema plus
// Tidemark's sections) from arbitrary bytes. A config that loads must also print as the
// effective configuration (/api/v1/status/config) without failing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "serve_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  tidemark::app::ServeConfig cfg;
  // http_config *_file paths resolve here; nothing under it exists, so no file is ever read.
  cfg.config_file = "/nonexistent/tidemark.yml";
  if (!tidemark::app::ApplyYamlConfig(input, cfg).ok()) return 0;
  (void)tidemark::app::EffectiveConfigYaml(cfg);
  return 0;
}
