// FindStepInvariant: which subexpressions a range query evaluates once (Prometheus'
// PreprocessExpr rules), by expression.
#include "eval/step_invariant.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "tidemark/query/ast.h"

namespace tidemark::query::eval {
namespace {

struct Case {
  std::string expr;
  std::vector<std::string> kept;  // FormatExpr of each, in the order found
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.expr; }

std::vector<std::string> Kept(const std::string& expr) {
  auto parsed = ParseExpr(expr);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return {};
  std::vector<const Expr*> found;
  FindStepInvariant(**parsed, &found);
  std::vector<std::string> out;
  for (const Expr* e : found) out.push_back(FormatExpr(*e));
  return out;
}

class StepInvariantTest : public ::testing::TestWithParam<Case> {};

TEST_P(StepInvariantTest, KeepsTheLargestPinnedSubexpressions) {
  EXPECT_EQ(Kept(GetParam().expr), GetParam().kept) << GetParam().expr;
}

INSTANTIATE_TEST_SUITE_P(
    Expressions, StepInvariantTest,
    ::testing::Values(
        // Nothing pinned, or only literals: nothing to keep.
        Case{"rate(x[5m])", {}},
        Case{"x + 1", {}},
        Case{"-(2 * 3)", {}},
        Case{"vector(time())", {}},
        // Pinned selectors and what is built only from them.
        Case{"x @ 100", {"x @ 100.000"}},
        Case{"rate(x[5m] @ 100)", {"rate(x[5m] @ 100.000)"}},
        Case{"sum by (a) (rate(x[5m] @ end()))", {"sum by (a) (rate(x[5m] @ end()))"}},
        Case{"x @ 100 / y @ start()", {"x @ 100.000 / y @ start()"}},
        Case{"scalar(x @ 100) * 2", {"scalar(x @ 100.000) * 2"}},
        // Only the pinned side of an operator, argument or aggregation.
        Case{"rate(x[5m]) / rate(x[5m] @ 100)", {"rate(x[5m] @ 100.000)"}},
        Case{"topk(scalar(k), x @ 100)", {"x @ 100.000"}},
        Case{"topk(scalar(k @ 100), x)", {"scalar(k @ 100.000)"}},
        Case{"label_replace(x @ 100, \"a\", \"$1\", \"b\", \"(.*)\") + y",
             {"label_replace(x @ 100.000, \"a\", \"$1\", \"b\", \"(.*)\")"}},
        // Functions that read the evaluation time or sample times are not, but their pinned
        // arguments are.
        Case{"hour(x @ 100)", {"x @ 100.000"}},
        Case{"timestamp(x @ 100)", {"x @ 100.000"}},
        Case{"predict_linear(x[5m] @ 100, 60)", {}},
        Case{"time() - max(x @ 100)", {"max(x @ 100.000)"}},
        // A pinned range vector is not kept itself, its function is.
        Case{"max_over_time(x[5m] @ 100)", {"max_over_time(x[5m] @ 100.000)"}},
        // Subqueries: the pinned inside of one that is not, or the function of one that is.
        Case{"max_over_time((x @ 100)[10m:1m])", {"(x @ 100.000)"}},
        Case{"max_over_time(rate(x[1m])[10m:1m] @ 100)",
             {"max_over_time(rate(x[1m])[10m:1m] @ 100.000)"}}));

}  // namespace
}  // namespace tidemark::query::eval
