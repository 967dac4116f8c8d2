// Engine unit tests on hand-built ASTs and on limits (samples, series, cancellation, timeout).
#include <gtest/gtest.h>

#include "support/status_matchers.h"
#include "tidemark/query/engine.h"
#include "tidemark/storage/storage.h"

namespace tidemark::query {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = NewMemStorage();
    auto app = storage_->NewAppender();
    for (int s = 0; s < 3; ++s) {
      Labels l{{"__name__", "x"}, {"i", std::to_string(s)}};
      for (int k = 0; k <= 60; ++k) {
        ASSERT_TRUE(app->Append(0, l, SampleIn{0, k * 60'000, double(k * (s + 1))}).ok());
      }
    }
    ASSERT_OK(app->Commit());
  }

  std::unique_ptr<VectorSelector> Selector(const std::string& name) {
    auto vs = std::make_unique<VectorSelector>();
    vs->name = name;
    vs->matchers.push_back(*Matcher::Make(MatchType::kEqual, "__name__", name));
    return vs;
  }

  std::unique_ptr<Storage> storage_;
};

TEST_F(EngineTest, HandBuiltSumOfRate) {
  // sum(rate(x[5m]))
  auto ms = std::make_unique<MatrixSelector>();
  ms->vs = Selector("x");
  ms->range_ms = 5 * 60'000;
  auto call = std::make_unique<Call>();
  static const FunctionInfo kRate{"rate", {ValueKind::kMatrix}, 0, ValueKind::kVector, false};
  call->func = &kRate;
  call->args.push_back(std::move(ms));
  AggregateExpr agg;
  agg.op = AggOp::kSum;
  agg.expr = std::move(call);
  Engine engine(*storage_, EngineOptions{});
  ASSERT_OK_AND_ASSIGN(QueryValue v, engine.InstantQueryExpr(agg, "", 30 * 60'000));
  ASSERT_EQ(v.kind, ValueKind::kVector);
  ASSERT_EQ(v.vector.size(), 1u);
  // Slopes 1, 2 and 3 per minute: (1 + 2 + 3) / 60 per second.
  EXPECT_NEAR(v.vector[0].v, 0.1, 1e-12);
  EXPECT_TRUE(v.vector[0].metric.empty());
}

TEST_F(EngineTest, RangeQueryIsSortedAndDropsName) {
  // x * 2 as a range query: names dropped, series sorted by labels.
  BinaryExpr b;
  b.op = BinOp::kMul;
  b.lhs = Selector("x");
  auto two = std::make_unique<NumberLiteral>();
  two->value = 2;
  b.rhs = std::move(two);
  Engine engine(*storage_, EngineOptions{});
  ASSERT_OK_AND_ASSIGN(QueryValue v, engine.RangeQueryExpr(b, "", 0, 120'000, 60'000));
  ASSERT_EQ(v.matrix.size(), 3u);
  EXPECT_EQ(v.matrix[0].metric, (Labels{{"i", "0"}}));
  EXPECT_EQ(v.matrix[2].metric, (Labels{{"i", "2"}}));
  ASSERT_EQ(v.matrix[2].points.size(), 3u);
  EXPECT_EQ(v.matrix[2].points[2].v, 12);
}

TEST_F(EngineTest, TooManySamplesIsResourceExhausted) {
  EngineOptions opts;
  opts.max_samples = 10;
  Engine engine(*storage_, opts);
  MatrixSelector ms;
  ms.vs = Selector("x");
  ms.range_ms = 60 * 60'000;
  auto r = engine.InstantQueryExpr(ms, "", 60 * 60'000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("too many samples"), std::string::npos);
}

TEST_F(EngineTest, TooManySeriesIsResourceExhausted) {
  EngineOptions opts;
  opts.max_series_per_selector = 2;
  Engine engine(*storage_, opts);
  auto vs = Selector("x");
  auto r = engine.InstantQueryExpr(*vs, "", 60'000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(EngineTest, CanceledQuery) {
  CancelToken cancel;
  cancel.canceled = true;
  Engine engine(*storage_, EngineOptions{});
  auto vs = Selector("x");
  auto r = engine.RangeQueryExpr(*vs, "", 0, 3'600'000, 1000, &cancel);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCanceled);
}

TEST_F(EngineTest, TimeoutIsDeadlineExceeded) {
  EngineOptions opts;
  opts.timeout_ms = 1;
  Engine engine(*storage_, opts);
  auto vs = Selector("x");
  // Millions of steps cannot finish within 1 ms.
  auto r = engine.RangeQueryExpr(*vs, "", 0, 3'600'000, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(r.status().message().find("query timed out in"), std::string::npos);
}

// Errors found while evaluating a well-formed query are Prometheus' "execution" errors (422),
// not bad input (400): its returnAPIError maps every evaluation error that is not a timeout,
// cancellation or storage failure to errorExec.
TEST_F(EngineTest, EvaluationErrorsAreUnprocessable) {
  Engine engine(*storage_, EngineOptions{});
  for (const char* q : {
           "x + on() x",                                                  // many-to-many
           "label_replace(x, \"i\", \"same\", \"i\", \".*\")",    // duplicate label sets
           "x + on(i) group_left label_replace(x, \"i\", \"0\", \"\", \"\")",  // duplicate match group
       }) {
    auto r = engine.InstantQuery(q, 30 * 60'000);
    ASSERT_FALSE(r.ok()) << q;
    EXPECT_EQ(r.status().code(), StatusCode::kUnprocessable) << q << ": " << r.status().ToString();
  }
  auto parse = engine.InstantQuery("x +", 0);
  ASSERT_FALSE(parse.ok());
  EXPECT_EQ(parse.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, RangeQueryOfMatrixIsRejected) {
  MatrixSelector ms;
  ms.vs = Selector("x");
  ms.range_ms = 60'000;
  Engine engine(*storage_, EngineOptions{});
  auto r = engine.RangeQueryExpr(ms, "", 0, 60'000, 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tidemark::query
