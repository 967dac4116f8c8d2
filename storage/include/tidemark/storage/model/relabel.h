// The one relabel engine (Prometheus' relabel_config semantics), shared by scrape relabelling,
// metric relabelling, remote-write write_relabel_configs and alert relabelling.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::relabel {

enum class Action {
  kReplace,
  kKeep,
  kDrop,
  kKeepEqual,
  kDropEqual,
  kHashMod,
  kLabelMap,
  kLabelDrop,
  kLabelKeep,
  kLowercase,
  kUppercase,
};

// One rule as written in YAML, with Prometheus' defaults.
struct Config {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  std::string regex = "(.*)";  // anchored at both ends when compiled, as Prometheus does
  uint64_t modulus = 0;
  std::string target_label;
  std::string replacement = "$1";
  Action action = Action::kReplace;
};

// Prometheus' name for an action ("replace", "labelkeep", ...), and back (case-insensitive,
// as Prometheus' YAML unmarshalling is); an unknown name is an error naming it.
std::string_view ActionName(Action a);
Result<Action> ParseAction(std::string_view name);

// Checks one rule as Prometheus' Config.Validate does, with Prometheus 3.x's default UTF-8 name
// validation (a target label is any non-empty UTF-8 string), and that its regex compiles. The
// message starts with the offending field: `modulus: relabel configuration for hashmod requires
// non-zero modulus`.
Status Validate(const Config& rule);

// A compiled, immutable list of rules; cheap to share between threads.
class Relabeler {
 public:
  Relabeler();  // no rules: every label set passes unchanged
  // Checks each rule as Prometheus' validation does (required fields per action, regex
  // compiles, valid target label) and compiles it; the error names the rule's index and field:
  // `relabel rule 2: target_label: ...` (indexes from 0, as in relabel_configs[2]).
  static Result<Relabeler> Compile(std::vector<Config> rules);

  // Applies the rules in order to `lb`; false when a rule dropped the set (keep/drop/...).
  bool Apply(LabelsBuilder& lb) const;
  bool empty() const;

 private:
  struct Compiled;
  std::shared_ptr<const std::vector<Compiled>> rules_;
};

}  // namespace tidemark::relabel
