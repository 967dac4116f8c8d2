// One flush's notification as every integration sees it: the alerts, Alertmanager's template data,
// and the texts of Alertmanager's default.tmpl that integrations fall back on.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "template/template.h"
#include "tidemark/alerting/manager.h"

namespace tidemark::alerting {

struct Notification {
  std::string receiver;
  std::string external_url;
  std::string group_key;  // Alertmanager's "<route key>:<group labels>"
  Timestamp now = 0;      // of the flush (e-mail Date)
  std::string status;     // firing | resolved
  std::vector<const NotifyAlert*> alerts;
  std::vector<bool> resolved;  // parallel to `alerts`
  Labels group_labels, common_labels, common_annotations;
  bool test = false;  // `notify test`: texts for humans carry a visible [TEST] mark
  // Alertmanager's default named templates and the `templates:` files, which text fields may
  // call (nullable; lives as long as the router config, longer than any render).
  const Template* templates = nullptr;

  size_t NumFiring() const;
};

// An alert fingerprint as Alertmanager prints it: 16 lower-case hex digits.
std::string FingerprintHex(uint64_t fp);
nlohmann::json LabelsJson(const Labels& l);
// JSON text as Go's encoder would accept it (invalid UTF-8 replaced, never an exception).
std::string DumpJson(const nlohmann::json& j);
// Labels every alert shares (same name and value).
Labels CommonLabels(const std::vector<const NotifyAlert*>& alerts, bool annotations);

// Alertmanager's template.Data for `n`.
TValue TemplateData(const Notification& n);
// Expands a notification template against `data` (with n's named templates); errors become the
// text Alertmanager shows.
std::string Expand(const std::string& text, const TValue& data, const Notification& n);
// `text` with the [TEST] mark when `n` is a test notification.
std::string TestMarked(const Notification& n, std::string text);

// default.tmpl's "__subject": "[FIRING:2] <group label values> (<other common label values>)".
std::string DefaultSubject(const Notification& n);
// default.tmpl's "__alertmanagerURL".
std::string AlertmanagerUrl(const Notification& n);
// default.tmpl's "__text_alert_list" (or "__text_alert_list_markdown") over the firing or the
// resolved alerts.
std::string TextAlertList(const Notification& n, bool firing, bool markdown);
// Alertmanager's notify.Key.Hash(): hex SHA-256 of the group key (PagerDuty dedup key, Opsgenie
// alias).
std::string GroupKeyHash(const std::string& group_key);
// Go's notify.TruncateInRunes: at most `n` code points, the last one "…" when cut.
std::string TruncateRunes(const std::string& s, size_t n);

}  // namespace tidemark::alerting
