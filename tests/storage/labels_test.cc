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

// Prometheus 3.x (model/labels String, labels.Matcher String): values are strconv.Quote'd, names
// outside [a-zA-Z_][a-zA-Z0-9_]* quoted; the metric name moves into the braces when it needs quotes.
TEST(LabelsTest, ToStringQuotesLikePrometheus) {
  struct Case {
    Labels l;
    std::string_view want;
  } cases[] = {
      {Labels{{"__name__", "up"}}, "up"},
      {Labels{}, "{}"},
      {Labels{{"a", "x\"y\\z\n\t\x01"}}, R"({a="x\"y\\z\n\t\x01"})"},
      {Labels{{"a", "no\xc2\xa0" "break"}}, R"({a="no\u00a0break"})"},
      {Labels{{"a", "\xff"}}, R"({a="\xff"})"},
      {Labels{{"a", "h\xc3\xa9"}}, "{a=\"h\xc3\xa9\"}"},
      {Labels{{"__name__", "ns:metric"}, {"a.b", "1"}}, R"(ns:metric{"a.b"="1"})"},
      {Labels{{"__name__", "my.metric"}, {"job", "j"}}, R"({"my.metric", job="j"})"},
      {Labels{{"__name__", "caf\xc3\xa9"}}, "{\"caf\xc3\xa9\"}"},
  };
  for (const auto& c : cases) EXPECT_EQ(c.l.ToString(), c.want);
}

TEST(MatcherTest, ToStringQuotesLikePrometheus) {
  struct Case {
    MatchType type;
    std::string name, value;
    std::string_view want;
  } cases[] = {
      {MatchType::kEqual, "job", "a\"b", R"(job="a\"b")"},
      {MatchType::kNotEqual, "job", "tab\there", R"(job!="tab\there")"},
      {MatchType::kRegexMatch, "a.b", "x\\d", R"("a.b"=~"x\\d")"},
      {MatchType::kRegexNoMatch, "_0", "\xe2\x80\x8b", R"(_0!~"\u200b")"},
      {MatchType::kEqual, "0a", "", R"("0a"="")"},
  };
  for (const auto& c : cases) {
    auto m = Matcher::Make(c.type, c.name, c.value);
    ASSERT_TRUE(m.ok()) << c.want;
    EXPECT_EQ(m->ToString(), c.want);
  }
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
