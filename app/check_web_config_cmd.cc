// `tidemark check web-config FILE...`: promtool's check of --web.config.file files (parsed, bcrypt
// hashes well-formed, certificates and keys loaded), with its output and exit codes.
#include <cstdio>

#include "commands.h"
#include "tidemark/http/web_config.h"

namespace tidemark::app {

int CheckWebConfigMain(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "tidemark check web-config: no web config files given\n");
    return 2;
  }
  bool failed = false;
  for (int i = 2; i < argc; ++i) {
    auto c = http::LoadWebConfig(argv[i]);
    if (!c.ok()) {
      std::fprintf(stderr, "%s FAILED: %s\n", argv[i], c.status().message().c_str());
      failed = true;
      continue;
    }
    std::fprintf(stderr, "%s SUCCESS\n", argv[i]);
  }
  return failed ? 1 : 0;
}

}  // namespace tidemark::app
