// Alertmanager targets from static_configs through the set's relabel_configs, as Prometheus'
// notifier derives them (labels __address__, __scheme__, __alerts_path__).
#include "tidemark/alerting/notify.h"

#include <vector>

#include "tidemark/storage/model/strconv.h"

namespace tidemark::alerting {
namespace {

// Go's path.Join("/", prefix, "/api/v2/alerts"): joined, then cleaned of empty, "." and ".."
// segments.
std::string AlertsPath(std::string_view prefix) {
  std::vector<std::string_view> segs;
  std::string_view rest = prefix;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!segs.empty()) segs.pop_back();
      continue;
    }
    segs.push_back(seg);
  }
  std::string out;
  for (auto s : segs) out.append("/").append(s);
  return out + "/api/v2/alerts";
}

}  // namespace

Result<std::optional<std::string>> RelabelAlertmanagerTarget(const AlertmanagerTargetLabels& target,
                                                             const relabel::Relabeler& rules) {
  LabelsBuilder lb{Labels()};
  lb.Set("__address__", target.address);
  lb.Set("__scheme__", target.scheme);
  lb.Set("__alerts_path__", AlertsPath(target.path_prefix));
  for (const auto& l : target.group_labels) {
    if (l.name != "__address__") lb.Set(l.name, l.value);
  }
  if (!rules.Apply(lb)) return std::optional<std::string>();
  const std::string address(lb.Get("__address__"));
  if (address.find('/') != std::string::npos) {
    return Status::InvalidArgument(Quote(address) + " is not a valid hostname");
  }
  if (address.empty()) return Status::InvalidArgument("empty Alertmanager address (__address__)");
  const std::string scheme(lb.Get("__scheme__"));
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument("Alertmanager " + address + ": scheme " + Quote(scheme) +
                                   " (from __scheme__) must be http or https");
  }
  std::string path(lb.Get("__alerts_path__"));
  if (!path.empty() && path.front() != '/') path.insert(path.begin(), '/');  // as Go's url.URL prints it
  return std::optional<std::string>(scheme + "://" + address + path);
}

}  // namespace tidemark::alerting
