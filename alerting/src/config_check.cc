// `tidemark check config`'s view of the alerting inputs: the same loaders a reload runs.
#include "tidemark/alerting/config_check.h"

#include "notify/router.h"
#include "slo_runtime/slo_runtime.h"

namespace tidemark::alerting {

SloFileCheck CheckSloFile(const std::string& path) {
  SloLoad load = LoadSloFiles({path}, /*bucket_source=*/nullptr, /*now=*/0);
  return SloFileCheck{load.slos.size(), std::move(load.errors)};
}

Status CheckNotificationConfig(const std::string& yaml, const std::string& base_dir) {
  auto rc = ParseRouterConfig(yaml, base_dir);
  if (!rc.ok()) return Status::InvalidArgument("notifications: " + rc.status().message());
  return Status::OK();
}

}  // namespace tidemark::alerting
