// libFuzzer target: ParseExpr on arbitrary bytes; a successful parse must print to text that
// parses again to the same text (FormatExpr is a fixed point after one round).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tidemark/query/ast.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = tidemark::query::ParseExpr(input);
  if (!parsed.ok()) return 0;
  std::string printed = tidemark::query::FormatExpr(**parsed);
  auto again = tidemark::query::ParseExpr(printed);
  if (!again.ok()) abort();  // the printer produced something the parser rejects
  if (tidemark::query::FormatExpr(**again) != printed) abort();  // not a fixed point
  (void)tidemark::query::ParseMetricSelector(input);
  return 0;
}
