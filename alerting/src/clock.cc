// Clocks and enum names of the public alerting API.
#include <chrono>

#include "tidemark/alerting/manager.h"

namespace tidemark::alerting {

Timestamp SystemClock::Now() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Timestamp FakeClock::Now() const { return now_.load(); }
void FakeClock::Set(Timestamp t) { now_.store(t); }
void FakeClock::Advance(int64_t ms) { now_.fetch_add(ms); }

std::string_view RuleTypeName(RuleType t) {
  return t == RuleType::kAlerting ? "alerting" : "recording";
}

std::string_view AlertStateName(AlertState s) {
  switch (s) {
    case AlertState::kInactive: return "inactive";
    case AlertState::kPending: return "pending";
    case AlertState::kFiring: return "firing";
  }
  return "inactive";
}

std::string_view RuleHealthName(RuleHealth h) {
  switch (h) {
    case RuleHealth::kUnknown: return "unknown";
    case RuleHealth::kOk: return "ok";
    case RuleHealth::kErr: return "err";
  }
  return "unknown";
}

}  // namespace tidemark::alerting
