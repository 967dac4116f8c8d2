// libFuzzer target: Go text/template as Tidemark runs it, parsed and executed from arbitrary
// bytes both as an alert annotation (Prometheus' data: $labels, $value, ...) and as a notification
// text (Alertmanager's data, with default.tmpl's named templates callable). Inputs are capped at
// 4 KiB: the point is the parser and executor, not how long a huge template takes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "notify/notification.h"
#include "notify/router.h"
#include "template/template.h"

namespace {

using namespace tidemark;
using namespace tidemark::alerting;

const Template* Defaults() {
  static const auto parsed = Template::Parse(DefaultNotificationTemplates(), "default.tmpl");
  return parsed.ok() ? parsed->get() : nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::string input(reinterpret_cast<const char*>(data), size);
  constexpr Timestamp kNow = 1'700'000'000'000;

  AlertTemplateData ad;
  ad.labels = Labels({{"alertname", "Fuzz"}, {"instance", "a:9100"}, {"severity", "page"}});
  ad.external_labels = Labels({{"replica", "r1"}});
  ad.external_url = "http://tm";
  ad.value = 42.5;
  (void)ExpandAlertTemplate(input, "fuzz", ad, kNow, nullptr);

  NotifyAlert a1, a2;
  a1.labels = ad.labels;
  a1.annotations = Labels({{"summary", "down"}});
  a1.starts_at = kNow - 60'000;
  a2.labels = Labels({{"alertname", "Fuzz"}, {"instance", "b:9100"}});
  a2.starts_at = kNow - 120'000;
  a2.ends_at = kNow - 1'000;
  Notification n;
  n.receiver = "team";
  n.external_url = "http://tm";
  n.group_key = "{}:{alertname=\"Fuzz\"}";
  n.now = kNow;
  n.status = "firing";
  n.alerts = {&a1, &a2};
  n.resolved = {false, true};
  n.group_labels = Labels({{"alertname", "Fuzz"}});
  n.common_labels = n.group_labels;
  n.templates = Defaults();
  (void)Expand(input, TemplateData(n), n);
  return 0;
}
