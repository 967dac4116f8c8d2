// Load-time validation of the alerting inputs a config names, without running anything
// (`tidemark check config`): the parsers RuleManager::Reload uses, so a check passes exactly when
// a reload would accept the same files.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "tidemark/storage/model/status.h"

namespace tidemark::alerting {

// Sloth SLO files, each on its own: how many SLOs it holds (its generated rule groups validated),
// or its errors. Histogram buckets are not checked (that needs data).
struct SloFileCheck {
  size_t slos = 0;
  std::vector<std::string> errors;
};
SloFileCheck CheckSloFile(const std::string& path);

// The Alertmanager-schema `notifications:` section: routes, receivers, templates and the
// *_file paths in it (relative ones under base_dir). Errors start "notifications: ", carry the
// text's line and, for a misspelt field, the closest valid one.
Status CheckNotificationConfig(const std::string& yaml, const std::string& base_dir);

}  // namespace tidemark::alerting
