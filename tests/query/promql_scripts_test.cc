// Runs our own PromQL test scripts (tests/query/testdata/*.test) and, when present, reports the
// figures of the upstream corpus in ../shared/promql-tests (the ratchet script enforces those).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "tidemark/query/promql_test.h"

namespace tidemark::query {
namespace {

std::vector<std::string> TestFiles(const std::filesystem::path& dir) {
  std::vector<std::string> files;
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".test") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(PromqlScriptsTest, OwnScriptsPass) {
  auto files = TestFiles(std::filesystem::path(TM_SOURCE_DIR) / "tests/query/testdata");
  ASSERT_GE(files.size(), 5u);
  for (const auto& f : files) {
    FileResult r = RunPromqlTestFile(f, PromqlTestOptions{});
    EXPECT_TRUE(r.error.empty()) << f << ": " << r.error;
    EXPECT_GT(r.passed(), 0) << f;
    for (const auto& c : r.cases) {
      EXPECT_EQ(c.outcome, CaseOutcome::kPassed)
          << f << ":" << c.line << ": " << c.command << "\n  " << c.message;
    }
  }
}

TEST(PromqlScriptsTest, FailingExpectationIsReported) {
  const char* script =
      "load 1m\n"
      "  m 1 2 3\n"
      "\n"
      "eval instant at 2m m\n"
      "  m 4\n"
      "\n"
      "eval instant at 2m m\n"
      "  m 3\n";
  FileResult r = RunPromqlTestScript("inline", script, PromqlTestOptions{});
  ASSERT_EQ(r.cases.size(), 2u);
  EXPECT_EQ(r.cases[0].outcome, CaseOutcome::kFailed);
  EXPECT_NE(r.cases[0].message.find("expected 4"), std::string::npos) << r.cases[0].message;
  EXPECT_EQ(r.cases[1].outcome, CaseOutcome::kPassed);
  EXPECT_EQ(r.passed(), 1);
  EXPECT_EQ(r.failed(), 1);
}

TEST(PromqlScriptsTest, NativeHistogramCasesAreSkipped) {
  const char* script =
      "load 1m\n"
      "  h {{schema:0 sum:1 count:1}}x3\n"
      "\n"
      "eval instant at 1m h\n"
      "  h {{schema:0 sum:1 count:1}}\n";
  FileResult r = RunPromqlTestScript("inline", script, PromqlTestOptions{});
  ASSERT_EQ(r.cases.size(), 1u);
  EXPECT_EQ(r.cases[0].outcome, CaseOutcome::kSkipped);
}

TEST(PromqlScriptsTest, DiskStoreRunsScripts) {
  auto files = TestFiles(std::filesystem::path(TM_SOURCE_DIR) / "tests/query/testdata");
  ASSERT_FALSE(files.empty());
  PromqlTestOptions opts;
  opts.store = TestStore::kDisk;
  opts.temp_dir = ::testing::TempDir();
  FileResult r = RunPromqlTestFile(files[0], opts);
  if (!r.error.empty() && r.error.find("cannot open store") != std::string::npos) {
    GTEST_SKIP() << "persistent store not available: " << r.error;
  }
  EXPECT_EQ(r.failed(), 0) << r.error;
  EXPECT_GT(r.passed(), 0);
}

TEST(PromqlScriptsTest, UpstreamCorpusFigures) {
  auto dir = std::filesystem::path(TM_SOURCE_DIR) / ".." / "shared" / "promql-tests";
  auto files = TestFiles(dir);
  if (files.empty()) GTEST_SKIP() << "corpus not present at " << dir;
  int passed = 0, failed = 0, skipped = 0, stable_passed = 0, stable_total = 0;
  for (const auto& f : files) {
    FileResult r = RunPromqlTestFile(f, PromqlTestOptions{});
    passed += r.passed();
    failed += r.failed();
    skipped += r.skipped();
    if (IsStableFloatTestFile(std::filesystem::path(f).filename().string())) {
      stable_passed += r.passed();
      stable_total += r.passed() + r.failed();
    }
  }
  // Figures only; scripts/conformance.sh enforces the ratchet.
  std::printf("corpus: %d passed, %d failed, %d skipped; stable float %d/%d\n", passed, failed,
              skipped, stable_passed, stable_total);
  EXPECT_GT(passed, 0);
}

}  // namespace
}  // namespace tidemark::query
