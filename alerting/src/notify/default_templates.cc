// The named templates receivers' default texts call, with the names and output of
// Alertmanager's default.tmpl, written for our engine (it has no .SortedPairs/.Remove methods,
// so the subject walks the label maps, which range in sorted key order like SortedPairs).
#include "notify/router.h"

namespace tidemark::alerting {

std::string_view DefaultNotificationTemplates() {
  return R"tmpl({{ define "__alertmanager" }}Alertmanager{{ end }}
{{ define "__alertmanagerURL" }}{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}{{ end }}
{{ define "__subject" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}]
{{- " " }}{{ $gsep := "" }}{{ range .GroupLabels }}{{ $gsep }}{{ . }}{{ $gsep = " " }}{{ end }} {{ if gt (len .CommonLabels) (len .GroupLabels) -}}
({{ $csep := "" }}{{ range $k, $v := .CommonLabels }}{{ if not (index $.GroupLabels $k) }}{{ $csep }}{{ $v }}{{ $csep = " " }}{{ end }}{{ end }})
{{- end }}{{ end }}
{{ define "slack.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "slack.default.username" }}{{ template "__alertmanager" . }}{{ end }}
{{ define "slack.default.fallback" }}{{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}{{ end }}
{{ define "slack.default.callbackid" }}{{ end }}
{{ define "slack.default.pretext" }}{{ end }}
{{ define "slack.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{ define "slack.default.iconemoji" }}{{ end }}
{{ define "slack.default.iconurl" }}{{ end }}
{{ define "slack.default.text" }}{{ end }}
{{ define "slack.default.footer" }}{{ end }}
)tmpl";
}

}  // namespace tidemark::alerting
