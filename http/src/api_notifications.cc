// POST /api/v1/notifications/test: sends a test notification through a named receiver and
// reports each integration's answer (Grafana's "Test contact point").
#include <nlohmann/json.hpp>

#include "api_common.h"
#include "request_bodies.h"
#include "tidemark/alerting/manager.h"

namespace tidemark::http::api {

namespace {

using nlohmann::json;

// "k=v" pairs from repeated form parameters.
Result<std::vector<std::pair<std::string, std::string>>> Pairs(const HttpRequest& r, const std::string& name) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& kv : r.ParamAll(name)) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return Status::InvalidArgument(name + " must be name=value, got \"" + kv + "\"");
    out.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return out;
}

Result<alerting::TestNotificationRequest> ParseRequest(const HttpRequest& r) {
  alerting::TestNotificationRequest req;
  bool is_json = false;
  for (const auto& [k, v] : r.headers) {
    if (k == "content-type" && v.find("json") != std::string::npos) is_json = true;
  }
  if (is_json) return ParseTestNotificationJson(r.body);
  req.receiver = r.Param("receiver");
  if (req.receiver.empty()) return Status::InvalidArgument("parameter \"receiver\" is required");
  TM_ASSIGN_OR_RETURN(req.labels, Pairs(r, "label"));
  TM_ASSIGN_OR_RETURN(req.annotations, Pairs(r, "annotation"));
  return req;
}

HttpResponse TestNotification(Context& c, HttpRequest& r) {
  if (!c.b.test_notification) return ErrorResponse("unavailable", "notifications are not available");
  auto req = ParseRequest(r);
  if (!req.ok()) return BadData(req.status().message());
  auto answers = c.b.test_notification(*req);
  if (!answers.ok()) return StatusResponse(answers.status());
  json list = json::array();
  bool all = !answers->empty();
  for (const auto& a : *answers) {
    all &= a.delivered;
    json one = {{"integration", a.integration}, {"delivered", a.delivered}};
    if (a.status_code != 0) {
      one["statusCode"] = a.status_code;
      one["body"] = a.body;
    }
    if (!a.error.empty()) one["error"] = a.error;
    list.push_back(std::move(one));
  }
  json data = {{"receiver", req->receiver}, {"delivered", all}, {"integrations", list}};
  return Success(data.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

void RegisterNotificationRoutes(Router& router, std::shared_ptr<Context> ctx) {
  // Blocking pool: each integration is one real request (up to its timeout).
  router.Add({{"POST"}, "/api/v1/notifications/test", "notifications_test", Pool::kBlocking, false,
              [ctx](HttpRequest& r) { return TestNotification(*ctx, r); }});
}

}  // namespace tidemark::http::api
