// Silences as Alertmanager 0.25 has them: matchers (=, !=, =~, !~), a time range, author and
// comment; states pending/active/expired; updates by id; expired silences kept for a retention
// period. Persisted through storage's StateStore, so they survive restarts and kill -9.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/storage/matcher.h"
#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"
#include "tidemark/storage/state_store.h"

namespace tidemark::alerting {

class Clock;  // manager.h

// One matcher as Alertmanager's API carries it (isEqual=false negates, isRegex selects =~/!~).
struct SilenceMatcher {
  std::string name;
  std::string value;
  bool is_regex = false;
  bool is_equal = true;
  bool operator==(const SilenceMatcher&) const = default;
};

struct Silence {
  std::string id;  // a UUID, assigned by Silences::Set
  std::vector<SilenceMatcher> matchers;
  Timestamp starts_at = 0;
  Timestamp ends_at = 0;
  Timestamp updated_at = 0;  // set by Silences
  std::string created_by;
  std::string comment;
};

enum class SilenceState : uint8_t { kActive, kPending, kExpired };
// Pending before starts_at, active until ends_at, expired from then on (Alertmanager's
// CalcSilenceState).
SilenceState SilenceStateAt(const Silence& s, Timestamp now);
std::string_view SilenceStateName(SilenceState s);  // "active" | "pending" | "expired"

// Alertmanager's matcher syntax (pkg/labels in 0.25), as amtool and the API's `filter` use it:
// `name op value`, op one of = != =~ !~, the value optionally in double quotes with \" \\ \n
// escapes. Errors are worded as Alertmanager's ("bad matcher format: ...").
Result<Matcher> ParseAmMatcher(std::string_view s);
// A comma-separated list, optionally in braces: `{a="b", c=~"d.*"}`.
Result<Matchers> ParseAmMatchers(std::string_view s);
// The matcher as a silence stores it, and back (the regex is compiled and checked).
SilenceMatcher ToSilenceMatcher(const Matcher& m);
Result<Matcher> ToMatcher(const SilenceMatcher& m);

class Silences {
 public:
  struct Options {
    StateStore* store = nullptr;  // required; keys "silence/<id>"
    const Clock* clock = nullptr;  // required
    // How long an expired silence is kept (and listed) before it is dropped: Alertmanager's
    // --data.retention default.
    int64_t retention_ms = 120LL * 3'600'000;
  };
  // Loads the stored silences (dropping those past retention).
  static Result<std::unique_ptr<Silences>> Open(Options options);

  // Creates a silence (empty id) or updates silence `id` as Alertmanager's POST /api/v2/silences
  // does: in place when only the end (of an active silence) or the times (of a pending one)
  // change, otherwise the old one is expired and a new id returned. Durable on return.
  // InvalidArgument for an invalid silence, NotFound for an unknown id.
  Result<std::string> Set(Silence s);
  // Ends a silence now (a pending one is ended before it starts). NotFound for an unknown id.
  Status Expire(const std::string& id);
  std::optional<Silence> Get(const std::string& id) const;
  // Every silence not yet past retention, in no particular order.
  std::vector<Silence> List() const;
  // Ids of the active silences matching `labels`, sorted (Alertmanager's silencedBy).
  std::vector<std::string> MutedBy(const Labels& labels) const;
  // Drops silences whose end lies more than the retention in the past (store and memory).
  Status GarbageCollect();

 private:
  struct Entry {
    Silence silence;
    Matchers matchers;  // compiled
  };
  explicit Silences(Options options);
  Status Validate(const Silence& s, Timestamp now) const;
  Status StoreLocked(Silence s);
  std::string NewIdLocked();

  const Options options_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> silences_;
  std::mt19937_64 rng_;
};

}  // namespace tidemark::alerting
