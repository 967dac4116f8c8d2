// Function calls: evaluates arguments and dispatches to the function families.
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <unordered_map>

#include "eval/evaluator.h"
#include "eval/functions_label.h"

namespace tidemark::query::eval {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

EValue Evaluator::EvalCall(const Call& c, Timestamp ts) {
  const std::string& name = c.func->name;
  EValue out;
  out.kind = ValueKind::kVector;
  auto scalar_arg = [&](size_t i) { return Eval(*c.args.at(i), ts).scalar; };
  auto string_arg = [&](size_t i) { return Eval(*c.args.at(i), ts).str; };

  if (name == "time") {
    out.kind = ValueKind::kScalar;
    out.scalar = static_cast<double>(ts) / 1000;
    return out;
  }
  if (name == "pi") {
    out.kind = ValueKind::kScalar;
    out.scalar = std::numbers::pi;
    return out;
  }
  if (name == "start" || name == "end" || name == "range" || name == "step") {
    // Query-context functions (duration expressions): seconds of the query's own range.
    out.kind = ValueKind::kScalar;
    if (name == "start") out.scalar = static_cast<double>(start_) / 1000;
    if (name == "end") out.scalar = static_cast<double>(end_) / 1000;
    if (name == "range") out.scalar = static_cast<double>(end_ - start_) / 1000;
    if (name == "step") out.scalar = static_cast<double>(step_ms_) / 1000;
    return out;
  }
  if (name == "min_of" || name == "max_of") {
    double a = scalar_arg(0), b = scalar_arg(1);
    out.kind = ValueKind::kScalar;
    if (std::isnan(a) || std::isnan(b)) {
      out.scalar = std::nan("");
    } else {
      out.scalar = name == "min_of" ? std::min(a, b) : std::max(a, b);
    }
    return out;
  }
  if (name == "scalar") {
    EValue v = Eval(*c.args[0], ts);
    out.kind = ValueKind::kScalar;
    out.scalar = v.vec.size() == 1 ? v.vec[0].v : std::nan("");
    return out;
  }
  if (name == "vector") {
    out.vec.push_back({Intern(Labels()), scalar_arg(0), ts, false});
    return out;
  }
  if (IsDateFunction(name) && c.args.empty()) {
    out.vec.push_back({Intern(Labels()),
                       DateFunction(name, static_cast<double>(ts / 1000)), ts, false});
    return out;
  }

  if (IsRangeFunction(name)) {
    if (EvalRangeCallFast(c, ts, &out)) return out;
    size_t matrix_idx = 0;
    for (size_t i = 0; i < c.args.size(); ++i) {
      NodeKind k = Unwrap(*c.args[i]).kind;
      if (k == NodeKind::kMatrixSelector || k == NodeKind::kSubquery) matrix_idx = i;
    }
    RangeCtx ctx;
    ctx.ts = ts;
    for (size_t i = 0; i < c.args.size(); ++i) {
      if (i != matrix_idx) ctx.scalars.push_back(scalar_arg(i));
    }
    if (name == "quantile_over_time") {
      double q = ctx.scalars.at(0);
      if (std::isnan(q) || q < 0 || q > 1) {
        Warn("PromQL warning: quantile value should be between 0 and 1, got " + FormatFloat(q, 'g', -1) +
             Pos(*c.args[0]));
      }
    }
    EValue m = Eval(*c.args[matrix_idx], ts);
    if (name == "absent_over_time") {
      if (m.mat.series.empty()) {
        out.vec.push_back({Intern(AbsentLabels(*c.args[matrix_idx])), 1, ts, false});
      }
      return out;
    }
    ctx.range_end = m.mat.range_end;
    ctx.range_ms = m.mat.range_ms;
    ctx.range_start = m.mat.range_end - m.mat.range_ms;
    const bool keeps_name = name == "last_over_time" || name == "first_over_time";
    const bool counter_check = name == "rate" || name == "increase";
    size_t points = 0;
    for (const auto& w : m.mat.series) {
      ctx.points = w.points;
      points += w.points.size();
      double v;
      if (!RangeFunction(name, ctx, &v)) continue;
      out.vec.push_back({w.metric, v, ts, !keeps_name || w.drop_name});
      if (counter_check) {
        std::string_view metric_name = w.metric->MetricName();
        if (!metric_name.empty() && !EndsWith(metric_name, "_total") &&
            !EndsWith(metric_name, "_sum") && !EndsWith(metric_name, "_count") &&
            !EndsWith(metric_name, "_bucket")) {
          Info("PromQL info: metric might not be a counter, name does not end in "
               "_total/_sum/_count/_bucket: \"" + std::string(metric_name) + "\"" +
               Pos(*c.args[matrix_idx]));
        }
      }
    }
    AddSamples(points);
    ReleaseSamples(points);
    return out;
  }

  if (name == "label_replace") {
    std::string dst = string_arg(1), repl = string_arg(2), src = string_arg(3),
                regex = string_arg(4);
    out.vec = Eval(*c.args[0], ts).vec;
    LabelReplace(*this, out.vec, dst, repl, src, regex);
    return out;
  }
  if (name == "label_join") {
    std::string dst = string_arg(1), sep = string_arg(2);
    std::vector<std::string> srcs;
    for (size_t i = 3; i < c.args.size(); ++i) srcs.push_back(string_arg(i));
    out.vec = Eval(*c.args[0], ts).vec;
    LabelJoin(*this, out.vec, dst, sep, srcs);
    return out;
  }
  if (name == "sort" || name == "sort_desc" || name == "sort_by_label" ||
      name == "sort_by_label_desc") {
    if (start_ != end_) {
      Warn("PromQL warning: sort is ineffective for range queries since results are always "
           "ordered by labels" + Pos(c));
    }
    out.vec = Eval(*c.args[0], ts).vec;
    if (name == "sort" || name == "sort_desc") {
      SortByValue(out.vec, name == "sort_desc");
    } else {
      std::vector<std::string> names;
      for (size_t i = 1; i < c.args.size(); ++i) names.push_back(string_arg(i));
      SortByLabels(out.vec, names, name == "sort_by_label_desc");
    }
    return out;
  }
  if (name == "absent") {
    EValue v = Eval(*c.args[0], ts);
    if (v.vec.empty()) out.vec.push_back({Intern(AbsentLabels(*c.args[0])), 1, ts, false});
    return out;
  }
  if (name == "timestamp") {
    bool direct = Unwrap(*c.args[0]).kind == NodeKind::kVectorSelector;
    out.vec = Eval(*c.args[0], ts).vec;
    for (auto& s : out.vec) {
      s.v = static_cast<double>(direct ? s.t : ts) / 1000;
      s.t = ts;
      s.drop_name = true;
    }
    return out;
  }
  if (name == "histogram_quantile" || name == "histogram_fraction" ||
      name == "histogram_quantiles") {
    return EvalHistogramCall(c, ts);
  }
  if (name.rfind("histogram_", 0) == 0) {
    // Native-histogram-only functions (histogram_count, _sum, _avg, ...): floats give nothing.
    for (const auto& a : c.args) Eval(*a, ts);
    return out;
  }
  if (name == "info") {
    out.vec = Eval(*c.args[0], ts).vec;
    return out;
  }

  // Element-wise functions: first argument is the vector, the rest are scalars.
  std::vector<double> scalars;
  for (size_t i = 1; i < c.args.size(); ++i) scalars.push_back(scalar_arg(i));
  EValue v = Eval(*c.args.at(0), ts);
  if (name == "clamp" && scalars.at(1) < scalars.at(0)) return out;
  for (auto& s : v.vec) {
    double r;
    if (!ElementFunction(name, s.v, scalars, &r)) {
      FailExec("function \"" + name + "\" is not supported");
    }
    s.v = r;
    s.t = ts;
    s.drop_name = true;
    out.vec.push_back(std::move(s));
  }
  return out;
}

}  // namespace tidemark::query::eval
