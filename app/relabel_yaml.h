// Decoding of Prometheus' relabel_configs lists (alert_relabel_configs, alertmanagers'
// relabel_configs, and the scrape and remote-write lists) into relabel::Config values.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string_view>
#include <vector>

#include "tidemark/storage/model/relabel.h"

namespace tidemark::app {

// Reads a YAML sequence of relabel rules with Prometheus' field names and defaults (a null node is
// an empty list). Unknown keys, wrong types and rules Prometheus' validation refuses are errors
// naming the path: `config: alerting.alert_relabel_configs[1].modulus: ...` for where =
// "alerting.alert_relabel_configs".
Result<std::vector<relabel::Config>> ParseRelabelConfigs(const YAML::Node& node,
                                                         std::string_view where);

// Writes `rules` as a YAML sequence in Prometheus' own marshalled shape (for
// /api/v1/status/config): every field but modulus and target_label, which are left out when unset.
void EmitRelabelConfigs(YAML::Emitter& e, const std::vector<relabel::Config>& rules);

}  // namespace tidemark::app
