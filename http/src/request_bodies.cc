// Decoding of the API's JSON request bodies (see request_bodies.h).
#include "request_bodies.h"

#include <nlohmann/json.hpp>

#include "tidemark/http/params.h"

namespace tidemark::http::api {

using Json = nlohmann::ordered_json;

bool ParsePostableSilence(const std::string& body, alerting::Silence* out, BodyError* err) {
  Json j;
  try {
    j = Json::parse(body);
  } catch (const std::exception& e) {
    *err = BodyError{400, 400, std::string("parsing silence body from \"\" failed, because ") + e.what()};
    return false;
  }
  auto fail = [&](const std::string& msg) {
    *err = BodyError{422, 602, msg};
    return false;
  };
  if (!j.is_object()) return fail("silence in body must be of type object");
  for (const char* k : {"comment", "createdBy", "endsAt", "matchers", "startsAt"}) {
    if (!j.contains(k) || j[k].is_null()) return fail(std::string(k) + " in body is required");
  }
  try {
    if (j.contains("id") && !j["id"].is_null()) out->id = j["id"].get<std::string>();
    out->comment = j["comment"].get<std::string>();
    out->created_by = j["createdBy"].get<std::string>();
    for (const char* k : {"startsAt", "endsAt"}) {
      auto t = j[k].is_string() ? ParseApiTime(j[k].get<std::string>()) : Result<Timestamp>(Status::InvalidArgument(""));
      if (!t.ok() || !j[k].is_string()) {
        *err = BodyError{400, 400, "parsing silence body from \"\" failed, because cannot parse " +
                                       j[k].dump() + " as a time"};
        return false;
      }
      (std::string_view(k) == "startsAt" ? out->starts_at : out->ends_at) = *t;
    }
    if (!j["matchers"].is_array()) return fail("matchers in body must be of type array");
    if (j["matchers"].empty()) {
      *err = BodyError{422, 612, "matchers in body should have at least 1 items"};
      return false;
    }
    for (size_t i = 0; i < j["matchers"].size(); ++i) {
      const Json& m = j["matchers"][i];
      const std::string at = "matchers." + std::to_string(i) + ".";
      for (const char* k : {"isRegex", "name", "value"}) {
        if (!m.contains(k) || m[k].is_null()) return fail(at + k + " in body is required");
      }
      alerting::SilenceMatcher sm;
      sm.name = m["name"].get<std::string>();
      sm.value = m["value"].get<std::string>();
      sm.is_regex = m["isRegex"].get<bool>();
      if (m.contains("isEqual") && !m["isEqual"].is_null()) sm.is_equal = m["isEqual"].get<bool>();
      out->matchers.push_back(std::move(sm));
    }
  } catch (const Json::exception& e) {
    return fail(std::string("invalid silence: ") + e.what());
  }
  return true;
}

Result<alerting::TestNotificationRequest> ParseTestNotificationJson(const std::string& body) {
  alerting::TestNotificationRequest req;
  // Unordered (std::map) on purpose: labels and annotations come out sorted by name.
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::InvalidArgument("body: expected a JSON object");
  if (!j.contains("receiver") || !j["receiver"].is_string()) {
    return Status::InvalidArgument("body: \"receiver\" (a string) is required");
  }
  req.receiver = j["receiver"].get<std::string>();
  for (const char* field : {"labels", "annotations"}) {
    if (!j.contains(field)) continue;
    if (!j[field].is_object()) return Status::InvalidArgument(std::string("body: \"") + field + "\" must be an object");
    for (const auto& [k, v] : j[field].items()) {
      if (!v.is_string()) return Status::InvalidArgument(std::string("body: ") + field + "." + k + " must be a string");
      (field[0] == 'l' ? req.labels : req.annotations).emplace_back(k, v.get<std::string>());
    }
  }
  return req;
}

}  // namespace tidemark::http::api
