// libFuzzer target: relabel_configs YAML decoded, compiled and applied to a fixed label set.
// A rule list that decodes must compile (decoding already validated it), and applying it must
// leave a label set with no empty values.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "relabel_yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidemark;
  const std::string input(reinterpret_cast<const char*>(data), size);
  YAML::Node node;
  try {
    node = YAML::Load(input);
  } catch (const YAML::Exception&) {
    return 0;
  }
  auto rules = app::ParseRelabelConfigs(node, "relabel_configs");
  if (!rules.ok()) return 0;
  auto relabeler = relabel::Relabeler::Compile(*rules);
  if (!relabeler.ok()) abort();
  const Labels in{{"__name__", "http_requests_total"}, {"__address__", "10.0.0.1:9100"},
                  {"__meta_kubernetes_pod_label_app", "api"}, {"instance", "a"},
                  {"job", "node"}, {"utf-8.name", "v\xC3\xA9"}};
  LabelsBuilder lb(in);
  if (relabeler->Apply(lb)) {
    for (const auto& l : lb.Build()) {
      if (l.value.empty()) abort();
    }
  }
  return 0;
}
