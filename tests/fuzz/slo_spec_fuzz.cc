// libFuzzer target: SLO specs (Sloth prometheus/v1 + shorthands) and Alertmanager-schema
// notification configs from arbitrary bytes. A spec that parses must generate a rule file that
// Tidemark's own rule-file parser accepts whole: generation never emits an invalid rule.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "notify/router.h"
#include "tidemark/alerting/rule_file.h"
#include "tidemark/alerting/slo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  (void)tidemark::alerting::ParseRouterConfig(input, "/nonexistent");
  auto slos = tidemark::alerting::ParseSloText(input, "fuzz.yml");
  if (!slos.ok()) return 0;
  auto yaml = tidemark::alerting::GenerateRuleFileYaml(*slos);
  if (!yaml.ok()) return 0;  // e.g. the same SLO id twice
  const auto rules = tidemark::alerting::ParseRuleFile(*yaml, "generated.yml");
  if (!rules.errors.empty()) abort();
  return 0;
}
