// libFuzzer target: Prometheus rule files (groups, alerting and recording rules, their PromQL and
// templates) from arbitrary bytes. Parsing never crashes; every problem lands in `errors`.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tidemark/alerting/rule_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)tidemark::alerting::ParseRuleFile(input, "fuzz.yml");
  return 0;
}
