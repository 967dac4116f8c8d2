// promtool-format rule unit tests (`tidemark test rules FILE...`).
#pragma once

#include <string>

#include "tidemark/storage/model/status.h"

namespace tidemark::alerting {

// Runs one promtool unit-test file. `report` receives human-readable progress. Returns an error
// describing every failed test case (or why the file could not be run).
Status RunRuleTestFile(const std::string& path, std::string* report);

}  // namespace tidemark::alerting
