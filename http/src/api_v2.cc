// Alertmanager's API v2 (0.25) over the built-in router: /api/v2/alerts, /alerts/groups,
// /silences, /silence/{id}, /status and /receivers, in the JSON shapes Alertmanager answers,
// so amtool and Grafana's Alertmanager data source work unchanged.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

#include "api_common.h"
#include "request_bodies.h"
#include "tidemark/alerting/alertmanager_api.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::http::api {

namespace {

using Json = nlohmann::ordered_json;
using alerting::AlertmanagerApi;
using alerting::ApiAlert;
using alerting::Silence;

std::string AmTime(Timestamp ms) { return FormatGoTime(ms, Rfc3339Fraction::kMillis); }

HttpResponse JsonResponse(int status, const Json& j, bool newline = true) {
  HttpResponse r;
  r.status = status;
  r.body = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  // Go's json.Encoder, which go-openapi's responders write with, ends a document with a newline;
  // its parameter validation errors are written without one.
  if (newline) r.body += '\n';
  return r;
}

// go-openapi's answers: handler errors are a bare JSON string, parameter validation errors an
// object with a code.
HttpResponse ErrorString(int status, const std::string& msg) { return JsonResponse(status, Json(msg)); }
HttpResponse ValidationError(int status, int code, const std::string& msg) {
  return JsonResponse(status, Json{{"code", code}, {"message", msg}}, /*newline=*/false);
}

Json LabelsObject(const Labels& l) {
  Json j = Json::object();
  for (const auto& x : l) j[x.name] = x.value;
  return j;
}

Json StringArray(const std::vector<std::string>& v) {
  Json j = Json::array();
  for (const auto& s : v) j.push_back(s);
  return j;
}

Json AlertJson(const ApiAlert& a) {
  Json receivers = Json::array();
  for (const auto& r : a.receivers) receivers.push_back({{"name", r}});
  Json j = {{"annotations", LabelsObject(a.annotations)},
            {"endsAt", AmTime(a.ends_at)},
            {"fingerprint", a.fingerprint},
            {"receivers", receivers},
            {"startsAt", AmTime(a.starts_at)},
            {"status",
             {{"inhibitedBy", StringArray(a.inhibited_by)},
              {"silencedBy", StringArray(a.silenced_by)},
              {"state", a.state}}},
            {"updatedAt", AmTime(a.updated_at)}};
  if (!a.generator_url.empty()) j["generatorURL"] = a.generator_url;  // omitempty
  j["labels"] = LabelsObject(a.labels);
  return j;
}

Json SilenceJson(const Silence& s, Timestamp now) {
  Json matchers = Json::array();
  for (const auto& m : s.matchers) {
    matchers.push_back(
        {{"isEqual", m.is_equal}, {"isRegex", m.is_regex}, {"name", m.name}, {"value", m.value}});
  }
  return {{"id", s.id},
          {"status", {{"state", alerting::SilenceStateName(alerting::SilenceStateAt(s, now))}}},
          {"updatedAt", AmTime(s.updated_at)},
          {"comment", s.comment},
          {"createdBy", s.created_by},
          {"endsAt", AmTime(s.ends_at)},
          {"matchers", matchers},
          {"startsAt", AmTime(s.starts_at)}};
}

// The API's default when absent; as go-openapi converts them, "1", "t", "true", "y", "yes",
// "on" (any case) are true and anything else is false, never an error.
bool BoolParam(const HttpRequest& r, const std::string& name, bool dflt) {
  if (!r.HasParam(name)) return dflt;
  std::string v = r.Param(name);
  for (char& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return v == "1" || v == "t" || v == "true" || v == "y" || v == "yes" || v == "on" || v == "ok";
}

Result<Matchers> FilterParam(const HttpRequest& r) {
  Matchers out;
  for (const auto& f : r.ParamAll("filter")) {
    TM_ASSIGN_OR_RETURN(Matcher m, alerting::ParseAmMatcher(f));
    out.push_back(std::move(m));
  }
  return out;
}

// The parameters GET /alerts and /alerts/groups share (Alertmanager's alertFilter and receiver
// filter).
struct AlertQuery {
  Matchers matchers;
  bool active = true, silenced = true, inhibited = true;
  std::optional<Matcher> receiver;  // an anchored RE2 regex, as Alertmanager's Go regexp is

  bool ReceiverOk(const std::string& name) const { return !receiver || receiver->Matches(name); }
  bool operator()(const ApiAlert& a) const {
    if (!active && a.state == "active") return false;
    if (!silenced && !a.silenced_by.empty()) return false;
    if (!inhibited && !a.inhibited_by.empty()) return false;
    return alerting::MatchesFilter(matchers, a.labels);
  }
};

// Parses filter/active/silenced/inhibited/unprocessed/receiver; on error fills *err.
bool ParseAlertQuery(const HttpRequest& r, AlertQuery* q, HttpResponse* err) {
  q->active = BoolParam(r, "active", true);
  q->silenced = BoolParam(r, "silenced", true);
  q->inhibited = BoolParam(r, "inhibited", true);
  // `unprocessed` is accepted and, as in Alertmanager 0.25, has no effect: every listed alert
  // has been processed.
  auto m = FilterParam(r);
  if (!m.ok()) {
    *err = ErrorString(400, m.status().message());
    return false;
  }
  q->matchers = std::move(*m);
  if (r.HasParam("receiver")) {
    auto re = Matcher::Make(MatchType::kRegexMatch, "receiver", r.Param("receiver"));
    if (!re.ok()) {
      *err = ErrorString(400, "failed to parse receiver param: " + re.status().message());
      return false;
    }
    q->receiver = std::move(*re);
  }
  return true;
}

HttpResponse Unavailable() { return ErrorString(503, "the Alertmanager API needs the rule manager"); }

// GET /api/v2/alerts (`groups` false) and /api/v2/alerts/groups (true).
HttpResponse ListAlerts(Context& c, HttpRequest& r, bool groups) {
  AlertmanagerApi* am = c.b.alertmanager;
  AlertQuery q;
  HttpResponse err;
  if (am == nullptr) return Unavailable();
  if (!ParseAlertQuery(r, &q, &err)) return err;
  Json out = Json::array();
  if (!groups) {
    for (const auto& a : am->Alerts()) {
      if (q.receiver && std::none_of(a.receivers.begin(), a.receivers.end(),
                                     [&](const std::string& n) { return q.ReceiverOk(n); })) {
        continue;
      }
      if (q(a)) out.push_back(AlertJson(a));
    }
    return JsonResponse(200, out);
  }
  for (const auto& g : am->AlertGroups([&](const std::string& n) { return q.ReceiverOk(n); }, q)) {
    Json alerts = Json::array();
    for (const auto& a : g.alerts) alerts.push_back(AlertJson(a));
    out.push_back({{"alerts", alerts}, {"labels", LabelsObject(g.labels)}, {"receiver", {{"name", g.receiver}}}});
  }
  return JsonResponse(200, out);
}

HttpResponse GetAlerts(Context& c, HttpRequest& r) { return ListAlerts(c, r, false); }
HttpResponse GetAlertGroups(Context& c, HttpRequest& r) { return ListAlerts(c, r, true); }

HttpResponse GetSilences(Context& c, HttpRequest& r) {
  AlertmanagerApi* am = c.b.alertmanager;
  if (am == nullptr) return Unavailable();
  auto filter = FilterParam(r);
  if (!filter.ok()) return ErrorString(400, filter.status().message());
  const Timestamp now = am->Now();
  std::vector<Silence> sils;
  for (auto& s : am->ListSilences()) {
    if (alerting::SilenceHasMatchers(s, *filter)) sils.push_back(std::move(s));
  }
  alerting::SortSilencesForApi(sils, now);
  Json out = Json::array();
  for (const auto& s : sils) out.push_back(SilenceJson(s, now));
  return JsonResponse(200, out);
}

// go-openapi checks {silenceID} against the uuid format before the handler runs.
bool IsUuid(const std::string& s) {
  size_t hex = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-' && (i == 8 || i == 13 || i == 18 || i == 23)) continue;
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    ++hex;
  }
  return hex == 32 && (s.size() == 32 || s.size() == 36);
}

HttpResponse SilenceIdError(const std::string& id) {
  return ValidationError(422, 601, "silenceID in path must be of type uuid: \"" + id + "\"");
}

HttpResponse GetSilence(Context& c, HttpRequest& r) {
  AlertmanagerApi* am = c.b.alertmanager;
  if (am == nullptr) return Unavailable();
  const std::string id = r.path_vars["id"];
  if (!IsUuid(id)) return SilenceIdError(id);
  auto s = am->GetSilence(id);
  if (!s) {
    HttpResponse nf;
    nf.status = 404;
    return nf;  // Alertmanager's 404 here has no body
  }
  return JsonResponse(200, SilenceJson(*s, am->Now()));
}

HttpResponse DeleteSilence(Context& c, HttpRequest& r) {
  AlertmanagerApi* am = c.b.alertmanager;
  if (am == nullptr) return Unavailable();
  const std::string id = r.path_vars["id"];
  if (!IsUuid(id)) return SilenceIdError(id);
  Status s = am->ExpireSilence(id);
  // Alertmanager 0.25 answers every failure here, an unknown id included, with a 500.
  if (!s.ok()) return ErrorString(500, s.message());
  HttpResponse ok;
  ok.body = "";
  return ok;
}

HttpResponse PostSilences(Context& c, HttpRequest& r) {
  AlertmanagerApi* am = c.b.alertmanager;
  if (am == nullptr) return Unavailable();
  Silence s;
  BodyError err;
  if (!ParsePostableSilence(r.body, &s, &err)) return ValidationError(err.status, err.code, err.message);
  auto id = am->SetSilence(std::move(s));
  if (!id.ok()) {
    const Status& st = id.status();
    if (st.code() == StatusCode::kNotFound) return ErrorString(404, st.message());
    if (st.code() == StatusCode::kInvalidArgument) return ErrorString(400, st.message());
    return ErrorString(500, st.message());
  }
  return JsonResponse(200, Json{{"silenceID", *id}});
}

HttpResponse GetStatus(Context& c, HttpRequest&) {
  const int64_t start = c.state ? c.state->start_time_ms.load() : 0;
  const std::string original = c.b.control ? c.b.control->NotificationConfigYaml() : "";
  // The Alertmanager release whose API this is (clients decide features by it), built by us.
  Json version = {{"branch", c.b.build_info.branch},
                  {"buildDate", c.b.build_info.build_date},
                  {"buildUser", c.b.build_info.build_user},
                  {"goVersion", c.b.build_info.go_version},
                  {"revision", c.b.build_info.revision},
                  {"version", "0.25.0"}};
  return JsonResponse(200, Json{{"cluster", {{"peers", Json::array()}, {"status", "disabled"}}},
                                {"config", {{"original", original}}},
                                {"uptime", AmTime(start)},
                                {"versionInfo", version}});
}

HttpResponse GetReceivers(Context& c, HttpRequest&) {
  Json out = Json::array();
  if (c.b.alertmanager != nullptr) {
    for (const auto& name : c.b.alertmanager->Receivers()) out.push_back({{"name", name}});
  }
  return JsonResponse(200, out);
}

}  // namespace

void RegisterAlertmanagerRoutes(Router& router, std::shared_ptr<Context> ctx) {
  auto add = [&](std::string method, std::string pattern, std::string name,
                 HttpResponse (*fn)(Context&, HttpRequest&)) {
    // Silence writes wait for a synced store write: not on an I/O thread.
    const Pool pool = method == "GET" ? Pool::kInline : Pool::kBlocking;
    router.Add({{method}, std::move(pattern), std::move(name), pool, false,
                [ctx, fn](HttpRequest& r) { return fn(*ctx, r); }});
  };
  add("GET", "/api/v2/alerts", "v2_alerts", GetAlerts);
  add("GET", "/api/v2/alerts/groups", "v2_alert_groups", GetAlertGroups);
  add("GET", "/api/v2/silences", "v2_silences", GetSilences);
  add("POST", "/api/v2/silences", "v2_silences_post", PostSilences);
  add("GET", "/api/v2/silence/:id", "v2_silence", GetSilence);
  add("DELETE", "/api/v2/silence/:id", "v2_silence_delete", DeleteSilence);
  add("GET", "/api/v2/status", "v2_status", GetStatus);
  add("GET", "/api/v2/receivers", "v2_receivers", GetReceivers);
}

}  // namespace tidemark::http::api
