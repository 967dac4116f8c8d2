// Silences: validation, Alertmanager's update-or-replace rule, expiry, retention, and their
// persistence as JSON values under "silence/<id>" in the StateStore (docs/format/keys.md).
#include "tidemark/alerting/silences.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

#include "tidemark/alerting/manager.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::alerting {

namespace {

using json = nlohmann::json;

constexpr char kPrefix[] = "silence/";

std::string Encode(const Silence& s) {
  json m = json::array();
  for (const auto& x : s.matchers) {
    m.push_back({{"name", x.name}, {"value", x.value}, {"isRegex", x.is_regex}, {"isEqual", x.is_equal}});
  }
  return json{{"v", 1},
              {"id", s.id},
              {"matchers", m},
              {"startsAt", s.starts_at},
              {"endsAt", s.ends_at},
              {"updatedAt", s.updated_at},
              {"createdBy", s.created_by},
              {"comment", s.comment}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Silence> Decode(std::string_view key, std::string_view value) {
  try {
    json j = json::parse(value);
    if (j.at("v").get<int>() != 1) {
      return Status::Corruption("silence " + std::string(key) + ": unknown version");
    }
    Silence s;
    s.id = j.at("id").get<std::string>();
    for (const auto& m : j.at("matchers")) {
      s.matchers.push_back({m.at("name").get<std::string>(), m.at("value").get<std::string>(),
                            m.at("isRegex").get<bool>(), m.at("isEqual").get<bool>()});
    }
    s.starts_at = j.at("startsAt").get<Timestamp>();
    s.ends_at = j.at("endsAt").get<Timestamp>();
    s.updated_at = j.at("updatedAt").get<Timestamp>();
    s.created_by = j.at("createdBy").get<std::string>();
    s.comment = j.at("comment").get<std::string>();
    return s;
  } catch (const std::exception& e) {
    return Status::Corruption("silence " + std::string(key) + ": " + e.what());
  }
}

bool MatchesEmpty(const SilenceMatcher& m, const Matcher& compiled) {
  // Only = and =~ can select alerts lacking a label (Alertmanager's matchesEmpty).
  return m.is_equal && compiled.Matches("");
}

}  // namespace

SilenceState SilenceStateAt(const Silence& s, Timestamp now) {
  if (now < s.starts_at) return SilenceState::kPending;
  if (now < s.ends_at) return SilenceState::kActive;
  return SilenceState::kExpired;
}

std::string_view SilenceStateName(SilenceState s) {
  switch (s) {
    case SilenceState::kActive: return "active";
    case SilenceState::kPending: return "pending";
    case SilenceState::kExpired: return "expired";
  }
  return "expired";
}

Silences::Silences(Options options) : options_(std::move(options)), rng_(std::random_device{}()) {}

Result<std::unique_ptr<Silences>> Silences::Open(Options options) {
  if (options.store == nullptr || options.clock == nullptr) {
    return Status::InvalidArgument("silences: a state store and a clock are required");
  }
  std::unique_ptr<Silences> s(new Silences(std::move(options)));
  TM_RETURN_IF_ERROR(s->options_.store->Scan(kPrefix, [&](std::string_view k, std::string_view v) {
    TM_ASSIGN_OR_RETURN(Silence sil, Decode(k, v));
    Entry e;
    for (const auto& m : sil.matchers) {
      TM_ASSIGN_OR_RETURN(Matcher c, ToMatcher(m));
      e.matchers.push_back(std::move(c));
    }
    e.silence = std::move(sil);
    s->silences_[e.silence.id] = std::move(e);
    return Status::OK();
  }));
  TM_RETURN_IF_ERROR(s->GarbageCollect());
  return s;
}

Status Silences::Validate(const Silence& s, Timestamp now) const {
  // The API's own checks come first, worded as Alertmanager's handler words them.
  if (s.starts_at >= s.ends_at) {
    return Status::InvalidArgument("Failed to create silence: start time must be before end time");
  }
  if (s.ends_at < now) {
    return Status::InvalidArgument("Failed to create silence: end time can't be in the past");
  }
  auto invalid = [](const std::string& m) { return Status::InvalidArgument("silence invalid: " + m); };
  if (s.matchers.empty()) return invalid("at least one matcher required");
  bool all_match_empty = true;
  for (size_t i = 0; i < s.matchers.size(); ++i) {
    const SilenceMatcher& m = s.matchers[i];
    const std::string which = "invalid label matcher " + std::to_string(i) + ": ";
    if (!IsValidLabelName(m.name)) return invalid(which + "invalid label name \"" + m.name + "\"");
    if (!m.is_regex && !ValidUtf8(m.value)) {
      return invalid(which + "invalid label value \"" + m.value + "\"");
    }
    auto c = ToMatcher(m);
    if (!c.ok()) {
      return invalid(which + "invalid regular expression \"" + m.value + "\": " + c.status().message());
    }
    all_match_empty = all_match_empty && MatchesEmpty(m, *c);
  }
  if (all_match_empty) return invalid("at least one matcher must not match the empty string");
  return Status::OK();
}

std::string Silences::NewIdLocked() {
  // A version-4 UUID, as Alertmanager's ids are.
  const uint64_t hi = (rng_() & ~0xF000ULL) | 0x4000ULL;
  const uint64_t lo = (rng_() & ~(0xC000ULL << 48)) | (0x8000ULL << 48);
  char b[40];
  std::snprintf(b, sizeof(b), "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32), static_cast<unsigned long long>((hi >> 16) & 0xFFFF),
                static_cast<unsigned long long>(hi & 0xFFFF), static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return b;
}

Status Silences::StoreLocked(Silence s) {
  Entry e;
  for (const auto& m : s.matchers) {
    TM_ASSIGN_OR_RETURN(Matcher c, ToMatcher(m));
    e.matchers.push_back(std::move(c));
  }
  // Durable before it is visible (and before the caller acknowledges it).
  TM_RETURN_IF_ERROR(options_.store->Put(kPrefix + s.id, Encode(s)));
  e.silence = std::move(s);
  silences_[e.silence.id] = std::move(e);
  return Status::OK();
}

Result<std::string> Silences::Set(Silence s) {
  const Timestamp now = options_.clock->Now();
  std::lock_guard<std::mutex> l(mu_);
  const Silence* prev = nullptr;
  if (!s.id.empty()) {
    auto it = silences_.find(s.id);
    if (it == silences_.end() || it->second.silence.ends_at + options_.retention_ms <= now) {
      return Status::NotFound("silence not found");
    }
    prev = &it->second.silence;
  }
  TM_RETURN_IF_ERROR(Validate(s, now));
  s.updated_at = now;
  if (prev != nullptr) {
    // Alertmanager's canUpdate: same matchers, and only changes that keep the past intact.
    bool can_update = prev->matchers == s.matchers;
    switch (SilenceStateAt(*prev, now)) {
      case SilenceState::kActive:
        can_update = can_update && s.starts_at / 1000 == prev->starts_at / 1000 && s.ends_at >= now;
        break;
      case SilenceState::kPending:
        can_update = can_update && s.starts_at >= now;
        break;
      case SilenceState::kExpired:
        can_update = false;
        break;
    }
    if (can_update) {
      const std::string id = s.id;
      TM_RETURN_IF_ERROR(StoreLocked(std::move(s)));
      return id;
    }
    if (SilenceStateAt(*prev, now) != SilenceState::kExpired) {
      Silence ended = *prev;
      if (SilenceStateAt(ended, now) == SilenceState::kPending) ended.starts_at = now;
      ended.ends_at = now;
      ended.updated_at = now;
      TM_RETURN_IF_ERROR(StoreLocked(std::move(ended)));
    }
  }
  s.id = NewIdLocked();
  s.starts_at = std::max(s.starts_at, now);
  const std::string id = s.id;
  TM_RETURN_IF_ERROR(StoreLocked(std::move(s)));
  return id;
}

Status Silences::Expire(const std::string& id) {
  const Timestamp now = options_.clock->Now();
  std::lock_guard<std::mutex> l(mu_);
  auto it = silences_.find(id);
  if (it == silences_.end() || it->second.silence.ends_at + options_.retention_ms <= now) {
    return Status::NotFound("silence not found");
  }
  Silence s = it->second.silence;
  switch (SilenceStateAt(s, now)) {
    case SilenceState::kExpired:
      return Status::OK();
    case SilenceState::kPending:
      s.starts_at = now;
      break;
    case SilenceState::kActive:
      break;
  }
  s.ends_at = now;
  s.updated_at = now;
  return StoreLocked(std::move(s));
}

std::optional<Silence> Silences::Get(const std::string& id) const {
  const Timestamp now = options_.clock->Now();
  std::lock_guard<std::mutex> l(mu_);
  auto it = silences_.find(id);
  if (it == silences_.end() || it->second.silence.ends_at + options_.retention_ms <= now) {
    return std::nullopt;
  }
  return it->second.silence;
}

std::vector<Silence> Silences::List() const {
  const Timestamp now = options_.clock->Now();
  std::lock_guard<std::mutex> l(mu_);
  std::vector<Silence> out;
  for (const auto& [id, e] : silences_) {
    if (e.silence.ends_at + options_.retention_ms > now) out.push_back(e.silence);
  }
  return out;
}

std::vector<std::string> Silences::MutedBy(const Labels& labels) const {
  const Timestamp now = options_.clock->Now();
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> ids;  // silences_ is ordered by id, so these come out sorted
  for (const auto& [id, e] : silences_) {
    if (SilenceStateAt(e.silence, now) == SilenceState::kActive && MatchesAll(labels, e.matchers)) {
      ids.push_back(id);
    }
  }
  return ids;
}

Status Silences::GarbageCollect() {
  const Timestamp now = options_.clock->Now();
  std::lock_guard<std::mutex> l(mu_);
  for (auto it = silences_.begin(); it != silences_.end();) {
    if (it->second.silence.ends_at + options_.retention_ms <= now) {
      TM_RETURN_IF_ERROR(options_.store->Delete(kPrefix + it->first));
      it = silences_.erase(it);
    } else {
      ++it;
    }
  }
  return Status::OK();
}

}  // namespace tidemark::alerting
