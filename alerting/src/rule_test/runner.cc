// Runs promtool rule unit tests as promtool does (cmd/promtool/unittest.go): per test group a
// fresh in-memory store with the input series, the groups evaluated in order at every
// evaluation_interval from 0 to the last eval_time, firing alerts compared at the evaluation
// that covers each alert eval_time, then the PromQL expectations.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "rule_test/go_format.h"
#include "rule_test/test_file.h"
#include "rules/group.h"
#include "tidemark/alerting/rule_test.h"
#include "tidemark/query/engine.h"
#include "tidemark/query/promql_test.h"
#include "tidemark/storage/model/strconv.h"
#include "tidemark/storage/storage.h"

namespace tidemark::alerting {
namespace {

using ruletest::GoDuration;
using ruletest::GoLabels;
using ruletest::IndentLines;

// promtool's LazyLoader engine settings.
constexpr size_t kMaxSamples = 10'000;
constexpr int64_t kQueryTimeoutMs = 100'000;
constexpr int64_t kHugeWindow = int64_t{1} << 60;  // any order of input and rule samples

Labels ToLabels(const StringPairs& kv) {
  std::vector<Label> v;
  for (const auto& [k, val] : kv) v.push_back({k, val});
  return Labels(std::move(v));
}

bool FloatsMatch(double want, double got, bool fuzzy) {
  if (want == got) return true;
  return fuzzy && (std::nextafter(want, -INFINITY) == got || std::nextafter(want, INFINITY) == got);
}

// An alert as compared: labels and annotations (promtool's labelAndAnnotation).
struct LabeledAlert {
  Labels labels;
  Labels annotations;
  auto operator<=>(const LabeledAlert&) const = default;
  bool operator==(const LabeledAlert&) const = default;
};

std::string AlertsString(const std::vector<LabeledAlert>& alerts) {
  if (alerts.empty()) return "[]";
  std::string s = "[";
  for (size_t i = 0; i < alerts.size(); ++i) {
    const std::string one =
        "Labels:" + GoLabels(alerts[i].labels) + "\nAnnotations:" + GoLabels(alerts[i].annotations);
    s += (i == 0 ? "\n" : ",\n") + std::to_string(i) + ":" + IndentLines("\n" + one, "  ");
  }
  return s + "\n]";
}

struct ExprSample {
  Labels labels;
  double value = 0;
};

std::string SamplesString(const std::vector<ExprSample>& samples) {
  if (samples.empty()) return "nil";
  std::string s;
  for (const auto& x : samples) {
    if (!s.empty()) s += ", ";
    s += GoLabels(x.labels) + " " + FormatFloat(x.value, 'E', -1);
  }
  return s;
}

class GroupRun {
 public:
  GroupRun(const ruletest::TestGroup& tg, int64_t eval_interval_ms, bool fuzzy)
      : tg_(tg), eval_interval_ms_(eval_interval_ms), fuzzy_(fuzzy) {}

  std::vector<std::string> Run(const std::vector<std::string>& rule_files,
                               const std::vector<std::string>& eval_order);

 private:
  Status LoadSeries();
  // Alert tests due at the evaluation at `ts` (ts <= eval_time < ts + interval).
  void CheckAlerts(Timestamp ts, const std::vector<std::unique_ptr<Group>>& groups,
                   std::vector<std::string>* errs);
  void CheckExpressions(std::vector<std::string>* errs);
  std::string NamePrefix() const { return tg_.name.empty() ? "" : "    name: " + tg_.name + ",\n"; }

  const ruletest::TestGroup& tg_;
  const int64_t eval_interval_ms_;
  const bool fuzzy_;
  std::unique_ptr<Storage> storage_ = NewMemStorage(kHugeWindow);
  std::unique_ptr<query::Engine> engine_;
  size_t next_alert_time_ = 0;
  std::vector<int64_t> alert_times_;  // sorted, unique
};

Status GroupRun::LoadSeries() {
  auto app = storage_->NewAppender();
  for (const auto& in : tg_.input_series) {
    auto desc = query::ParseSeriesDescription(in.series + " " + in.values);
    if (!desc.ok()) {
      return Status::InvalidArgument("error in input_series " + Quote(in.series + " " + in.values) +
                                     ": " + desc.status().message());
    }
    SeriesRef ref = 0;
    for (size_t i = 0; i < desc->values.size(); ++i) {
      if (!desc->values[i]) continue;
      const SampleIn s{0, static_cast<Timestamp>(i) * tg_.interval_ms, *desc->values[i]};
      auto r = app->Append(ref, desc->labels, s);
      if (!r.ok()) return Status::InvalidArgument(in.series + ": " + r.status().message());
      ref = *r;
    }
  }
  return app->Commit();
}

std::vector<std::string> GroupRun::Run(const std::vector<std::string>& rule_files,
                                       const std::vector<std::string>& eval_order) {
  if (Status s = LoadSeries(); !s.ok()) return {s.message()};
  query::EngineOptions eo;
  eo.max_samples = kMaxSamples;
  eo.timeout_ms = kQueryTimeoutMs;
  eo.default_subquery_step_ms = eval_interval_ms_;
  engine_ = std::make_unique<query::Engine>(*storage_, eo);

  // Rule files: every error of every file, as promtool's LoadGroups reports them.
  std::vector<std::unique_ptr<Group>> groups;
  std::vector<std::string> errs;
  for (const auto& path : rule_files) {
    RuleFileSpec f = LoadRuleFile(path);
    errs.insert(errs.end(), f.errors.begin(), f.errors.end());
    for (auto& g : f.groups)
      groups.push_back(std::make_unique<Group>(std::move(g), tg_.interval_ms));
  }
  if (!errs.empty()) return errs;
  // group_eval_order ranks the groups it names; the others rank 0, as in promtool (whose order
  // among equal ranks is a map's, i.e. unspecified: ours is load order).
  auto rank = [&eval_order](const Group& g) {
    auto it = std::find(eval_order.begin(), eval_order.end(), g.name());
    return it == eval_order.end() ? 0 : it - eval_order.begin();
  };
  std::stable_sort(groups.begin(), groups.end(),
                   [&](const auto& a, const auto& b) { return rank(*a) < rank(*b); });

  int64_t maxt = 0;
  std::set<int64_t> alert_times;
  for (const auto& at : tg_.alert_tests) {
    if (at.alertname.empty()) {
      return {"an item under alert_rule_test misses required attribute alertname at eval_time " +
              FormatDuration(at.eval_time_ms) +
              (tg_.name.empty() ? "" : " (in TestGroup " + tg_.name + ")")};
    }
    alert_times.insert(at.eval_time_ms);
    maxt = std::max(maxt, at.eval_time_ms);
  }
  for (const auto& pt : tg_.promql_tests) maxt = std::max(maxt, pt.eval_time_ms);
  alert_times_.assign(alert_times.begin(), alert_times.end());

  const QueryFn query = EngineQueryFn(*engine_);
  GroupEnv env;
  env.query = &query;
  env.appendable = storage_.get();
  env.external_labels = ToLabels(tg_.external_labels);
  env.external_url = tg_.external_url;
  std::vector<NotifyAlert> discarded;  // promtool's NotifyFunc does nothing
  for (Timestamp ts = 0; ts <= maxt; ts += eval_interval_ms_) {
    std::vector<std::string> eval_errs;
    for (auto& g : groups) {
      g->Eval(ts, env, &discarded);
      for (const auto& r : g->Snapshot().rules) {
        if (r.health == RuleHealth::kErr) {
          eval_errs.push_back("    rule: " + r.name + ", time: " + GoDuration(ts) +
                              ", err: " + r.last_error);
        }
      }
    }
    discarded.clear();
    if (!eval_errs.empty()) {
      errs.insert(errs.end(), eval_errs.begin(), eval_errs.end());
      return errs;
    }
    CheckAlerts(ts, groups, &errs);
  }
  CheckExpressions(&errs);
  return errs;
}

void GroupRun::CheckAlerts(Timestamp ts, const std::vector<std::unique_ptr<Group>>& groups,
                           std::vector<std::string>* errs) {
  while (next_alert_time_ < alert_times_.size() && ts <= alert_times_[next_alert_time_] &&
         alert_times_[next_alert_time_] < ts + eval_interval_ms_) {
    const int64_t t = alert_times_[next_alert_time_++];
    // Firing alerts per alerting-rule name, over all groups (a name may be in several).
    std::map<std::string, std::vector<LabeledAlert>> got;
    for (const auto& g : groups) {
      for (const auto& r : g->Snapshot().rules) {
        if (r.type != RuleType::kAlerting) continue;
        auto& list = got[r.name];
        for (const auto& a : r.alerts) {
          if (a.state == AlertState::kFiring) list.push_back({a.labels, a.annotations});
        }
      }
    }
    for (const auto& at : tg_.alert_tests) {
      if (at.eval_time_ms != t) continue;
      std::vector<LabeledAlert> want;
      for (const auto& e : at.exp_alerts) {
        // The alertname label is added by evaluation; users give only the rule's labels.
        want.push_back(
            {ToLabels(e.labels).With("alertname", at.alertname), ToLabels(e.annotations)});
      }
      std::vector<LabeledAlert> have = got[at.alertname];
      std::sort(want.begin(), want.end());
      std::sort(have.begin(), have.end());
      if (want == have) continue;
      errs->push_back(NamePrefix() + "    alertname: " + at.alertname +
                      ", time: " + FormatDuration(t) +
                      ", \n        exp:" + IndentLines(AlertsString(want), "            ") +
                      ", \n        got:" + IndentLines(AlertsString(have), "            "));
    }
  }
}

void GroupRun::CheckExpressions(std::vector<std::string>* errs) {
  for (const auto& pt : tg_.promql_tests) {
    const std::string where =
        "    expr: " + Quote(pt.expr) + ", time: " + FormatDuration(pt.eval_time_ms);
    auto res = engine_->InstantQuery(pt.expr, pt.eval_time_ms);
    std::vector<ExprSample> got;
    if (res.ok() && res->kind == query::ValueKind::kVector) {
      for (const auto& s : res->vector) got.push_back({s.metric, s.v});
    } else if (res.ok() && res->kind == query::ValueKind::kScalar) {
      got.push_back({Labels(), res->scalar});
    } else {
      const std::string why =
          res.ok() ? "rule result is not a vector or scalar" : res.status().message();
      errs->push_back(where + ", err: " + why);
      continue;
    }
    std::vector<ExprSample> want;
    bool bad_labels = false;
    for (const auto& e : pt.exp_samples) {
      // promtool's ParseMetric reads an empty string as the empty label set.
      if (e.labels.find_first_not_of(" \t") == std::string::npos) {
        want.push_back({Labels(), e.value});
        continue;
      }
      auto desc = query::ParseSeriesDescription(e.labels);
      if (!desc.ok() || !desc->values.empty()) {
        const std::string why = desc.ok() ? "not a metric" : desc.status().message();
        errs->push_back(where + ", err: labels " + Quote(e.labels) + ": " + why);
        bad_labels = true;
        break;
      }
      want.push_back({desc->labels, e.value});
    }
    if (bad_labels) continue;
    auto by_labels = [](const ExprSample& a, const ExprSample& b) { return a.labels < b.labels; };
    std::sort(want.begin(), want.end(), by_labels);
    std::sort(got.begin(), got.end(), by_labels);
    bool same = want.size() == got.size();
    for (size_t i = 0; same && i < want.size(); ++i) {
      same = want[i].labels == got[i].labels && FloatsMatch(want[i].value, got[i].value, fuzzy_);
    }
    if (!same) {
      errs->push_back(where + ",\n        exp: " + SamplesString(want) +
                      "\n        got: " + SamplesString(got));
    }
  }
}

}  // namespace

RuleTestFileResult RunRuleTestFile(const std::string& path) {
  RuleTestFileResult result;
  std::ifstream in(path);
  if (!in) {
    result.errors.push_back("open " + path + ": no such file or directory");
    return result;
  }
  std::stringstream content;
  content << in.rdbuf();
  auto file = ruletest::ParseTestFile(content.str());
  if (!file.ok()) {
    result.errors.push_back(file.status().message());
    return result;
  }
  // Relative rule files are relative to the test file; each pattern is globbed.
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::vector<std::string> rule_files;
  for (const auto& pattern : file->rule_files) {
    std::string p = pattern;
    if (!p.empty() && std::filesystem::path(p).is_relative()) p = (dir / p).string();
    auto matched = ExpandGlobs({p});
    if (matched.empty()) result.warnings.push_back("  WARNING: no file match pattern " + p);
    rule_files.insert(rule_files.end(), matched.begin(), matched.end());
  }
  std::set<std::string> order_seen;
  for (const auto& g : file->group_eval_order) {
    if (!order_seen.insert(g).second) {
      result.errors.push_back("group name repeated in evaluation order: " + g);
      return result;
    }
  }
  const int64_t eval_interval =
      file->evaluation_interval_ms > 0 ? file->evaluation_interval_ms : 60'000;
  for (auto tg : file->tests) {
    if (tg.interval_ms == 0) tg.interval_ms = eval_interval;
    GroupRun run(tg, eval_interval, file->fuzzy_compare);
    auto errs = run.Run(rule_files, file->group_eval_order);
    result.errors.insert(result.errors.end(), errs.begin(), errs.end());
  }
  return result;
}

}  // namespace tidemark::alerting
