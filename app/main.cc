// tidemark: the single binary. Each subcommand lives in its own *_cmd.cc file.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "allocator.h"
#include "commands.h"
#include "serve_config.h"
#include "tidemark/storage/model/closest_name.h"
#include "tidemark/storage/model/version.h"

namespace {

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: tidemark <command> [flags]\n\n"
               "commands:\n"
               "  serve                 run the server (see `tidemark serve --help`)\n"
               "  version               print version and build information (also --version)\n"
               "  promql-test FILE...   run PromQL test scripts\n"
               "  check config FILE...  validate config files and the rule/SLO files they name\n"
               "  check rules FILE...   validate rule files\n"
               "  check web-config FILE...  validate web config files (--web.config.file)\n"
               "  test rules FILE...    run rule unit tests (promtool format)\n"
               "  slo generate FILE...  print the rules generated from Sloth SLO specs\n"
               "  notify test --config FILE --receiver NAME [--label k=v]... [--annotation k=v]...\n"
               "                        send a test notification through a receiver\n"
               "  storage verify|repair --data-dir DIR\n"
               "                        check or repair a damaged data directory (server stopped)\n\n");
  std::fputs(tidemark::app::ServeUsage().c_str(), out);
}

}  // namespace

int main(int argc, char** argv) {
  tidemark::app::TuneAllocator();
  if (argc < 2) {
    Usage(stderr);
    return 2;
  }
  std::string_view cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    Usage(stdout);
    return 0;
  }
  if (cmd == "--version" || cmd == "version") {
    std::fputs(tidemark::VersionText("tidemark").c_str(), stdout);
    return 0;
  }
  if (cmd == "serve") return tidemark::app::ServeMain(argc - 1, argv + 1);
  if (cmd == "promql-test") return tidemark::app::PromqlTestMain(argc - 1, argv + 1);
  if (cmd == "check") return tidemark::app::CheckMain(argc - 1, argv + 1);
  if (cmd == "test") return tidemark::app::TestRulesMain(argc - 1, argv + 1);
  if (cmd == "slo") return tidemark::app::SloMain(argc - 1, argv + 1);
  if (cmd == "notify") return tidemark::app::NotifyMain(argc - 1, argv + 1);
  if (cmd == "storage") return tidemark::app::StorageMain(argc - 1, argv + 1);
  const std::string near = tidemark::ClosestName(
      cmd, {"serve", "version", "promql-test", "check", "test", "slo", "notify", "storage", "help"});
  std::fprintf(stderr, "tidemark: unknown command \"%s\"%s (see tidemark --help)\n", argv[1],
               near.empty() ? "" : (", did you mean " + near + "?").c_str());
  return 2;
}
