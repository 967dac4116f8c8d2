// libFuzzer target: file_sd_configs files (Prometheus' target groups, JSON or YAML) from arbitrary
// bytes. Groups that parse must name their source by index, carry __meta_filepath exactly once
// (last, with the file's path) and only valid label names, as Prometheus' loader guarantees.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scrape/file_sd.h"
#include "tidemark/storage/model/strconv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidemark;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::string path = "/etc/prometheus/targets/nodes.json";
  auto groups = ingest::scrape::ParseFileSd(input, path);
  if (!groups.ok()) return 0;
  for (size_t i = 0; i < groups->size(); ++i) {
    const auto& g = (*groups)[i];
    if (g.source != path + ":" + std::to_string(i)) abort();
    if (g.labels.empty() || g.labels.back() != std::make_pair(std::string("__meta_filepath"), path)) abort();
    for (size_t k = 0; k < g.labels.size(); ++k) {
      const std::string& name = g.labels[k].first;
      if (name.empty() || !ValidUtf8(name)) abort();
      if (name == "__meta_filepath" && k + 1 != g.labels.size()) abort();
    }
  }
  // Parsing is a pure function of the text.
  auto again = ingest::scrape::ParseFileSd(input, path);
  if (!again.ok() || again->size() != groups->size()) abort();
  for (size_t i = 0; i < groups->size(); ++i) {
    if ((*again)[i].targets != (*groups)[i].targets || (*again)[i].labels != (*groups)[i].labels) abort();
  }
  return 0;
}
