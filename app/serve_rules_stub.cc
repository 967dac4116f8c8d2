// RulesService used until the alerting module's RuleManager is wired in: no rules, empty lists.
#include "serve_wiring.h"

namespace tidemark::app {

namespace {

class NoRules : public RulesService {
 public:
  explicit NoRules(http::Logger& log, bool has_rules) : log_(log), has_rules_(has_rules) {}
  Status Start() override {
    if (has_rules_) log_.Warn("rule evaluation is not available in this build; rule files ignored");
    return Status::OK();
  }
  Status Reload(const ServeConfig&) override { return Status::OK(); }
  void Stop() override {}
  Result<std::string> RulesJson(const std::multimap<std::string, std::string>&) override {
    return std::string("{\"groups\":[]}");
  }
  Result<std::string> AlertsJson() override { return std::string("{\"alerts\":[]}"); }
  std::string MetricsText() override { return ""; }

 private:
  http::Logger& log_;
  bool has_rules_;
};

}  // namespace

std::unique_ptr<RulesService> MakeRules(const ServeConfig& cfg, promql::Engine&, Storage&,
                                        http::Logger& log) {
  return std::make_unique<NoRules>(log, !cfg.rule_files.empty());
}

}  // namespace tidemark::app
