// SLOs inside the rule manager: loading SLO files into rule groups (with the load-time bucket
// check) and reading an SLO's state back from the series its rules recorded.
#pragma once

#include <string>
#include <vector>

#include "tidemark/alerting/manager.h"
#include "tidemark/alerting/rule_file.h"
#include "tidemark/alerting/slo.h"
#include "tidemark/alerting/slo_status.h"
#include "tidemark/storage/querier.h"

namespace tidemark::alerting {

struct LoadedSlo {
  SloSpec spec;
  std::vector<std::string> warnings;  // e.g. bucket not checked because there is no data yet
};

struct SloLoad {
  std::vector<LoadedSlo> slos;
  std::vector<RuleFileSpec> rule_files;  // the generated groups, one entry per SLO file
  std::vector<std::string> errors;       // each names its SLO file
};

// Parses every SLO file, checks histogram buckets against `bucket_source` (nullable: unchecked)
// over the SLO's period ending at `now`, and generates + validates Sloth's rule groups with the
// rule-file parser (group file = the SLO file's path). Duplicate SLO ids across files are errors.
SloLoad LoadSloFiles(const std::vector<std::string>& paths, Queryable* bucket_source,
                     Timestamp now);

// The SLO's status at `now` from its recorded Sloth series (instant queries through `query`) and
// the alert states and intervals of its groups in `groups`.
SloStatus ComputeSloStatus(const LoadedSlo& slo, const QueryFn& query, Timestamp now,
                           const std::vector<GroupSnapshot>& groups);

}  // namespace tidemark::alerting
