// `tidemark check rules FILE...` and `tidemark check config FILE...`: promtool-compatible
// validation (promtool's lines, streams and exit codes: 0 valid, 1 invalid, 2 usage).
#include "check_cmd.h"

#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"
#include "tidemark/alerting/rule_file.h"

namespace tidemark::app {

bool OnlyFileArguments(const char* command, int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    if (argv[i][0] == '-' && argv[i][1] != '\0') {
      std::fprintf(stderr, "tidemark %s %s: unknown flag %s\n", command, argv[1], argv[i]);
      return false;
    }
  }
  return true;
}

void PrintChecking(const std::string& path) {
  std::printf("Checking %s\n", path.c_str());
  std::fflush(stdout);
}

bool PrintVerdict(const std::vector<std::string>& errors, const char* error_indent,
                  const std::string& success) {
  if (!errors.empty()) {
    std::fprintf(stderr, "  FAILED:\n");
    for (const auto& e : errors) std::fprintf(stderr, "%s%s\n", error_indent, e.c_str());
    std::fflush(stderr);
    std::printf("\n");
    return false;
  }
  std::printf("  SUCCESS: %s\n\n", success.c_str());
  return true;
}

bool CheckRuleFile(const std::string& path, const char* error_indent) {
  PrintChecking(path);
  const alerting::RuleFileSpec f = alerting::LoadRuleFile(path);
  return PrintVerdict(f.errors, error_indent, std::to_string(f.NumRules()) + " rules found");
}

int CheckMain(int argc, char** argv) {
  const bool rules = argc >= 2 && std::strcmp(argv[1], "rules") == 0;
  const bool config = argc >= 2 && std::strcmp(argv[1], "config") == 0;
  if (!rules && !config) {
    std::fprintf(stderr, "usage: tidemark check rules|config FILE...\n");
    return 2;
  }
  if (argc < 3) {
    std::fprintf(stderr, "tidemark check %s: no files given\n", argv[1]);
    return 2;
  }
  if (!OnlyFileArguments("check", argc, argv)) return 2;
  bool ok = true;
  for (int i = 2; i < argc; ++i) {
    ok = (rules ? CheckRuleFile(argv[i], "") : CheckConfigFile(argv[i])) && ok;
  }
  return ok ? 0 : 1;
}

}  // namespace tidemark::app
