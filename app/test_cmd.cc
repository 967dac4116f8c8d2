// `tidemark test rules FILE...`: promtool's rule unit tests, with promtool's output and exit codes.
#include <cstdio>
#include <cstring>
#include <string>

#include "check_cmd.h"
#include "commands.h"
#include "tidemark/alerting/rule_test.h"

namespace tidemark::app {

int TestRulesMain(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "rules") != 0) {
    std::fprintf(stderr, "usage: tidemark test rules FILE...\n");
    return 2;
  }
  if (argc < 3) {
    std::fprintf(stderr, "tidemark test rules: no test files given\n");
    return 2;
  }
  if (!OnlyFileArguments("test", argc, argv)) return 2;
  bool failed = false;
  for (int i = 2; i < argc; ++i) {
    // promtool's streams: progress and blank lines on stdout, warnings and failures on stderr.
    std::printf("Unit Testing:  %s\n", argv[i]);
    std::fflush(stdout);
    const alerting::RuleTestFileResult r = alerting::RunRuleTestFile(argv[i]);
    for (const auto& w : r.warnings) std::fprintf(stderr, "%s\n", w.c_str());
    if (r.errors.empty()) {
      std::printf("  SUCCESS\n");
    } else {
      failed = true;
      std::fprintf(stderr, "  FAILED:\n");
      for (const auto& e : r.errors) {
        std::fprintf(stderr, "%s\n", e.c_str());
        std::fflush(stderr);
        std::printf("\n");
        std::fflush(stdout);
      }
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  return failed ? 1 : 0;
}

}  // namespace tidemark::app
