// PromQL parser tests: printed forms, error texts and positions, AST shape, round trips, corpus.
#include <dirent.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <tao/pegtl/contrib/analyze.hpp>

#include "parser/grammar.h"
#include "parser_cases.h"
#include "tidemark/query/ast.h"

namespace tidemark::query {
namespace {

std::string Format(std::string_view q) {
  auto r = ParseExpr(q);
  if (!r.ok()) return "ERROR: " + r.status().message();
  return FormatExpr(**r);
}

std::string Error(std::string_view q) {
  auto r = ParseExpr(q);
  if (r.ok()) return "OK: " + FormatExpr(**r);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(PromqlGrammar, AnalyzeFindsNoIssues) {
  EXPECT_EQ(tao::pegtl::analyze<grammar::expr_tokens>(), 0u);
  EXPECT_EQ(tao::pegtl::analyze<grammar::brace_tokens>(), 0u);
  EXPECT_EQ(tao::pegtl::analyze<grammar::bracket_tokens>(), 0u);
}

TEST(PromqlParser, FormatTable) {
  const auto& cases = testing::FormatCases();
  EXPECT_GT(cases.size(), 300u);
  for (const auto& c : cases) {
    EXPECT_EQ(Format(c.input), c.formatted) << "input: " << c.input;
  }
}

TEST(PromqlParser, ErrorTable) {
  const auto& cases = testing::ErrorCases();
  EXPECT_GT(cases.size(), 120u);
  for (const auto& c : cases) {
    EXPECT_EQ(Error(c.input), c.error) << "input: " << c.input;
  }
}

TEST(PromqlParser, RoundTripOfTable) {
  for (const auto& c : testing::FormatCases()) {
    auto first = ParseExpr(c.input);
    ASSERT_TRUE(first.ok()) << c.input;
    std::string printed = FormatExpr(**first);
    auto second = ParseExpr(printed);
    ASSERT_TRUE(second.ok()) << printed << ": " << second.status().message();
    EXPECT_EQ(FormatExpr(**second), printed) << "input: " << c.input;
  }
}

// Found by promql_parse_fuzz: `+Inf ^ 2` re-parses as `+(Inf ^ 2)`, so the literal keeps parentheses.
TEST(PromqlParser, SignedLiteralBeforePowerRoundTrips) {
  EXPECT_EQ(Format("Inf ^ 2"), "(+Inf) ^ 2");
  EXPECT_EQ(Format("-Inf ^ 2"), "-(+Inf) ^ 2");
  for (std::string_view q : {"0x1 + .5e3 - f + .4e3 - Inf^ 2 <N", "x1f1job</ij<=ob</inst3 - Inf^otNaN",
                             "Inf ^ 2 ^ Inf", "-Inf ^ 2"}) {
    std::string printed = Format(q);
    EXPECT_EQ(Format(printed), printed) << "input: " << q;
  }
}

TEST(PromqlParser, MultiLineErrorPositions) {
  EXPECT_EQ(Error("sum(\n  rate(x[5m])\n  foo)"), "3:3: parse error: unexpected identifier \"foo\" in aggregation");
  EXPECT_EQ(Error("# comment\nx +"), "2:4: parse error: unexpected end of input");
  EXPECT_EQ(Format("# comment\nx # trailing\n + 1"), "x + 1");
}

TEST(PromqlParser, PrecedenceShapes) {
  auto r = ParseExpr("-a ^ b");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ((*r)->kind, NodeKind::kUnary);
  EXPECT_EQ(static_cast<const UnaryExpr&>(**r).expr->kind, NodeKind::kBinary);

  r = ParseExpr("a - b - c");
  ASSERT_TRUE(r.ok());
  const auto& top = static_cast<const BinaryExpr&>(**r);
  EXPECT_EQ(top.op, BinOp::kSub);
  EXPECT_EQ(top.lhs->kind, NodeKind::kBinary);  // left-associative
  EXPECT_EQ(top.rhs->kind, NodeKind::kVectorSelector);

  r = ParseExpr("a ^ b ^ c");
  ASSERT_TRUE(r.ok());
  const auto& pow = static_cast<const BinaryExpr&>(**r);
  EXPECT_EQ(pow.lhs->kind, NodeKind::kVectorSelector);  // right-associative
  EXPECT_EQ(pow.rhs->kind, NodeKind::kBinary);

  r = ParseExpr("a or b and c");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(static_cast<const BinaryExpr&>(**r).op, BinOp::kOr);

  r = ParseExpr("a + b offset 5m");
  ASSERT_TRUE(r.ok());
  const auto& add = static_cast<const BinaryExpr&>(**r);
  EXPECT_EQ(static_cast<const VectorSelector&>(*add.rhs).offset_ms, 300000);
}

TEST(PromqlParser, SelectorFields) {
  auto r = ParseExpr(R"(http_requests_total{job="api", code=~"5.."}[5m] offset -1h @ 1700000000.5)");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ((*r)->kind, NodeKind::kMatrixSelector);
  const auto& m = static_cast<const MatrixSelector&>(**r);
  EXPECT_EQ(m.range_ms, 300000);
  EXPECT_EQ(m.vs->name, "http_requests_total");
  EXPECT_EQ(m.vs->offset_ms, -3600000);
  EXPECT_EQ(m.vs->at.kind, AtKind::kTimestamp);
  EXPECT_EQ(m.vs->at.timestamp, 1700000000500);
  ASSERT_EQ(m.vs->matchers.size(), 3u);
  EXPECT_EQ(m.vs->matchers[0].name(), "job");
  EXPECT_EQ(m.vs->matchers[1].type(), MatchType::kRegexMatch);
  EXPECT_EQ(m.vs->matchers[2].name(), "__name__");  // appended last, as Prometheus does
  EXPECT_EQ(m.vs->matchers[2].value(), "http_requests_total");
  EXPECT_EQ(m.pos.start, 0);

  r = ParseExpr("rate(x[5m])[1h:1m] @ end() offset 2m");
  ASSERT_TRUE(r.ok());
  const auto& sq = static_cast<const SubqueryExpr&>(**r);
  EXPECT_EQ(sq.range_ms, 3600000);
  EXPECT_EQ(sq.step_ms, 60000);
  EXPECT_EQ(sq.offset_ms, 120000);
  EXPECT_EQ(sq.at.kind, AtKind::kEnd);
  EXPECT_EQ(sq.expr->Type(), ValueKind::kVector);
  EXPECT_EQ(sq.Type(), ValueKind::kMatrix);
}

TEST(PromqlParser, DurationExpressions) {
  auto r = ParseExpr("x[5m + 1m]");
  ASSERT_TRUE(r.ok());
  const auto& m = static_cast<const MatrixSelector&>(**r);
  EXPECT_EQ(m.range_ms, 360000);  // constant expressions are folded for the evaluator
  ASSERT_NE(m.range_expr, nullptr);

  r = ParseExpr("x[2 * step()] offset step()");
  ASSERT_TRUE(r.ok());
  const auto& m2 = static_cast<const MatrixSelector&>(**r);
  auto v = EvalDurationExpr(*m2.range_expr, 15000, 0);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 30000);
  ASSERT_NE(m2.vs->offset_expr, nullptr);
  EXPECT_EQ(*EvalDurationExpr(*m2.vs->offset_expr, 15000, 0), 15000);
}

TEST(PromqlParser, NumbersAndStrings) {
  auto num = [](std::string_view q) {
    auto r = ParseExpr(q);
    EXPECT_TRUE(r.ok()) << q;
    return r.ok() ? static_cast<const NumberLiteral&>(**r).value : -12345.0;
  };
  EXPECT_EQ(num("0x1f"), 31);
  EXPECT_EQ(num("1e3"), 1000);
  EXPECT_EQ(num(".5"), 0.5);
  EXPECT_EQ(num("017"), 15);  // Go base-0 integers: leading zero is octal
  EXPECT_EQ(num("1m"), 60);
  EXPECT_EQ(num("-1h30m"), -5400);
  EXPECT_TRUE(std::isinf(num("-Inf")) && num("-Inf") < 0);
  EXPECT_TRUE(std::isnan(num("nAn")));
  auto r = ParseExpr(R"("a\tb\u00e9\x41")");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(static_cast<const StringLiteral&>(**r).value, "a\tb\xc3\xa9"
                                                           "A");
  r = ParseExpr("`a\\nb`");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(static_cast<const StringLiteral&>(**r).value, "a\\nb");
}

TEST(PromqlParser, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '(');
  deep += "1";
  deep += std::string(100000, ')');
  std::string err = Error(deep);
  EXPECT_NE(err.find("nesting too deep"), std::string::npos) << err;
  std::string minus(200000, '-');
  minus += "1";
  EXPECT_NE(Error(minus).find("nesting too deep"), std::string::npos);
  std::string pow = "1";
  for (int i = 0; i < 5000; ++i) pow += "^1";
  EXPECT_NE(Error(pow).find("nesting too deep"), std::string::npos);
  // Long flat inputs are fine.
  std::string sum = "x";
  for (int i = 0; i < 5000; ++i) sum += " + x";
  auto big = ParseExpr(sum);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(FormatExpr(**big).size(), sum.size());
  for (int i = 0; i < 6000; ++i) sum += " or x";
  EXPECT_NE(Error(sum).find("nesting too deep"), std::string::npos);
  std::string long_value = "x{a=\"" + std::string(1 << 20, 'v') + "\"}";
  EXPECT_TRUE(ParseExpr(long_value).ok());
  std::string nested = "x";
  for (int i = 0; i < 100; ++i) nested = "abs(" + nested + ")";
  EXPECT_TRUE(ParseExpr(nested).ok());
}

TEST(PromqlParser, MetricSelector) {
  auto m = ParseMetricSelector(R"(up{job="a"})");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].name(), "job");
  EXPECT_EQ((*m)[1].name(), "__name__");
  EXPECT_EQ((*m)[1].value(), "up");
  m = ParseMetricSelector(R"({__name__=~"a.*",x!=""})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size(), 2u);
  m = ParseMetricSelector(R"({"my.metric"})");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].value(), "my.metric");
  EXPECT_FALSE(ParseMetricSelector("rate(x[5m])").ok());
  EXPECT_FALSE(ParseMetricSelector("up + 1").ok());
  EXPECT_FALSE(ParseMetricSelector("").ok());
  EXPECT_EQ(ParseMetricSelector("up{").status().message(),
            "1:4: parse error: unexpected end of input inside braces");
}

TEST(PromqlDuration, ParseAndFormat) {
  struct Case {
    const char* in;
    int64_t ms;
    const char* out;
  };
  const Case cases[] = {{"0", 0, "0s"},          {"0s", 0, "0s"},
                        {"500ms", 500, "500ms"}, {"1s", 1000, "1s"},
                        {"90s", 90000, "1m30s"}, {"1h30m", 5400000, "1h30m"},
                        {"1d", 86400000, "1d"},  {"1w", 604800000, "1w"},
                        {"8d", 691200000, "8d"}, {"1y", 31536000000, "1y"},
                        {"1y1w", 32140800000, "372d"}, {"2w1d", 1296000000, "15d"},
                        {"1m1s1ms", 61001, "1m1s1ms"}};
  for (const auto& c : cases) {
    auto r = ParseDuration(c.in);
    ASSERT_TRUE(r.ok()) << c.in;
    EXPECT_EQ(*r, c.ms) << c.in;
    EXPECT_EQ(FormatDuration(c.ms), c.out) << c.in;
  }
  EXPECT_EQ(FormatDuration(-90000), "-1m30s");
  EXPECT_EQ(ParseDuration("").status().message(), "empty duration string");
  EXPECT_EQ(ParseDuration("1m1h").status().message(), "not a valid duration string: \"1m1h\"");
  EXPECT_EQ(ParseDuration("1s1s").status().message(), "not a valid duration string: \"1s1s\"");
  EXPECT_EQ(ParseDuration("5x").status().message(), "unknown unit \"x\" in duration \"5x\"");
  EXPECT_EQ(ParseDuration("1.5h").status().message(), "unknown unit \".\" in duration \"1.5h\"");
  EXPECT_EQ(ParseDuration("300y").status().message(), "duration out of range");
  EXPECT_FALSE(ParseDuration("-1s").ok());
  EXPECT_FALSE(ParseDuration("h").ok());
}

TEST(PromqlFunctions, Table) {
  const FunctionInfo* rate = LookupFunction("rate");
  ASSERT_NE(rate, nullptr);
  ASSERT_EQ(rate->arg_types.size(), 1u);
  EXPECT_EQ(rate->arg_types[0], ValueKind::kMatrix);
  EXPECT_EQ(rate->return_type, ValueKind::kVector);
  EXPECT_FALSE(rate->experimental);
  const FunctionInfo* lj = LookupFunction("label_join");
  ASSERT_NE(lj, nullptr);
  EXPECT_EQ(lj->variadic, -1);
  EXPECT_EQ(lj->arg_types[1], ValueKind::kString);
  const FunctionInfo* round = LookupFunction("round");
  ASSERT_NE(round, nullptr);
  EXPECT_EQ(round->variadic, 1);
  EXPECT_EQ(LookupFunction("time")->return_type, ValueKind::kScalar);
  EXPECT_TRUE(LookupFunction("sort_by_label")->experimental);
  EXPECT_TRUE(LookupFunction("double_exponential_smoothing")->experimental);
  EXPECT_EQ(LookupFunction("sum"), nullptr);  // aggregations are not functions
  EXPECT_EQ(LookupFunction("nope"), nullptr);
  EXPECT_GE(AllFunctions().size(), 85u);
  for (size_t i = 1; i < AllFunctions().size(); ++i) {
    EXPECT_LT(AllFunctions()[i - 1].name, AllFunctions()[i].name);
  }
}

TEST(PromqlAst, NamesAndTypes) {
  EXPECT_EQ(ValueKindName(ValueKind::kMatrix), "range vector");
  EXPECT_EQ(ValueKindName(ValueKind::kVector), "instant vector");
  EXPECT_EQ(BinOpString(BinOp::kAtan2), "atan2");
  EXPECT_EQ(BinOpString(BinOp::kGte), ">=");
  EXPECT_TRUE(IsComparison(BinOp::kNeq));
  EXPECT_FALSE(IsComparison(BinOp::kAnd));
  EXPECT_TRUE(IsSetOp(BinOp::kUnless));
  EXPECT_EQ(AggOpString(AggOp::kCountValues), "count_values");
  EXPECT_EQ((*ParseExpr("1 + 2"))->Type(), ValueKind::kScalar);
  EXPECT_EQ((*ParseExpr("1 + x"))->Type(), ValueKind::kVector);
  EXPECT_EQ((*ParseExpr("time()"))->Type(), ValueKind::kScalar);
  EXPECT_EQ((*ParseExpr("\"s\""))->Type(), ValueKind::kString);
  EXPECT_EQ(Quote("a\"b\\\n\x01\xff"), "\"a\\\"b\\\\\\n\\x01\\xff\"");
}

// Every non-failing eval expression of the upstream corpus must parse and round-trip. The corpus
// sits beside the checkout, where scripts/conformance.sh looks for it too.
TEST(PromqlCorpus, AllEvalExpressionsParse) {
  const std::string dir = std::string(TM_SOURCE_DIR) + "/../shared/promql-tests";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) GTEST_SKIP() << dir << " not present; corpus scan skipped";
  std::vector<std::string> files;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n.substr(n.size() - 5) == ".test") files.push_back(dir + "/" + n);
  }
  closedir(d);
  const std::regex header(
      R"(^(eval\w*)\s+(instant\s+at\s+\S+|range\s+from\s+\S+\s+to\s+\S+\s+step\s+\S+)\s+(.*)$)",
      std::regex::icase);
  int total = 0, parsed = 0;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) {
      size_t a = l.find_first_not_of(" \t\r");
      size_t b = l.find_last_not_of(" \t\r");
      lines.push_back(a == std::string::npos ? "" : l.substr(a, b - a + 1));
    }
    for (size_t i = 0; i < lines.size(); ++i) {
      std::smatch m;
      if (!std::regex_match(lines[i], m, header)) continue;
      bool fail = m[1].str() == "eval_fail";
      for (size_t j = i + 1; j < lines.size() && !lines[j].empty() && lines[j][0] != '#'; ++j) {
        if (lines[j].rfind("expect fail", 0) == 0) fail = true;
      }
      if (fail) continue;
      ++total;
      std::string q = m[3].str();
      auto r = ParseExpr(q);
      if (!r.ok()) {
        ADD_FAILURE() << f << ": " << q << ": " << r.status().message();
        continue;
      }
      std::string printed = FormatExpr(**r);
      auto again = ParseExpr(printed);
      if (!again.ok() || FormatExpr(**again) != printed) {
        ADD_FAILURE() << "round trip: " << q << " -> " << printed;
        continue;
      }
      ++parsed;
    }
  }
  std::printf("corpus: %d of %d non-failing eval expressions parse and round-trip\n", parsed,
              total);
  EXPECT_EQ(parsed, total);
  EXPECT_GT(total, 2000);
}

}  // namespace
}  // namespace tidemark::query
