// JSON request bodies the API decodes (POST /api/v2/silences, POST /api/v1/notifications/test),
// apart from their handlers so that silence_fuzz reaches them without a server.
#pragma once

#include <string>

#include "tidemark/alerting/manager.h"
#include "tidemark/alerting/silences.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::http::api {

// A body go-openapi refuses: the HTTP status, the `code` of its error object, and the message.
struct BodyError {
  int status = 400;
  int code = 400;
  std::string message;
};

// Alertmanager 0.25's PostableSilence. False (and *err filled, worded as go-openapi's
// validation) when the body is not one.
bool ParsePostableSilence(const std::string& body, alerting::Silence* out, BodyError* err);

// The JSON form of a test-notification request: {"receiver": "...", "labels": {...},
// "annotations": {...}}. Errors are InvalidArgument.
Result<alerting::TestNotificationRequest> ParseTestNotificationJson(const std::string& body);

}  // namespace tidemark::http::api
