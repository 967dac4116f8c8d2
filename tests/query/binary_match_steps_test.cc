// Vector matching keeps per-series state across the steps of a range query (signature groups,
// stamped by evaluation). A matching conflict that exists only at some steps must fail the range
// query with the instant query's error at the first such step, and leave the steps before it
// exactly as the instant queries answer them.
#include <gtest/gtest.h>

#include <bit>
#include <string>

#include "support/status_matchers.h"
#include "tidemark/query/engine.h"
#include "tidemark/storage/storage.h"

namespace tidemark::query {
namespace {

constexpr int64_t kStep = 15'000;
constexpr int64_t kEnd = 3'600'000;
constexpr int64_t kConflictFrom = 1'800'000;  // the second series of each conflict starts here

class BinaryMatchStepsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = NewMemStorage();
    auto app = storage_->NewAppender();
    auto add = [&](Labels l, int64_t from, double scale) {
      for (int64_t t = from; t <= kEnd; t += kStep) {
        ASSERT_TRUE(app->Append(0, l, SampleIn{0, t, scale * static_cast<double>(t / kStep + 1)})
                        .ok());
      }
    };
    add(Labels{{"__name__", "a"}, {"instance", "x"}, {"k", "1"}}, 0, 1);
    add(Labels{{"__name__", "b"}, {"instance", "x"}, {"k", "1"}}, 0, 2);
    add(Labels{{"__name__", "b"}, {"instance", "x"}, {"k", "2"}}, kConflictFrom, 3);
    // group_left whose included label makes two many-side series the same result from then on.
    add(Labels{{"__name__", "c"}, {"instance", "y"}, {"v", "p"}}, 0, 1);
    add(Labels{{"__name__", "c"}, {"instance", "y"}, {"v", "q"}}, kConflictFrom, 1);
    add(Labels{{"__name__", "d"}, {"instance", "y"}, {"v", "r"}}, 0, 5);
    ASSERT_TRUE(app->Commit().ok());
  }

  // The range query over the whole hour fails as the instant query does at kConflictFrom, and
  // the range up to the step before gives every instant answer bit for bit.
  void ExpectFailsFromConflict(const std::string& expr) {
    Engine engine(*storage_, EngineOptions{});
    auto inst_before = engine.InstantQuery(expr, kConflictFrom - kStep);
    ASSERT_TRUE(inst_before.ok()) << inst_before.status().ToString();
    auto inst = engine.InstantQuery(expr, kConflictFrom);
    ASSERT_FALSE(inst.ok()) << expr;
    auto range = engine.RangeQuery(expr, 0, kEnd, kStep);
    ASSERT_FALSE(range.ok()) << expr;
    EXPECT_EQ(range.status().code(), inst.status().code());
    EXPECT_EQ(range.status().message(), inst.status().message());

    ASSERT_OK_AND_ASSIGN(QueryValue before, engine.RangeQuery(expr, 0, kConflictFrom - kStep, kStep));
    size_t points = 0;
    for (const auto& s : before.matrix) points += s.points.size();
    size_t checked = 0;
    for (int64_t t = 0; t < kConflictFrom; t += kStep) {
      ASSERT_OK_AND_ASSIGN(QueryValue at, engine.InstantQuery(expr, t));
      for (const auto& s : at.vector) {
        bool found = false;
        for (const auto& rs : before.matrix) {
          if (rs.metric != s.metric) continue;
          for (const auto& p : rs.points) {
            if (p.t != t) continue;
            EXPECT_EQ(std::bit_cast<uint64_t>(p.v), std::bit_cast<uint64_t>(s.v)) << expr << " at " << t;
            found = true;
          }
        }
        EXPECT_TRUE(found) << expr << " at " << t;
        ++checked;
      }
    }
    EXPECT_EQ(checked, points);
    EXPECT_GT(points, 100u);
  }

  std::unique_ptr<Storage> storage_;
};

TEST_F(BinaryMatchStepsTest, DuplicateOnTheOneSide) {
  ExpectFailsFromConflict("a / on (instance) b");
  ExpectFailsFromConflict("b / on (instance) group_right a");
}

TEST_F(BinaryMatchStepsTest, ManyToOneWithoutGroupModifier) {
  ExpectFailsFromConflict("b / on (instance) a");
  ExpectFailsFromConflict("b > bool on (instance) a");
}

TEST_F(BinaryMatchStepsTest, GroupLeftResultsCollide) {
  // d's `v` replaces c's, so from kConflictFrom both c series give {instance="y", v="r"}.
  ExpectFailsFromConflict("c * on (instance) group_left (v) d");
}

}  // namespace
}  // namespace tidemark::query
