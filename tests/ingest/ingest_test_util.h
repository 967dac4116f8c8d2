// Test helpers: read back everything a store holds as "labels → samples" for exact comparisons.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "support/status_matchers.h"
#include "tidemark/storage/storage.h"

namespace tidemark::ingest::testing {

using Dump = std::map<std::string, std::vector<std::pair<Timestamp, double>>>;

inline Dump DumpStore(Queryable& q) {
  Dump out;
  auto querier = q.NewQuerier(kMinTimestamp, kMaxTimestamp);
  EXPECT_TRUE(querier.ok());
  if (!querier.ok()) return out;
  auto m = Matcher::Make(MatchType::kRegexMatch, "__name__", ".+");
  EXPECT_TRUE(m.ok());
  auto set = (*querier)->Select(true, nullptr, Matchers{*m});
  EXPECT_TRUE(set.ok());
  if (!set.ok()) return out;
  auto data = MaterializeSeriesSet(**set);
  EXPECT_TRUE(data.ok());
  if (!data.ok()) return out;
  for (const SeriesData& s : *data) {
    auto& v = out[s.labels.ToString()];
    for (const Sample& smp : s.samples) v.emplace_back(smp.t, smp.v);
  }
  return out;
}

inline std::string Header(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

}  // namespace tidemark::ingest::testing
