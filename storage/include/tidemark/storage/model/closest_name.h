// "Did you mean ...?" for mistyped flags, commands and config fields: the known name nearest by
// edit distance.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tidemark {

// Levenshtein distance (insertions, deletions, substitutions, each costing 1).
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `typed`, or "" when even that one is too far to be a typo (more
// than a third of the longer name, at least 2, apart).
std::string ClosestName(std::string_view typed, const std::vector<std::string>& candidates);

}  // namespace tidemark
