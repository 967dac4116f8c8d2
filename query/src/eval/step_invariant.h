// Which subexpressions of a range query have the same value at every step: those that read only
// `@`-pinned data (Prometheus' step-invariant expressions), so the evaluator computes each once.
#pragma once

#include <vector>

#include "tidemark/query/ast.h"

namespace tidemark::query::eval {

// Appends to `out` the largest step-invariant subexpressions of `root` worth keeping: instant
// vectors and scalars, not literals (cheaper to evaluate than to look up) nor range vectors
// (their windows are never held past their step).
void FindStepInvariant(const Expr& root, std::vector<const Expr*>* out);

}  // namespace tidemark::query::eval
