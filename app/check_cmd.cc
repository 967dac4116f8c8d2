// `tidemark check rules FILE...` (promtool-compatible validation) and `tidemark test rules`.
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"
#include "tidemark/alerting/rule_file.h"
#include "tidemark/alerting/rule_test.h"

namespace tidemark::app {

int CheckMain(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "web-config") == 0) return CheckWebConfigMain(argc, argv);
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

int TestRulesMain(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "rules") != 0) {
    std::fprintf(stderr, "usage: tidemark test rules FILE...\n");
    return 2;
  }
  if (argc < 3) {
    std::fprintf(stderr, "tidemark test rules: no test files given\n");
    return 2;
  }
  bool failed = false;
  for (int i = 2; i < argc; ++i) {
    std::printf("Unit Testing:  %s\n", argv[i]);
    std::string report;
    Status s = alerting::RunRuleTestFile(argv[i], &report);
    std::fputs(report.c_str(), s.ok() ? stdout : stderr);
    if (!s.ok()) {
      failed = true;
      std::fprintf(stderr, "  FAILED:\n%s\n", s.message().c_str());
    } else {
      std::printf("  SUCCESS\n\n");
    }
  }
  return failed ? 1 : 0;
}

}  // namespace tidemark::app
