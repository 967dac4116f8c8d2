// libFuzzer target: what clients send about silences and notifications. The first input byte
// picks the mode:
//   0: Alertmanager matchers (amtool arguments, the API's `filter`): a list that parses must print
//      (Alertmanager's String(): name, operator, quoted value) to text that parses to the same list;
//   1: a POST /api/v2/silences body: a refusal is a 400 or 422 with a message; an accepted
//      silence has matchers, and each one that compiles converts back to the same API matcher;
//   2: a POST /api/v1/notifications/test JSON body: labels and annotations come out sorted by
//      name, without repeats.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_modes.h"
#include "request_bodies.h"
#include "tidemark/alerting/silences.h"
#include "tidemark/storage/model/strconv.h"

namespace {

using namespace tidemark;

using tidemark::fuzz::Check;

void FuzzMatchers(std::string_view input) {
  auto ms = alerting::ParseAmMatchers(input);
  if (!ms.ok()) return;
  std::string text = "{";
  for (const auto& m : *ms) {
    if (text.size() > 1) text += ",";
    text += m.name() + std::string(MatchTypeString(m.type())) + "\"" + EscapeLabelValue(m.value()) + "\"";
  }
  text += "}";
  auto again = alerting::ParseAmMatchers(text);
  Check(again.ok());
  Check(again->size() == ms->size());
  for (size_t i = 0; i < ms->size(); ++i) {
    const Matcher& a = (*ms)[i];
    const Matcher& b = (*again)[i];
    Check(a.name() == b.name() && a.type() == b.type() && a.value() == b.value());
  }
}

void FuzzSilenceBody(std::string_view input) {
  alerting::Silence s;
  http::api::BodyError err;
  if (!http::api::ParsePostableSilence(std::string(input), &s, &err)) {
    Check(err.status == 400 || err.status == 422);
    Check(!err.message.empty());
    return;
  }
  Check(!s.matchers.empty());
  for (const auto& sm : s.matchers) {
    auto m = alerting::ToMatcher(sm);
    if (m.ok()) Check(alerting::ToSilenceMatcher(*m) == sm);
  }
}

void FuzzNotificationBody(std::string_view input) {
  auto req = http::api::ParseTestNotificationJson(std::string(input));
  if (!req.ok()) return;
  for (const auto* pairs : {&req->labels, &req->annotations}) {
    for (size_t i = 1; i < pairs->size(); ++i) Check((*pairs)[i - 1].first < (*pairs)[i].first);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return tidemark::fuzz::RunMode(data, size, {FuzzMatchers, FuzzSilenceBody, FuzzNotificationBody});
}
