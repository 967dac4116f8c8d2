// libFuzzer target: the scrape parser (Prometheus text format and OpenMetrics). The first input
// byte picks the format; the rest is the exposition. Every series the parser accepts must decode
// into a metric name and labels (a parse that lets bad syntax through would crash or fail here).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "scrape/exposition_parser.h"

using tidemark::ingest::scrape::ExpoEntry;
using tidemark::ingest::scrape::ExpoFormat;
using tidemark::ingest::scrape::ExpoLabel;
using tidemark::ingest::scrape::ExpositionParser;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const ExpoFormat f = (data[0] & 1) ? ExpoFormat::kOpenMetrics : ExpoFormat::kPrometheusText;
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  ExpositionParser p(body, f);
  std::vector<ExpoLabel> labels;
  for (int guard = 0; guard <= static_cast<int>(size) + 1; ++guard) {
    auto e = p.Next();
    if (!e.ok() || *e == ExpoEntry::kEnd) return 0;
    if (*e != ExpoEntry::kSeries) continue;
    std::string_view name;
    if (p.series().empty() || !p.Labels(&name, &labels).ok() || name.empty()) std::abort();
    for (const ExpoLabel& l : labels) {
      if (l.name.empty()) std::abort();
    }
  }
  std::abort();  // more entries than bytes: the parser stopped advancing
}
