// Result comparison for the promql-test runner; each returns "" on success, else the reason.
#pragma once

#include <string>

#include "promqltest/script.h"
#include "tidemark/query/engine.h"

namespace tidemark::query::script {

// Prometheus' almost.Equal with the test epsilon 1e-6.
bool AlmostEqual(double a, double b);
bool PatternMatches(const AnnoPattern& p, const std::string& text);
std::string CheckFailure(const EvalCmd& ev, const std::string& actual_error);
std::string CheckAnnotations(const EvalCmd& ev, const QueryValue& v);
std::string CompareResult(const EvalCmd& ev, const QueryValue& v);

}  // namespace tidemark::query::script
