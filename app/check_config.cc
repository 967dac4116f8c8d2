// `tidemark check config FILE`: the config as `serve` loads it, then the rule and SLO files it
// names, with promtool's `check config` output (rule_files without a glob must exist).
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "check_cmd.h"
#include "serve_config.h"
#include "tidemark/alerting/config_check.h"
#include "tidemark/alerting/rule_file.h"

namespace tidemark::app {
namespace {

// Expands rule_files as promtool does: a pattern without '*' must name an existing file.
Result<std::vector<std::string>> RuleFiles(const std::vector<std::string>& patterns) {
  std::vector<std::string> out;
  for (const auto& p : patterns) {
    auto matched = alerting::ExpandGlobs({p});
    if (p.find('*') == std::string::npos && matched.empty()) {
      return Status::InvalidArgument("\"" + p + "\" does not point to an existing file");
    }
    out.insert(out.end(), matched.begin(), matched.end());
  }
  return out;
}

Status CheckConfig(const std::string& path, ServeConfig* cfg, std::vector<std::string>* rules,
                   std::vector<std::string>* slos) {
  bool help = false;
  TM_ASSIGN_OR_RETURN(*cfg, ParseServeArgs({"--config.file=" + path}, &help));
  if (!cfg->notifications_yaml.empty()) {
    const std::string dir = std::filesystem::path(path).parent_path().string();
    TM_RETURN_IF_ERROR(alerting::CheckNotificationConfig(cfg->notifications_yaml, dir));
  }
  TM_ASSIGN_OR_RETURN(*rules, RuleFiles(cfg->rule_files));
  TM_ASSIGN_OR_RETURN(*slos, RuleFiles(cfg->slo_files));
  return Status::OK();
}

bool CheckSloFile(const std::string& path) {
  PrintChecking(path);
  const alerting::SloFileCheck c = alerting::CheckSloFile(path);
  return PrintVerdict(c.errors, "     ", std::to_string(c.slos) + " SLOs found");
}

}  // namespace

bool CheckConfigFile(const std::string& path) {
  PrintChecking(path);
  ServeConfig cfg;
  std::vector<std::string> rules, slos;
  if (Status s = CheckConfig(path, &cfg, &rules, &slos); !s.ok()) {
    std::fprintf(stderr, "  FAILED: %s\n", s.message().c_str());
    std::fflush(stderr);
    std::printf("\n");
    return false;
  }
  for (const auto& w : cfg.warnings) std::printf("  WARNING: %s\n", w.c_str());
  if (!rules.empty()) std::printf("  SUCCESS: %zu rule files found\n", rules.size());
  if (!slos.empty()) std::printf("  SUCCESS: %zu SLO files found\n", slos.size());
  std::printf(" SUCCESS: %s is valid tidemark config file syntax\n\n", path.c_str());
  bool ok = true;
  for (const auto& r : rules) ok = CheckRuleFile(r, "     ") && ok;
  for (const auto& s : slos) ok = CheckSloFile(s) && ok;
  return ok;
}

}  // namespace tidemark::app
