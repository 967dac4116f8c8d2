// Loading SLO files as rule groups: parse, check histogram buckets, generate Sloth's rules and
// validate them through the rule-file parser.
#include <map>

#include "slo_runtime/slo_runtime.h"
#include "tidemark/query/ast.h"

namespace tidemark::alerting {
namespace {

// The `le` values present for the histogram's buckets within [now - period, now].
Result<std::vector<std::string>> BucketLeValues(Queryable& source, const SloHistogramSli& h,
                                                Timestamp from, Timestamp now) {
  TM_ASSIGN_OR_RETURN(Matchers ms, query::ParseMetricSelector(h.metric + "_bucket{" + h.filter + "}"));
  TM_ASSIGN_OR_RETURN(auto q, source.NewQuerier(from, now));
  return q->LabelValues("le", ms);
}

}  // namespace

SloLoad LoadSloFiles(const std::vector<std::string>& paths, Queryable* bucket_source,
                     Timestamp now) {
  SloLoad out;
  std::map<std::string, std::string> id_files;  // sloth_id -> file defining it
  for (const auto& path : paths) {
    auto parsed = ParseSloFile(path);
    if (!parsed.ok()) {
      out.errors.push_back(parsed.status().message());
      continue;
    }
    size_t errors_before = out.errors.size();
    std::vector<LoadedSlo> loaded;
    for (auto& spec : *parsed) {
      LoadedSlo l;
      auto [it, inserted] = id_files.emplace(spec.id, path);
      if (!inserted) {
        out.errors.push_back(path + ": SLO \"" + spec.id + "\" is already defined in " +
                             it->second + " (its series would collide)");
      }
      if (spec.sli.histogram && bucket_source != nullptr) {
        const SloHistogramSli& h = *spec.sli.histogram;
        auto les = BucketLeValues(*bucket_source, h, now - spec.period_ms, now);
        if (!les.ok()) {
          out.errors.push_back(path + ": SLO \"" + spec.id + "\": cannot read the buckets of " +
                               h.metric + "_bucket: " + les.status().message());
        } else if (les->empty()) {
          l.warnings.push_back("SLO \"" + spec.id + "\": " + h.metric +
                               "_bucket has no data yet, so its le buckets were not checked at load");
        } else if (Status s = CheckHistogramBuckets(spec, *les); !s.ok()) {
          out.errors.push_back(s.message());  // names the file and the buckets there are
        }
      }
      l.spec = std::move(spec);
      loaded.push_back(std::move(l));
    }
    if (out.errors.size() != errors_before) continue;
    std::vector<SloSpec> specs;
    for (const auto& l : loaded) specs.push_back(l.spec);
    auto yaml = GenerateRuleFileYaml(specs);
    if (!yaml.ok()) {
      out.errors.push_back(path + ": generating rules: " + yaml.status().message());
      continue;
    }
    RuleFileSpec rf = ParseRuleFile(*yaml, path);
    for (const auto& e : rf.errors) out.errors.push_back(e + " (in the rules generated from this SLO file)");
    if (!rf.errors.empty()) continue;
    out.rule_files.push_back(std::move(rf));
    for (auto& l : loaded) out.slos.push_back(std::move(l));
  }
  return out;
}

}  // namespace tidemark::alerting
