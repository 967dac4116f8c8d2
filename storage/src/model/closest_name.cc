// Edit-distance suggestions for unknown flags, commands and config fields.
#include "tidemark/storage/model/closest_name.h"

#include <algorithm>

namespace tidemark {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];  // row[i-1][j-1]
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string ClosestName(std::string_view typed, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = 0;
  for (const auto& c : candidates) {
    const size_t d = EditDistance(typed, c);
    if (best.empty() || d < best_d) {
      best = c;
      best_d = d;
    }
  }
  const size_t limit = std::max<size_t>(2, std::max(typed.size(), best.size()) / 3);
  return best_d <= limit ? best : "";
}

}  // namespace tidemark
