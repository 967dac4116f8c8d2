// Alertmanager API semantics shared by the router and the HTTP layer: fingerprints, the
// `filter` matching rules and the order silences are listed in.
#include <algorithm>
#include <cstdio>

#include "tidemark/alerting/alertmanager_api.h"

namespace tidemark::alerting {

uint64_t AlertFingerprint(const Labels& labels) {
  // Labels are kept sorted by name, the order Alertmanager hashes them in.
  constexpr uint64_t kOffset = 14695981039346656037ULL, kPrime = 1099511628211ULL;
  uint64_t h = kOffset;
  auto add = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= kPrime;
    }
  };
  for (const auto& l : labels) {
    add(l.name);
    add("\xff");
    add(l.value);
    add("\xff");
  }
  return h;
}

std::string FingerprintString(uint64_t fp) {
  char b[20];
  std::snprintf(b, sizeof(b), "%016llx", static_cast<unsigned long long>(fp));
  return b;
}

bool MatchesFilter(const Matchers& filter, const Labels& labels) {
  for (const auto& m : filter) {
    const bool present = labels.Has(m.name());
    const bool negative = m.type() == MatchType::kNotEqual || m.type() == MatchType::kRegexNoMatch;
    if (m.value().empty() && present == negative) continue;
    if (!m.Matches(labels.Get(m.name()))) return false;
  }
  return true;
}

bool SilenceHasMatchers(const Silence& s, const Matchers& filter) {
  for (const auto& f : filter) {
    const SilenceMatcher want = ToSilenceMatcher(f);
    if (std::find(s.matchers.begin(), s.matchers.end(), want) == s.matchers.end()) return false;
  }
  return true;
}

void SortSilencesForApi(std::vector<Silence>& silences, Timestamp now) {
  auto rank = [](SilenceState s) {
    return s == SilenceState::kActive ? 1 : s == SilenceState::kPending ? 2 : 3;
  };
  std::stable_sort(silences.begin(), silences.end(), [&](const Silence& a, const Silence& b) {
    const SilenceState sa = SilenceStateAt(a, now), sb = SilenceStateAt(b, now);
    if (sa != sb) return rank(sa) < rank(sb);
    switch (sa) {
      case SilenceState::kActive: return a.ends_at < b.ends_at;
      case SilenceState::kPending: return a.starts_at < b.starts_at;
      case SilenceState::kExpired: return a.ends_at > b.ends_at;
    }
    return false;
  });
}

}  // namespace tidemark::alerting
