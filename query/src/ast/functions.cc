// The PromQL function table: names, argument types, arity and result type (Prometheus 3.x).
#include <algorithm>
#include <string_view>
#include <vector>

#include "tidemark/query/ast.h"

namespace tidemark::query {
namespace {

// One compact row per function; arg types are letters: v instant vector, m range vector,
// s scalar, t string. The table is sorted by name so lookups can binary-search.
struct Row {
  const char* name;
  const char* args;
  int variadic;
  char ret;
  bool experimental;
};

constexpr Row kRows[] = {
    {"abs", "v", 0, 'v', false},
    {"absent", "v", 0, 'v', false},
    {"absent_over_time", "m", 0, 'v', false},
    {"acos", "v", 0, 'v', false},
    {"acosh", "v", 0, 'v', false},
    {"asin", "v", 0, 'v', false},
    {"asinh", "v", 0, 'v', false},
    {"atan", "v", 0, 'v', false},
    {"atanh", "v", 0, 'v', false},
    {"avg_over_time", "m", 0, 'v', false},
    {"ceil", "v", 0, 'v', false},
    {"changes", "m", 0, 'v', false},
    {"clamp", "vss", 0, 'v', false},
    {"clamp_max", "vs", 0, 'v', false},
    {"clamp_min", "vs", 0, 'v', false},
    {"cos", "v", 0, 'v', false},
    {"cosh", "v", 0, 'v', false},
    {"count_over_time", "m", 0, 'v', false},
    {"day_of_month", "v", 1, 'v', false},
    {"day_of_week", "v", 1, 'v', false},
    {"day_of_year", "v", 1, 'v', false},
    {"days_in_month", "v", 1, 'v', false},
    {"deg", "v", 0, 'v', false},
    {"delta", "m", 0, 'v', false},
    {"deriv", "m", 0, 'v', false},
    {"double_exponential_smoothing", "mss", 0, 'v', true},
    {"end", "", 0, 's', true},
    {"exp", "v", 0, 'v', false},
    {"first_over_time", "m", 0, 'v', false},
    {"floor", "v", 0, 'v', false},
    {"histogram_avg", "v", 0, 'v', false},
    {"histogram_count", "v", 0, 'v', false},
    {"histogram_fraction", "ssv", 0, 'v', false},
    {"histogram_quantile", "sv", 0, 'v', false},
    {"histogram_quantiles", "vtss", 9, 'v', true},
    {"histogram_stddev", "v", 0, 'v', false},
    {"histogram_stdvar", "v", 0, 'v', false},
    {"histogram_sum", "v", 0, 'v', false},
    {"holt_winters", "mss", 0, 'v', true},
    {"hour", "v", 1, 'v', false},
    {"idelta", "m", 0, 'v', false},
    {"increase", "m", 0, 'v', false},
    {"info", "vv", 1, 'v', true},
    {"irate", "m", 0, 'v', false},
    {"label_join", "vttt", -1, 'v', false},
    {"label_replace", "vtttt", 0, 'v', false},
    {"last_over_time", "m", 0, 'v', false},
    {"ln", "v", 0, 'v', false},
    {"log10", "v", 0, 'v', false},
    {"log2", "v", 0, 'v', false},
    {"mad_over_time", "m", 0, 'v', true},
    {"max_of", "ss", 0, 's', true},
    {"max_over_time", "m", 0, 'v', false},
    {"min_of", "ss", 0, 's', true},
    {"min_over_time", "m", 0, 'v', false},
    {"minute", "v", 1, 'v', false},
    {"month", "v", 1, 'v', false},
    {"pi", "", 0, 's', false},
    {"predict_linear", "ms", 0, 'v', false},
    {"present_over_time", "m", 0, 'v', false},
    {"quantile_over_time", "sm", 0, 'v', false},
    {"rad", "v", 0, 'v', false},
    {"range", "", 0, 's', true},
    {"rate", "m", 0, 'v', false},
    {"resets", "m", 0, 'v', false},
    {"round", "vs", 1, 'v', false},
    {"scalar", "v", 0, 's', false},
    {"sgn", "v", 0, 'v', false},
    {"sin", "v", 0, 'v', false},
    {"sinh", "v", 0, 'v', false},
    {"sort", "v", 0, 'v', false},
    {"sort_by_label", "vt", -1, 'v', true},
    {"sort_by_label_desc", "vt", -1, 'v', true},
    {"sort_desc", "v", 0, 'v', false},
    {"sqrt", "v", 0, 'v', false},
    {"start", "", 0, 's', true},
    {"start_timestamp", "v", 0, 'v', true},
    {"stddev_over_time", "m", 0, 'v', false},
    {"stdvar_over_time", "m", 0, 'v', false},
    {"step", "", 0, 's', true},
    {"sum_over_time", "m", 0, 'v', false},
    {"tan", "v", 0, 'v', false},
    {"tanh", "v", 0, 'v', false},
    {"time", "", 0, 's', false},
    {"timestamp", "v", 0, 'v', false},
    {"ts_of_first_over_time", "m", 0, 'v', true},
    {"ts_of_last_over_time", "m", 0, 'v', true},
    {"ts_of_max_over_time", "m", 0, 'v', true},
    {"ts_of_min_over_time", "m", 0, 'v', true},
    {"vector", "s", 0, 'v', false},
    {"year", "v", 1, 'v', false},
};

ValueKind KindOf(char c) {
  switch (c) {
    case 'v': return ValueKind::kVector;
    case 'm': return ValueKind::kMatrix;
    case 's': return ValueKind::kScalar;
    case 't': return ValueKind::kString;
    default: return ValueKind::kNone;
  }
}

std::vector<FunctionInfo> BuildTable() {
  std::vector<FunctionInfo> out;
  out.reserve(std::size(kRows));
  for (const Row& r : kRows) {
    FunctionInfo f;
    f.name = r.name;
    for (const char* a = r.args; *a != '\0'; ++a) f.arg_types.push_back(KindOf(*a));
    f.variadic = r.variadic;
    f.return_type = KindOf(r.ret);
    f.experimental = r.experimental;
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(),
            [](const FunctionInfo& a, const FunctionInfo& b) { return a.name < b.name; });
  return out;
}

}  // namespace

const std::vector<FunctionInfo>& AllFunctions() {
  // Built once on first use and never mutated: immutable shared data, not mutable global state.
  static const std::vector<FunctionInfo> kTable = BuildTable();
  return kTable;
}

const FunctionInfo* LookupFunction(std::string_view name) {
  const auto& table = AllFunctions();
  auto it = std::lower_bound(table.begin(), table.end(), name,
                             [](const FunctionInfo& f, std::string_view n) { return f.name < n; });
  if (it == table.end() || it->name != name) return nullptr;
  return &*it;
}

}  // namespace tidemark::query
