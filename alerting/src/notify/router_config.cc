// Parses Alertmanager-schema notification config (route tree, receivers, inhibit_rules,
// time_intervals).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "notify/config_util.h"
#include "notify/email.h"
#include "notify/msteams.h"
#include "notify/opsgenie.h"
#include "notify/pagerduty.h"
#include "notify/router.h"
#include "tidemark/alerting/rule_file.h"
#include "tidemark/storage/model/closest_name.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::alerting {

std::string LineOf(const YAML::Node& n) {
  return n.Mark().is_null() ? "" : "line " + std::to_string(n.Mark().line + 1) + ": ";
}

Status KeysIn(const YAML::Node& n, const std::set<std::string>& known, const std::string& what) {
  if (!n.IsMap()) return Status::InvalidArgument(LineOf(n) + what + ": expected a mapping");
  for (const auto& kv : n) {
    const std::string k = kv.first.Scalar();
    if (known.count(k) != 0) continue;
    std::string msg = LineOf(kv.first) + "unknown field \"" + k + "\" in " + what;
    // The closest valid field, if it is plausibly a typo of it (here judged by the typed
    // name's length alone).
    const std::string best = ClosestName(k, std::vector<std::string>(known.begin(), known.end()));
    if (!best.empty() && EditDistance(k, best) <= std::max<size_t>(2, k.size() / 3)) {
      msg += "; did you mean \"" + best + "\"?";
    }
    return Status::InvalidArgument(msg);
  }
  return Status::OK();
}

namespace {

Result<int64_t> Duration(const YAML::Node& n, int64_t def) {
  if (!n || n.IsNull()) return def;
  auto d = ParsePromDuration(n.Scalar());
  if (!d.ok()) return Status::InvalidArgument(LineOf(n) + d.status().message());
  return d;
}

// Alertmanager's defaults, then each `templates:` glob (relative to the config file's
// directory) in order; a later define replaces an earlier one of the same name.
Result<std::shared_ptr<const Template>> LoadTemplates(const YAML::Node& globs, const std::string& base_dir) {
  auto defaults = Template::Parse(DefaultNotificationTemplates(), "default.tmpl");
  if (!defaults.ok()) return Status::Internal("default templates: " + defaults.status().message());
  std::shared_ptr<const Template> set = *defaults;
  if (!globs || globs.IsNull()) return set;
  if (!globs.IsSequence()) return Status::InvalidArgument(LineOf(globs) + "templates: expected a list of file globs");
  std::vector<std::string> patterns;
  for (const auto& g : globs) {
    std::filesystem::path p(g.Scalar());
    if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
    patterns.push_back(p.string());
  }
  for (const auto& file : ExpandGlobs(patterns)) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return Status::InvalidArgument("templates: cannot read " + file);
    auto t = Template::Parse(text.str(), std::filesystem::path(file).filename().string(), set.get());
    if (!t.ok()) return Status::InvalidArgument("templates: " + file + ": " + t.status().message());
    set = *t;
  }
  return set;
}

// Alertmanager 0.25's matcher value (pkg/labels ParseMatcher): optionally in double quotes;
// \n, \" and \\ are escapes, any other backslash is kept as a literal one; a double quote
// inside must be escaped.
Result<std::string> UnescapeMatcherValue(std::string_view raw) {
  const bool quoted = !raw.empty() && raw.front() == '"';
  std::string_view v = quoted ? raw.substr(1) : raw;
  if (!IsValidUtf8(v)) {
    return Status::InvalidArgument("matcher value not valid UTF-8: " + std::string(raw));
  }
  const auto unescaped_quote = [&] {
    return Status::InvalidArgument("matcher value contains unescaped double quote: " +
                                   std::string(raw));
  };
  std::string out;
  bool closed = !quoted;
  for (size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (c == '\\' && i + 1 < v.size()) {
      const char e = v[++i];
      if (e == 'n') {
        out += '\n';
      } else {
        if (e != '"' && e != '\\') out += '\\';
        out += e;
      }
    } else if (c == '"') {
      if (closed || i + 1 != v.size()) return unescaped_quote();
      closed = true;
    } else {
      out += c;
    }
  }
  if (!closed) return unescaped_quote();
  return out;
}

// `name="value"`, `name=~"re"`, `name!=value`, `name!~value` (Alertmanager matcher syntax).
Result<Matcher> ParseMatcherString(std::string s) {
  if (s.size() >= 2 && s.front() == '{' && s.back() == '}') s = s.substr(1, s.size() - 2);
  size_t op = s.find_first_of("=!");
  if (op == std::string::npos || op == 0) return Status::InvalidArgument("bad matcher: " + s);
  std::string name = s.substr(0, op);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  while (!name.empty() && name.front() == ' ') name.erase(0, 1);
  MatchType type;
  size_t vstart;
  if (s.compare(op, 2, "=~") == 0) {
    type = MatchType::kRegexMatch;
    vstart = op + 2;
  } else if (s.compare(op, 2, "!=") == 0) {
    type = MatchType::kNotEqual;
    vstart = op + 2;
  } else if (s.compare(op, 2, "!~") == 0) {
    type = MatchType::kRegexNoMatch;
    vstart = op + 2;
  } else if (s[op] == '=') {
    type = MatchType::kEqual;
    vstart = op + 1;
  } else {
    return Status::InvalidArgument("bad matcher: " + s);
  }
  std::string value = s.substr(vstart);
  while (!value.empty() && value.front() == ' ') value.erase(0, 1);
  while (!value.empty() && value.back() == ' ') value.pop_back();
  TM_ASSIGN_OR_RETURN(value, UnescapeMatcherValue(value));
  return Matcher::Make(type, name, value);
}

// YAML aliases let a few lines name a route tree of any size (or a cycle); Go's YAML parser
// refuses such "excessive aliasing", and so do we, by bounding depth and count.
constexpr int kMaxRouteDepth = 64;
constexpr size_t kMaxRoutes = 10'000;

Status ParseRoute(const YAML::Node& n, const Route* parent, Route* r, int depth, size_t* budget) {
  if (depth > kMaxRouteDepth) {
    return Status::InvalidArgument("route: nested more than " + std::to_string(kMaxRouteDepth) + " levels deep");
  }
  if (*budget == 0) {
    return Status::InvalidArgument("route: more than " + std::to_string(kMaxRoutes) +
                                   " routes (excessive aliasing?)");
  }
  --*budget;
  TM_RETURN_IF_ERROR(KeysIn(n, {"receiver", "group_by", "group_wait", "group_interval",
                                "repeat_interval", "matchers", "match", "match_re", "continue",
                                "routes", "mute_time_intervals", "active_time_intervals"},
                            "route"));
  if (parent) {
    r->receiver = parent->receiver;
    r->group_by = parent->group_by;
    r->group_by_all = parent->group_by_all;
    r->group_wait_ms = parent->group_wait_ms;
    r->group_interval_ms = parent->group_interval_ms;
    r->repeat_interval_ms = parent->repeat_interval_ms;
  }
  if (n["receiver"]) r->receiver = n["receiver"].Scalar();
  if (const auto gb = n["group_by"]; gb && !gb.IsNull()) {
    r->group_by.clear();
    r->group_by_all = false;
    for (const auto& g : gb) {
      if (g.Scalar() == "...") {
        r->group_by_all = true;
      } else {
        r->group_by.push_back(g.Scalar());
      }
    }
  }
  TM_ASSIGN_OR_RETURN(r->group_wait_ms, Duration(n["group_wait"], r->group_wait_ms));
  TM_ASSIGN_OR_RETURN(r->group_interval_ms, Duration(n["group_interval"], r->group_interval_ms));
  TM_ASSIGN_OR_RETURN(r->repeat_interval_ms, Duration(n["repeat_interval"], r->repeat_interval_ms));
  if (r->group_interval_ms <= 0) return Status::InvalidArgument("group_interval cannot be zero");
  if (n["continue"]) r->cont = n["continue"].as<bool>();
  for (const auto& name : n["mute_time_intervals"]) r->mute_time_intervals.push_back(name.Scalar());
  for (const auto& name : n["active_time_intervals"]) r->active_time_intervals.push_back(name.Scalar());
  std::string keypart;
  if (const auto ms = n["matchers"]; ms && !ms.IsNull()) {
    for (const auto& m : ms) {
      TM_ASSIGN_OR_RETURN(Matcher mm, ParseMatcherString(m.Scalar()));
      r->matchers.push_back(std::move(mm));
    }
  }
  if (const auto ms = n["match"]; ms && !ms.IsNull()) {
    for (const auto& kv : ms) {
      TM_ASSIGN_OR_RETURN(Matcher mm, Matcher::Make(MatchType::kEqual, kv.first.Scalar(),
                                                    kv.second.Scalar()));
      r->matchers.push_back(std::move(mm));
    }
  }
  if (const auto ms = n["match_re"]; ms && !ms.IsNull()) {
    for (const auto& kv : ms) {
      TM_ASSIGN_OR_RETURN(Matcher mm, Matcher::Make(MatchType::kRegexMatch, kv.first.Scalar(),
                                                    kv.second.Scalar()));
      r->matchers.push_back(std::move(mm));
    }
  }
  // Alertmanager's matcher String() in route keys escapes values as OpenMetrics does, not %q.
  for (const auto& m : r->matchers) {
    keypart += (keypart.empty() ? "" : ",") + m.name() + std::string(MatchTypeString(m.type())) +
               "\"" + EscapeLabelValue(m.value()) + "\"";
  }
  r->key = parent ? parent->key + "/{" + keypart + "}" : "{}";
  if (const auto rs = n["routes"]; rs && !rs.IsNull()) {
    for (const auto& c : rs) {
      Route child;
      TM_RETURN_IF_ERROR(ParseRoute(c, r, &child, depth + 1, budget));
      r->routes.push_back(std::move(child));
    }
    // Sibling routes with equal matchers get an index suffix in Alertmanager; keep keys unique.
    for (size_t i = 0; i < r->routes.size(); ++i) r->routes[i].key += "/" + std::to_string(i);
  }
  return Status::OK();
}

}  // namespace

bool BoolOr(const YAML::Node& n, bool def) { return n ? n.as<bool>() : def; }
std::string StrOr(const YAML::Node& n, const std::string& def) {
  return n && !n.IsNull() ? n.Scalar() : def;
}

// An integration's HTTP client: its own http_config, else global.http_config (as Alertmanager),
// whose client all such integrations share (loading the system CA store is not free).
Result<std::shared_ptr<const httpclient::Client>> IntegrationClient(
    const YAML::Node& n, const std::string& where, const std::string& base_dir,
    const httpclient::ClientConfig& global, std::shared_ptr<const httpclient::Client>* global_client) {
  const auto h = n["http_config"];
  if ((!h || h.IsNull()) && *global_client) return *global_client;
  httpclient::ClientConfig hc = global;
  if (h && !h.IsNull()) {
    TM_ASSIGN_OR_RETURN(hc, httpclient::ParseClientConfig(h, where + ".http_config", base_dir));
  }
  auto client = httpclient::Client::Create(std::move(hc));
  if (client.ok() && (!h || h.IsNull())) *global_client = *client;
  if (!client.ok()) return Status::InvalidArgument(where + ".http_config." + client.status().message());
  return client;
}

// `url` or `url_file` (exactly one unless `fallback` supplies the value).
Result<std::string> UrlOrFile(const YAML::Node& n, const std::string& where, const char* key,
                              const char* file_key, const std::string& base_dir,
                              const std::string& fallback) {
  const std::string url = StrOr(n[key], ""), file = StrOr(n[file_key], "");
  if (!url.empty() && !file.empty()) {
    return Status::InvalidArgument(where + ": at most one of " + key + " & " + file_key +
                                   " must be configured");
  }
  std::string out = url;
  if (!file.empty()) {
    TM_ASSIGN_OR_RETURN(out, httpclient::ReadConfigFile(file, base_dir, where + "." + file_key));
  }
  if (out.empty()) out = fallback;
  if (out.empty()) {
    return Status::InvalidArgument(where + ": one of " + std::string(key) + " or " + file_key +
                                   " must be configured");
  }
  if (out.rfind("http://", 0) != 0 && out.rfind("https://", 0) != 0) {
    // Never echo the URL: it is a secret.
    return Status::InvalidArgument(where + "." + (file.empty() ? key : file_key) +
                                   ": not an http:// or https:// URL");
  }
  return out;
}

namespace {

// `time_intervals:` and the older `mute_time_intervals:` share one namespace of names.
Status ParseTimeIntervals(const YAML::Node& root, TimeIntervals* out) {
  for (const char* section : {"mute_time_intervals", "time_intervals"}) {
    for (const auto& ti : root[section]) {
      const std::string what = std::string(section) == "time_intervals" ? "time interval" : "mute time interval";
      TM_RETURN_IF_ERROR(KeysIn(ti, {"name", "time_intervals"}, section));
      const std::string name = StrOr(ti["name"], "");
      if (name.empty()) return Status::InvalidArgument("missing name in " + what);
      if (out->count(name) != 0) return Status::InvalidArgument(what + " \"" + name + "\" is not unique");
      std::vector<TimeInterval>& list = (*out)[name];
      for (const auto& spec : ti["time_intervals"]) {
        TM_ASSIGN_OR_RETURN(TimeInterval t, ParseTimeInterval(spec, what + " \"" + name + "\""));
        list.push_back(std::move(t));
      }
    }
  }
  return Status::OK();
}

// Inhibit rules: source/target as match, match_re and matchers together, and equal.
Result<InhibitRule> ParseInhibitRule(const YAML::Node& ir) {
  TM_RETURN_IF_ERROR(KeysIn(ir, {"source_match", "source_match_re", "source_matchers", "target_match",
                                 "target_match_re", "target_matchers", "equal"},
                            "inhibit rule"));
  InhibitRule rule;
  for (const char* prefix : {"source", "target"}) {
    Matchers& side = prefix[0] == 's' ? rule.source : rule.target;
    const std::string p = prefix;
    for (const auto& kv : ir[p + "_match"]) {
      TM_ASSIGN_OR_RETURN(Matcher mm, Matcher::Make(MatchType::kEqual, kv.first.Scalar(), kv.second.Scalar()));
      side.push_back(std::move(mm));
    }
    for (const auto& kv : ir[p + "_match_re"]) {
      auto mm = Matcher::Make(MatchType::kRegexMatch, kv.first.Scalar(), kv.second.Scalar());
      if (!mm.ok()) return Status::InvalidArgument(p + "_match_re: " + mm.status().message());
      side.push_back(std::move(mm).value());
    }
    for (const auto& m : ir[p + "_matchers"]) {
      TM_ASSIGN_OR_RETURN(Matcher mm, ParseMatcherString(m.Scalar()));
      side.push_back(std::move(mm));
    }
  }
  for (const auto& e : ir["equal"]) rule.equal.push_back(e.Scalar());
  return rule;
}

// Every time interval a route names must exist.
Status CheckRouteTimeIntervals(const Route& r, const TimeIntervals& intervals) {
  for (const auto* names : {&r.mute_time_intervals, &r.active_time_intervals}) {
    for (const auto& name : *names) {
      if (intervals.count(name) == 0) {
        return Status::InvalidArgument("undefined time interval \"" + name + "\" used in route");
      }
    }
  }
  for (const auto& c : r.routes) TM_RETURN_IF_ERROR(CheckRouteTimeIntervals(c, intervals));
  return Status::OK();
}

}  // namespace

Result<RouterConfig> ParseRouterConfig(const std::string& text, const std::string& base_dir) {
  RouterConfig cfg;
  try {
    YAML::Node root = YAML::Load(text);
    TM_RETURN_IF_ERROR(KeysIn(root, {"global", "route", "receivers", "inhibit_rules", "templates",
                                     "time_intervals", "mute_time_intervals"},
                              "notifications"));
    TM_ASSIGN_OR_RETURN(cfg.templates, LoadTemplates(root["templates"], base_dir));
    std::string global_slack;
    httpclient::ClientConfig global_http;
    std::shared_ptr<const httpclient::Client> global_client;
    IntegrationDefaults defaults;
    defaults.base_dir = base_dir;
    defaults.http_client = &global_client;
    if (const auto g = root["global"]; g && !g.IsNull()) {
      std::set<std::string> global_keys = {"slack_api_url", "slack_api_url_file", "http_config", "resolve_timeout"};
      global_keys.insert(IntegrationGlobalKeys().begin(), IntegrationGlobalKeys().end());
      TM_RETURN_IF_ERROR(KeysIn(g, global_keys, "global"));
      TM_RETURN_IF_ERROR(ParseIntegrationGlobals(g, &defaults));
      // resolve_timeout only concerns alerts without an end time; ours always carry one.
      TM_RETURN_IF_ERROR(Duration(g["resolve_timeout"], 0).status());
      if (const auto h = g["http_config"]; h && !h.IsNull()) {
        TM_ASSIGN_OR_RETURN(global_http, httpclient::ParseClientConfig(h, "global.http_config", base_dir));
        defaults.http = global_http;
      }
      if (g["slack_api_url"] || g["slack_api_url_file"]) {
        TM_ASSIGN_OR_RETURN(global_slack, UrlOrFile(g, "global", "slack_api_url", "slack_api_url_file",
                                                    base_dir, ""));
      }
    }
    if (!root["route"]) return Status::InvalidArgument("no route provided in config");
    size_t route_budget = kMaxRoutes;
    TM_RETURN_IF_ERROR(ParseRoute(root["route"], nullptr, &cfg.root, 0, &route_budget));
    if (!cfg.root.matchers.empty()) return Status::InvalidArgument("root route must not have any matchers");
    if (!cfg.root.mute_time_intervals.empty()) {
      return Status::InvalidArgument("root route must not have any mute time intervals");
    }
    if (!cfg.root.active_time_intervals.empty()) {
      return Status::InvalidArgument("root route must not have any active time intervals");
    }
    TM_RETURN_IF_ERROR(ParseTimeIntervals(root, &cfg.time_intervals));
    TM_RETURN_IF_ERROR(CheckRouteTimeIntervals(cfg.root, cfg.time_intervals));
    if (cfg.root.receiver.empty()) return Status::InvalidArgument("root route must specify a default receiver");
    std::set<std::string> names;
    for (const auto& rn : root["receivers"]) {
      Receiver rc;
      rc.name = StrOr(rn["name"], "");
      if (rc.name.empty()) return Status::InvalidArgument("missing name in receiver");
      if (!names.insert(rc.name).second) {
        return Status::InvalidArgument("notification config name \"" + rc.name + "\" is not unique");
      }
      using Parser = Result<std::shared_ptr<const IntegrationKind>> (*)(const YAML::Node&, const std::string&,
                                                                    const IntegrationDefaults&);
      static const std::vector<std::pair<std::string, Parser>> kIntegrations = {
          {"pagerduty_configs", &ParsePagerduty},
          {"email_configs", &ParseEmail},
          {"msteams_configs", &ParseMsTeams},
          {"opsgenie_configs", &ParseOpsgenie}};
      std::string unsupported;
      for (const auto& kv : rn) {
        const std::string k = kv.first.Scalar();
        if (k == "name" || k == "webhook_configs" || k == "slack_configs") continue;
        if (std::any_of(kIntegrations.begin(), kIntegrations.end(), [&](const auto& p) { return p.first == k; })) continue;
        unsupported += (unsupported.empty() ? "" : ", ") + k;
      }
      if (!unsupported.empty()) {
        return Status::InvalidArgument("receiver \"" + rc.name +
                                       "\": unsupported receiver kind(s): " + unsupported +
                                       " (supported: webhook_configs, slack_configs, pagerduty_configs, "
                                       "email_configs, msteams_configs, opsgenie_configs)");
      }
      for (const auto& [key, parse] : kIntegrations) {
        size_t i = 0;
        for (const auto& node : rn[key]) {
          const std::string where = "receiver \"" + rc.name + "\": " + key + "[" + std::to_string(i++) + "]";
          TM_ASSIGN_OR_RETURN(auto integration, parse(node, where, defaults));
          rc.kinds.push_back(std::move(integration));
        }
      }
      for (const auto& w : rn["webhook_configs"]) {
        const std::string where = "receiver \"" + rc.name + "\": webhook_configs[" +
                                  std::to_string(rc.webhooks.size()) + "]";
        TM_RETURN_IF_ERROR(KeysIn(w, {"url", "send_resolved", "max_alerts", "http_config", "url_file", "timeout"},
                                  "webhook_config"));
        WebhookConfig wc;
        TM_ASSIGN_OR_RETURN(wc.url, UrlOrFile(w, where, "url", "url_file", base_dir, ""));
        wc.send_resolved = BoolOr(w["send_resolved"], true);
        wc.max_alerts = w["max_alerts"] ? w["max_alerts"].as<int>() : 0;
        TM_ASSIGN_OR_RETURN(wc.timeout_ms, Duration(w["timeout"], 0));
        TM_ASSIGN_OR_RETURN(wc.client, IntegrationClient(w, where, base_dir, global_http, &global_client));
        rc.webhooks.push_back(std::move(wc));
      }
      for (const auto& s : rn["slack_configs"]) {
        const std::string where = "receiver \"" + rc.name + "\": slack_configs[" +
                                  std::to_string(rc.slacks.size()) + "]";
        TM_RETURN_IF_ERROR(KeysIn(s, {"api_url", "channel", "username", "title", "title_link",
                                      "text", "color", "send_resolved", "icon_url", "icon_emoji",
                                      "pretext", "fallback", "footer", "http_config", "api_url_file",
                                      "short_fields", "link_names", "mrkdwn_in"},
                                  "slack_config"));
        SlackConfig sc;
        TM_ASSIGN_OR_RETURN(sc.api_url, UrlOrFile(s, where, "api_url", "api_url_file", base_dir, global_slack));
        TM_ASSIGN_OR_RETURN(sc.client, IntegrationClient(s, where, base_dir, global_http, &global_client));
        sc.channel = StrOr(s["channel"], sc.channel);
        sc.username = StrOr(s["username"], sc.username);
        sc.title = StrOr(s["title"], sc.title);
        sc.title_link = StrOr(s["title_link"], sc.title_link);
        sc.text = StrOr(s["text"], sc.text);
        sc.color = StrOr(s["color"], sc.color);
        sc.pretext = StrOr(s["pretext"], sc.pretext);
        sc.fallback = StrOr(s["fallback"], sc.fallback);
        sc.footer = StrOr(s["footer"], sc.footer);
        sc.icon_url = StrOr(s["icon_url"], sc.icon_url);
        sc.icon_emoji = StrOr(s["icon_emoji"], sc.icon_emoji);
        sc.link_names = BoolOr(s["link_names"], false);
        // short_fields only sets the default `short` of `fields`, which are refused above, so
        // it has nothing to act on (as in Alertmanager without fields).
        (void)BoolOr(s["short_fields"], false);
        if (auto m = s["mrkdwn_in"]) {
          if (!m.IsSequence()) {
            return Status::InvalidArgument(where + ": mrkdwn_in must be a list of field names");
          }
          sc.mrkdwn_in.clear();
          for (const auto& f : m) sc.mrkdwn_in.push_back(f.Scalar());
        }
        sc.send_resolved = BoolOr(s["send_resolved"], false);
        rc.slacks.push_back(std::move(sc));
      }
      cfg.receivers.push_back(std::move(rc));
    }
    // Every referenced receiver must exist.
    std::vector<const Route*> stack{&cfg.root};
    while (!stack.empty()) {
      const Route* r = stack.back();
      stack.pop_back();
      if (names.count(r->receiver) == 0) {
        return Status::InvalidArgument("undefined receiver \"" + r->receiver + "\" used in route");
      }
      for (const auto& c : r->routes) stack.push_back(&c);
    }
    for (const auto& ir : root["inhibit_rules"]) {
      TM_ASSIGN_OR_RETURN(InhibitRule rule, ParseInhibitRule(ir));
      cfg.inhibit_rules.push_back(std::move(rule));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("yaml: ") + e.what());
  }
  return cfg;
}

}  // namespace tidemark::alerting
