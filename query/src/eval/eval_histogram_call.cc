// histogram_quantile, histogram_quantiles and histogram_fraction over classic `le` buckets:
// groups bucket series into families (labels without `le`) and evaluates each family.
#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "eval/evaluator.h"

namespace tidemark::query::eval {
namespace {

// Go's strconv.ParseFloat for `le` values.
bool ParseLe(std::string_view s, double* out) {
  if (s.empty()) return false;
  std::string str(s);
  char* end = nullptr;
  *out = std::strtod(str.c_str(), &end);
  return end == str.c_str() + str.size();
}

// OpenMetrics float rendering for the quantile label ("0.0", "0.25", "1.0").
std::string OpenMetricsFloat(double q) {
  std::string s = FormatFloat(q, 'g', -1);
  if (std::isfinite(q) && s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

EValue Evaluator::EvalHistogramCall(const Call& c, Timestamp ts) {
  const std::string& name = c.func->name;
  EValue out;
  out.kind = ValueKind::kVector;
  const bool fraction = name == "histogram_fraction";
  const bool multi = name == "histogram_quantiles";
  std::vector<double> qs;
  std::string quantile_label;
  double lower = 0, upper = 0;
  size_t vec_arg = 1;
  auto check_q = [&](double q, const Expr& arg) {
    if (std::isnan(q) || q < 0 || q > 1) {
      Warn("PromQL warning: quantile value should be between 0 and 1, got " + FormatFloat(q, 'g', -1) +
           Pos(arg));
    }
  };
  if (fraction) {
    lower = Eval(*c.args[0], ts).scalar;
    upper = Eval(*c.args[1], ts).scalar;
    vec_arg = 2;
  } else if (multi) {
    vec_arg = 0;
    quantile_label = Eval(*c.args[1], ts).str;
    for (size_t i = 2; i < c.args.size(); ++i) {
      double q = Eval(*c.args[i], ts).scalar;
      check_q(q, *c.args[i]);
      qs.push_back(q);
    }
  } else {
    double q = Eval(*c.args[0], ts).scalar;
    check_q(q, *c.args[0]);
    qs.push_back(q);
  }
  const Expr& arg = *c.args[vec_arg];
  EValue v = Eval(arg, ts);
  struct Family {
    LabelsPtr metric = nullptr;
    std::vector<Bucket> buckets;
  };
  std::vector<Family> families;
  std::unordered_map<uint64_t, std::vector<size_t>> index;
  static const std::vector<std::string> kLe = {"le"};
  for (const auto& s : v.vec) {
    double ub;
    if (!ParseLe(s.metric->Get("le"), &ub)) {
      std::string msg =
          "PromQL warning: bucket label \"le\" is missing or has a malformed value of \"" +
          std::string(s.metric->Get("le")) + "\"";
      if (!s.metric->MetricName().empty()) {
        msg += " for metric name \"" + std::string(s.metric->MetricName()) + "\"";
      }
      Warn(msg + Pos(arg));
      continue;
    }
    Labels key = s.metric->Drop(kLe);
    auto& cands = index[key.Hash()];
    size_t found = SIZE_MAX;
    for (size_t f : cands) {
      if (*families[f].metric == key) found = f;
    }
    if (found == SIZE_MAX) {
      found = families.size();
      cands.push_back(found);
      families.push_back({Intern(std::move(key)), {}});
    }
    families[found].buckets.push_back({ub, s.v});
  }
  if (fraction) {
    for (auto& f : families) {
      out.vec.push_back({f.metric, BucketFraction(lower, upper, f.buckets), ts, true});
    }
    return out;
  }
  for (double q : qs) {
    for (auto& f : families) {
      BucketQuantileResult r = BucketQuantile(q, f.buckets);
      if (r.forced_monotonic) {
        std::string msg =
            "PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see "
            "https://prometheus.io/docs/prometheus/latest/querying/functions/"
            "#histogram_quantile)";
        if (!f.metric->MetricName().empty()) {
          msg += " for metric name \"" + std::string(f.metric->MetricName()) + "\"";
        }
        Info(msg + Pos(arg));
      }
      LabelsPtr metric = multi ? Intern(f.metric->With(quantile_label, OpenMetricsFloat(q))) : f.metric;
      out.vec.push_back({metric, r.value, ts, true});
    }
  }
  return out;
}

}  // namespace tidemark::query::eval
