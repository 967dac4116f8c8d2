// `tidemark slo generate FILE...`: Sloth prometheus/v1 SLO specs -> a Prometheus rule file.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "commands.h"
#include "tidemark/alerting/slo.h"

namespace tidemark::app {

int SloMain(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "generate") != 0) {
    std::fprintf(stderr, "usage: tidemark slo generate FILE...\n");
    return 2;
  }
  if (argc < 3) {
    std::fprintf(stderr, "tidemark slo generate: no SLO spec files given\n");
    return 2;
  }
  std::vector<alerting::SloSpec> slos;
  bool failed = false;
  for (int i = 2; i < argc; ++i) {
    auto parsed = alerting::ParseSloFile(argv[i]);
    if (!parsed.ok()) {
      std::fprintf(stderr, "%s\n", parsed.status().message().c_str());
      failed = true;
      continue;
    }
    for (auto& s : *parsed) slos.push_back(std::move(s));
  }
  if (failed) return 1;
  auto yaml = alerting::GenerateRuleFileYaml(slos);
  if (!yaml.ok()) {
    std::fprintf(stderr, "%s\n", yaml.status().message().c_str());
    return 1;
  }
  std::fputs(yaml->c_str(), stdout);
  return 0;
}

}  // namespace tidemark::app
