// Template data and default.tmpl texts shared by the notification integrations.
#include "notify/notification.h"

#include <openssl/evp.h>

#include <cstdio>

namespace tidemark::alerting {

size_t Notification::NumFiring() const {
  size_t n = 0;
  for (bool r : resolved) n += !r;
  return n;
}

std::string FingerprintHex(uint64_t fp) {
  char b[20];
  std::snprintf(b, sizeof(b), "%016llx", static_cast<unsigned long long>(fp));
  return b;
}

nlohmann::json LabelsJson(const Labels& l) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& x : l) j[x.name] = x.value;
  return j;
}

std::string DumpJson(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Labels CommonLabels(const std::vector<const NotifyAlert*>& alerts, bool annotations) {
  if (alerts.empty()) return Labels();
  const Labels& first = annotations ? alerts[0]->annotations : alerts[0]->labels;
  std::vector<Label> out;
  for (const auto& l : first) {
    bool all = true;
    for (const auto* a : alerts) {
      const Labels& x = annotations ? a->annotations : a->labels;
      if (!x.Has(l.name) || x.Get(l.name) != l.value) {
        all = false;
        break;
      }
    }
    if (all) out.push_back(l);
  }
  return Labels(std::move(out));
}

TValue TemplateData(const Notification& n) {
  TList alerts;
  for (size_t i = 0; i < n.alerts.size(); ++i) {
    const NotifyAlert& a = *n.alerts[i];
    alerts.push_back(TValue::Struct(
        {{"Status", TValue::String(n.resolved[i] ? "resolved" : "firing")},
         {"Labels", TValue::FromLabels(a.labels)},
         {"Annotations", TValue::FromLabels(a.annotations)},
         {"StartsAt", TValue::String(FormatGoTime(a.starts_at, Rfc3339Fraction::kMillis))},
         {"EndsAt", TValue::String(FormatGoTime(n.resolved[i] ? a.ends_at : 0, Rfc3339Fraction::kMillis))},
         {"GeneratorURL", TValue::String(a.generator_url)},
         {"Fingerprint", TValue::String(FingerprintHex(a.labels.Hash()))}},
        "template.Alert"));
  }
  return TValue::Struct({{"Receiver", TValue::String(n.receiver)},
                         {"Status", TValue::String(n.status)},
                         {"Alerts", TValue::List(std::move(alerts))},
                         {"GroupLabels", TValue::FromLabels(n.group_labels)},
                         {"CommonLabels", TValue::FromLabels(n.common_labels)},
                         {"CommonAnnotations", TValue::FromLabels(n.common_annotations)},
                         {"ExternalURL", TValue::String(n.external_url)}},
                        "template.Data");
}

std::string Expand(const std::string& text, const TValue& data, const Notification& n) {
  if (text.find("{{") == std::string::npos) return text;
  auto t = Template::Parse(text, "notification", n.templates);
  if (!t.ok()) return "<error expanding template: " + t.status().message() + ">";
  TemplateContext ctx;
  ctx.dot = data;
  ctx.external_url = n.external_url;
  auto r = (*t)->Execute(ctx);
  return r.ok() ? *r : "<error expanding template: " + r.status().message() + ">";
}

std::string TestMarked(const Notification& n, std::string text) {
  return n.test ? "[TEST] " + text : text;
}

std::string DefaultSubject(const Notification& n) {
  std::string s = "[" + std::string(n.status == "firing" ? "FIRING:" + std::to_string(n.NumFiring()) : "RESOLVED") + "] ";
  std::string values;
  for (const auto& l : n.group_labels) values += (values.empty() ? "" : " ") + l.value;
  s += values + " ";
  if (n.common_labels.size() > n.group_labels.size()) {
    std::string extra;
    for (const auto& l : n.common_labels) {
      if (!n.group_labels.Has(l.name)) extra += (extra.empty() ? "" : " ") + l.value;
    }
    s += "(" + extra + ")";
  }
  return s;
}

std::string AlertmanagerUrl(const Notification& n) {
  return n.external_url + "/#/alerts?receiver=" + UrlEscape(n.receiver, /*space_as_plus=*/true);
}

std::string TextAlertList(const Notification& n, bool firing, bool markdown) {
  const char* item = markdown ? "  - " : " - ";
  std::string out;
  for (size_t i = 0; i < n.alerts.size(); ++i) {
    if (n.resolved[i] == firing) continue;
    const NotifyAlert& a = *n.alerts[i];
    out += markdown ? "\nLabels:\n" : "Labels:\n";
    for (const auto& l : a.labels) out += item + l.name + " = " + l.value + "\n";
    out += markdown ? "\nAnnotations:\n" : "Annotations:\n";
    for (const auto& l : a.annotations) out += item + l.name + " = " + l.value + "\n";
    out += (markdown ? "\nSource: " : "Source: ") + a.generator_url + "\n";
  }
  if (markdown) out += "\n";
  return out;
}

std::string GroupKeyHash(const std::string& group_key) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(group_key.data(), group_key.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  char b[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(b, sizeof(b), "%02x", md[i]);
    out += b;
  }
  return out;
}

std::string TruncateRunes(const std::string& s, size_t n) {
  // Byte offsets of code point starts (continuation bytes are 10xxxxxx).
  std::vector<size_t> starts;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  if (starts.size() <= n) return s;
  if (n <= 3) return s.substr(0, starts[n]);
  return s.substr(0, starts[n - 1]) + "\xE2\x80\xA6";
}

}  // namespace tidemark::alerting
