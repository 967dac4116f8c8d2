// Labels (sorting, validation, hashing) and Matcher (anchoring, empty-match detection).
#include "tidemark/storage/model/labels.h"

#include <gtest/gtest.h>

#include "tidemark/storage/matcher.h"

namespace tidemark {
namespace {

TEST(LabelsTest, SortsAndDropsEmptyValues) {
  Labels l{{"b", "2"}, {"__name__", "up"}, {"a", "1"}, {"empty", ""}};
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l.items()[0].name, "__name__");
  EXPECT_EQ(l.items()[1].name, "a");
  EXPECT_EQ(l.ToString(), "up{a=\"1\", b=\"2\"}");
  EXPECT_FALSE(l.Has("empty"));
}

TEST(LabelsTest, ValidateRejectsBadNamesDuplicatesAndUtf8) {
  EXPECT_TRUE(ValidateLabels(Labels{{"__name__", "up"}, {"job", "x"}}).ok());
  EXPECT_FALSE(ValidateLabels(Labels{{"__name__", "1up"}}).ok());
  EXPECT_FALSE(ValidateLabels(Labels{{"__name__", "up"}, {"a-b", "x"}}).ok());
  EXPECT_FALSE(ValidateLabels(Labels(std::vector<Label>{{"a", "1"}, {"a", "2"}})).ok());
  EXPECT_FALSE(ValidateLabels(Labels{{"a", "\xff"}}).ok());
  EXPECT_TRUE(ValidateLabels(Labels{{"a", "h\xc3\xa9llo"}}).ok());
  EXPECT_FALSE(ValidateLabels(Labels{}).ok());
}

TEST(LabelsTest, HashIsOrderIndependentOfConstruction) {
  Labels a{{"x", "1"}, {"y", "2"}};
  Labels b{{"y", "2"}, {"x", "1"}};
  EXPECT_EQ(a.Hash(), b.Hash());
  EXPECT_NE(a.Hash(), Labels({{"x", "1"}, {"y", "3"}}).Hash());
}

TEST(MatcherTest, RegexIsAnchoredAndEmptyMatchingIsDetected) {
  auto m = Matcher::Make(MatchType::kRegexMatch, "a", "fo+");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->Matches("foo"));
  EXPECT_FALSE(m->Matches("xfoo"));
  EXPECT_FALSE(m->MatchesEmpty());
  auto all = Matcher::Make(MatchType::kRegexMatch, "a", ".*");
  EXPECT_TRUE(all->MatchesEmpty());
  auto set = Matcher::Make(MatchType::kRegexMatch, "a", "x|yy|z");
  EXPECT_EQ(set->SetMatches().size(), 3u);
  EXPECT_TRUE(set->Matches("yy"));
  EXPECT_FALSE(set->Matches("y"));
  auto pre = Matcher::Make(MatchType::kRegexMatch, "a", "api_.*");
  EXPECT_EQ(pre->Prefix(), "api_");
  EXPECT_TRUE(pre->Matches("api_x"));
  EXPECT_FALSE(pre->Matches("ap"));
  EXPECT_FALSE(Matcher::Make(MatchType::kRegexMatch, "a", "(").ok());
}

}  // namespace
}  // namespace tidemark
