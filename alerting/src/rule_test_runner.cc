// `tidemark test rules`: not implemented yet; fails clearly instead of passing silently.
#include "tidemark/alerting/rule_test.h"

namespace tidemark::alerting {

Status RunRuleTestFile(const std::string& path, std::string* report) {
  report->clear();
  return Status::InvalidArgument(path +
                                 ": rule unit tests are not supported yet by this build "
                                 "(use promtool test rules)");
}

}  // namespace tidemark::alerting
