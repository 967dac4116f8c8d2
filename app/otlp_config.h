// Prometheus 3.x's `otlp:` configuration section: parsed into the ingester's OTLP translation
// settings, and emitted back for /api/v1/status/config.
#pragma once

#include <yaml-cpp/yaml.h>

#include "tidemark/ingest/ingester.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::app {

// Keys that would change behaviour Tidemark does not have are refused with their name.
Status ParseOtlpSection(const YAML::Node& node, ingest::IngestOptions::Otlp* out);
void EmitOtlpSection(YAML::Emitter& e, const ingest::IngestOptions::Otlp& otlp);

}  // namespace tidemark::app
