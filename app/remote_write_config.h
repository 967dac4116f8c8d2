// Prometheus' `remote_write:` section: parsed into the sender's endpoint configs (every key
// either works as in Prometheus or is refused with its name), and emitted back for
// /api/v1/status/config without secrets.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "tidemark/ingest/remote_write_sender.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::app {

// `base_dir` resolves relative *_file paths.
Result<std::vector<ingest::RemoteWriteConfig>> ParseRemoteWriteSection(const YAML::Node& node,
                                                                        const std::string& base_dir);
void EmitRemoteWriteSection(YAML::Emitter& e, const std::vector<ingest::RemoteWriteConfig>& rws);

}  // namespace tidemark::app
